import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { withoutDot } from "../domain/dns-plan.js"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../domain/lifecycle.js"
import { agentTimeoutSeconds } from "./node-probes.js"
import { WorkflowEngine } from "./workflow-engine.js"

/** Workflow type of the per-zone serializer, shared by starter and worker. */
export const SYNC_ZONE_WORKFLOW = "SyncZoneWorkflow"
/** Signal telling a running SyncZoneWorkflow that the database changed under it. */
export const ZONE_CHANGED_SIGNAL = "changed"

/** `a.b.example.com` → `a.b.example.com`, `b.example.com`, `example.com`, `com`. */
const suffixes = (hostname: string): Array<string> => {
  const labels = withoutDot(hostname).split(".")
  return labels.map((_, i) => labels.slice(i).join("."))
}

/**
 * Hands a zone's changes to its serializer: one workflow per zone (`zone:{id}:sync`) that reads
 * the zone's whole desired data from the database and ensures it on every DNS node serving the
 * zone's brand, looping while signals say more changed (as TenantSync does for tenants).
 */
export class ZoneSync extends Effect.Service<ZoneSync>()("@hosting/ZoneSync", {
  effect: Effect.gen(function* () {
    const engine = yield* WorkflowEngine
    const sql = yield* SqlClient
    // how long a sync waits for a DNS node's agent before failing the round with the reason
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds

    const request = (zoneId: string) =>
      engine.signalWithStart({
        workflowType: SYNC_ZONE_WORKFLOW,
        workflowId: workflowIdFor("zone", zoneId, "sync"),
        taskQueue: CONTROL_PLANE_TASK_QUEUE,
        args: [{ zoneId, nodeTimeoutSeconds }],
        signal: ZONE_CHANGED_SIGNAL,
      })

    /**
     * Asks the sync of the most specific zone at or above `hostname`, if there is one, because
     * data derived from the web tier changed (an FQDN bound or unbound). Never fails the caller:
     * when the engine cannot be reached the zone is marked failed with the reason, and retrying
     * the zone sends it again.
     */
    const requestCovering = (hostname: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT id FROM zones
          WHERE name IN ${sql.in(suffixes(hostname))} AND status <> 'deleting'
          ORDER BY length(name) DESC LIMIT 1`
        const zone = rows[0]
        if (zone === undefined) return
        yield* request(zone.id).pipe(
          Effect.catchAll(
            (e) =>
              sql`UPDATE zones SET status = 'failed', updated_at = now(),
              status_message = ${`could not start workflow: ${e.message}`.slice(0, 4000)}
              WHERE id = ${zone.id} AND status <> 'deleting'`,
          ),
        )
      }).pipe(Effect.orDie, Effect.withSpan("ZoneSync.requestCovering"))

    /** requestCovering for every host name bound under a tenant (for changes to the tenant's placement or FQDNs). */
    const requestForTenant = (tenantId: string) =>
      Effect.flatMap(
        sql<{ hostname: string }>`SELECT hostname FROM fqdns WHERE tenant_id = ${tenantId}`.pipe(Effect.orDie),
        (rows) => Effect.forEach(rows, (r) => requestCovering(r.hostname), { discard: true }),
      )

    return { request, requestCovering, requestForTenant } as const
  }),
}) {}
