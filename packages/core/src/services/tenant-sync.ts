import { Effect } from "effect"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../domain/lifecycle.js"
import { agentTimeoutSeconds } from "./node-probes.js"
import { WorkflowEngine } from "./workflow-engine.js"

/** Workflow type of the per-tenant serializer, shared by starter and worker. */
export const SYNC_TENANT_WORKFLOW = "SyncTenantWorkflow"
/** Signal telling a running SyncTenantWorkflow that the database changed under it. */
export const TENANT_CHANGED_SIGNAL = "changed"

/**
 * Hands a tenant's changes to its serializer: one workflow per tenant (`tenant:{id}:sync`) that
 * reads the tenant's whole desired state from the database and ensures it on every node, looping
 * while signals say more changed. Two requests never run two syncs at once, and a change made
 * during a sync is picked up by the next round, never lost.
 *
 * Callers write their rows (status `pending` or `deleting`, a new revision) first, then call
 * `request`; when the engine cannot be reached they mark the rows failed with the reason (a
 * delete stays `deleting`), so a retry or a repeated delete hands them over again.
 */
export class TenantSync extends Effect.Service<TenantSync>()("@hosting/TenantSync", {
  effect: Effect.gen(function* () {
    const engine = yield* WorkflowEngine
    // how long a sync waits for a node's agent before failing the round with the reason
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds
    const request = (tenantId: string) =>
      engine.signalWithStart({
        workflowType: SYNC_TENANT_WORKFLOW,
        workflowId: workflowIdFor("tenant", tenantId, "sync"),
        taskQueue: CONTROL_PLANE_TASK_QUEUE,
        args: [{ tenantId, nodeTimeoutSeconds }],
        signal: TENANT_CHANGED_SIGNAL,
      })
    return { request } as const
  }),
}) {}
