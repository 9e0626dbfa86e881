import type {
  ControlPlaneActivities,
  ConvergeShardInput,
  LbChangeReport,
  NodeActivities,
  WebChangeReport,
} from "@hosting/core/activities"
import { proxyActivities } from "@temporalio/workflow"
import { describeNodeError } from "./serializer.js"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "60 seconds",
  retry: { maximumAttempts: 10 },
})

/** What a convergence did (or, as a plan, would do) on each node. */
export interface ConvergeShardOutcome {
  readonly nodes: number
  readonly errors: Array<string>
  readonly changes: Array<
    { readonly node_id: string } & (WebChangeReport["changes"][number] | LbChangeReport["changes"][number])
  >
  readonly reloads: { nginx: number; php: number; haproxy: number }
}

/**
 * Converges every node of a shard to the state the database describes, collecting each node's
 * (and each tenant's) error instead of stopping at the first. A web shard gets every tenant,
 * webroot, FQDN and SSH key ensured and orphaned platform files removed, with one reload per
 * daemon per node; an lb shard gets the cluster's whole `fqdn → backend` mapping pushed through
 * HAProxy's runtime API, stale routes removed; other roles are checked to be reachable until their
 * resources arrive. With `plan`, nodes only report the changes.
 */
export async function ConvergeShardWorkflow(input: ConvergeShardInput): Promise<ConvergeShardOutcome> {
  const nodeIds = await cp.shardNodeIds({ shardId: input.shardId })
  const role = await cp.shardRole({ shardId: input.shardId })
  const plan = input.plan === true
  const web = role === "web" ? await cp.webShardSpecs({ shardId: input.shardId }) : undefined
  // an lb shard: every node gets the cluster's whole mapping, stale routes removed, no reload
  const lb = role === "lb" ? await cp.lbShardSpec({ shardId: input.shardId }) : undefined
  const outcome: ConvergeShardOutcome = {
    nodes: nodeIds.length,
    errors: [],
    changes: [],
    reloads: { nginx: 0, php: 0, haproxy: 0 },
  }
  await Promise.all(
    nodeIds.map(async (nodeId) => {
      // a node whose agent does not answer within the timeout is reported, not waited on
      const node = proxyActivities<NodeActivities>({
        taskQueue: `node-${nodeId}`,
        scheduleToCloseTimeout: `${input.nodeTimeoutSeconds} seconds`,
        startToCloseTimeout: "10 minutes",
        heartbeatTimeout: "10 seconds",
        retry: { initialInterval: "1 second", maximumInterval: "5 seconds" },
      })
      try {
        if (lb !== undefined) {
          const report = await node.ensureLb({ spec: lb, plan })
          outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
          outcome.reloads.haproxy += report.reloads.haproxy
          return
        }
        if (web === undefined) {
          await node.describeNode()
          return
        }
        const tenants = web.nodes.find((n) => n.nodeId === nodeId)?.tenants ?? []
        const report = await node.convergeWeb({ tenants, plan })
        outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
        outcome.errors.push(...report.errors.map((e) => `node ${nodeId}: tenant ${e.tenant}: ${e.message}`))
        outcome.reloads.nginx += report.reloads.nginx
        outcome.reloads.php += report.reloads.php
      } catch (err) {
        outcome.errors.push(describeNodeError(nodeId, err))
      }
    }),
  )
  if (plan) return outcome
  // a tenant changed while we converged from an older snapshot: its own sync puts it right
  if (web !== undefined) await cp.resyncTenantsChangedSince({ shardId: input.shardId, revision: web.revision })
  // likewise a name bound while an lb shard converged from an older read: the cluster's LB sync adds it
  if (lb !== undefined) await cp.requestLbSyncOfShard({ shardId: input.shardId })
  await cp.finishShardConverge({ shardId: input.shardId, errors: outcome.errors })
  return outcome
}
