import { Effect } from "effect"
import { databaseSerializer, makeSerializerRequest } from "../../lifecycle/serializers.js"
import type { TenantChildFamily } from "../../lifecycle/tenant-children.js"

/**
 * Databases as children of their tenant (lifecycle/tenant-children.ts): a tenant's delete drops
 * them first; its users go with each database (the node drops them, their rows cascade).
 */
export const databasesOfTenants: TenantChildFamily = {
  noun: "databases",
  table: "databases",
  revisionSequence: "database_revision_seq",
  serializer: databaseSerializer,
}

/**
 * Hands a database's changes to its serializer (`database:{id}:sync`, see lifecycle/serializers.ts).
 * Callers write their rows first (status `pending` or `deleting`, a new revision); Reactions
 * marks them failed with the reason when the engine cannot be reached.
 */
export class DatabaseSync extends Effect.Service<DatabaseSync>()("@hosting/DatabaseSync", {
  effect: Effect.map(makeSerializerRequest, (request) => ({
    request: (databaseId: string) => request(databaseSerializer, databaseId),
  })),
}) {}
