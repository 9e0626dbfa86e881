import type { ControlPlaneActivities, NodeActivities, SyncLbInput } from "@hosting/core/activities"
import { continueAsNew, defineSignal, proxyActivities } from "@temporalio/workflow"
import { onEveryNode, serializeRounds } from "./serializer.js"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "60 seconds",
  retry: { maximumAttempts: 10 },
})

/** Sent after a host name of the cluster was bound or unbound, or a tenant moved (signal-with-start). */
export const lbChangedSignal = defineSignal("changed")

// Each round carries the cluster's whole mapping through the history (once read, once per LB
// node): start afresh after a few rounds so the history stays small (state lives in the database).
const ROUNDS_PER_RUN = 10

const onNode = (nodeId: string, timeoutSeconds: number) =>
  proxyActivities<NodeActivities>({
    taskQueue: `node-${nodeId}`,
    // an LB agent killed mid-push is retried once it is back, within the timeout
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    startToCloseTimeout: "5 minutes",
    // the agent heartbeats every second while it works: a killed agent is noticed in seconds
    heartbeatTimeout: "10 seconds",
    retry: { initialInterval: "500 milliseconds", maximumInterval: "5 seconds" },
  })

/**
 * The LB serializer of one cluster (`cluster:{id}:lb-sync`): each round reads every route of the
 * cluster (`fqdn → web shard backend`) and the backends, and has every LB node apply exactly that
 * — routes through HAProxy's runtime API, no reload; a reload only when backends changed. Each lb
 * shard records the round's outcome (active, or failed with every node's error). A signal during
 * a round asks for another, so binds never race and none is lost.
 */
export async function SyncLbWorkflow(input: SyncLbInput): Promise<void> {
  const outcome = await serializeRounds(lbChangedSignal, ROUNDS_PER_RUN, async () => {
    const targets = await cp.lbClusterTargets({ clusterId: input.clusterId })
    await Promise.all(
      targets.map(async (t) => {
        const errors: Array<string> = []
        await onEveryNode(t.nodeIds, errors, (nodeId) =>
          onNode(nodeId, input.nodeTimeoutSeconds).ensureLb({ spec: t.spec, plan: false }),
        )
        await cp.finishShardConverge({ shardId: t.shardId, errors })
      }),
    )
    return true
  })
  if (outcome === "more") await continueAsNew<typeof SyncLbWorkflow>(input)
}
