import { Effect } from "effect"
import { makeSerializerRequest, tenantSerializer } from "../../lifecycle/serializers.js"

/**
 * Hands a tenant's changes to its serializer (`tenant:{id}:sync`, see lifecycle/serializers.ts).
 *
 * Callers write their rows (status `pending` or `deleting`, a new revision) first, then call
 * `request`; when the engine cannot be reached they mark the rows failed with the reason (a
 * delete stays `deleting`), so a retry or a repeated delete hands them over again.
 */
export class TenantSync extends Effect.Service<TenantSync>()("@hosting/TenantSync", {
  effect: Effect.map(makeSerializerRequest, (request) => ({
    request: (tenantId: string) => request(tenantSerializer, tenantId),
  })),
}) {}
