import type { ControlPlaneActivities, ConvergeShardInput, NodeActivities } from "@hosting/core/activities"
import { proxyActivities } from "@temporalio/workflow"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10 },
})

/**
 * Converges every node of a shard to the state the database describes, collecting each node's
 * error instead of stopping at the first. Roles add their ensure activities here as they
 * arrive; today every node is checked to be reachable and answering.
 */
export async function ConvergeShardWorkflow(
  input: ConvergeShardInput,
): Promise<{ nodes: number; errors: Array<string> }> {
  const nodeIds = await cp.shardNodeIds({ shardId: input.shardId })
  const errors: Array<string> = []
  await Promise.all(
    nodeIds.map(async (nodeId) => {
      // a node whose agent does not answer within the timeout is reported, not waited on
      const node = proxyActivities<NodeActivities>({
        taskQueue: `node-${nodeId}`,
        scheduleToCloseTimeout: `${input.nodeTimeoutSeconds} seconds`,
        startToCloseTimeout: "20 seconds",
        retry: { initialInterval: "1 second", maximumInterval: "5 seconds" },
      })
      try {
        await node.describeNode()
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message
        errors.push(`node ${nodeId}: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ""}`)
      }
    }),
  )
  await cp.finishShardConverge({ shardId: input.shardId, errors })
  return { nodes: nodeIds.length, errors }
}
