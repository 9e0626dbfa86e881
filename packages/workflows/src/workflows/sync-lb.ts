import type { StatusCause, SyncLbInput } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { controlPlane, onNode, roundSteps } from "./activities.js"
import { onEveryNode, serializeRounds } from "./serializer.js"

const cp = controlPlane("60 seconds", { maximumAttempts: 10 })

// Each round carries the cluster's whole mapping through the history (once read, once per LB
// node): start afresh after a few rounds so the history stays small (state lives in the database).
const ROUNDS_PER_RUN = 10

// an LB agent killed mid-push is retried once it is back, within the timeout
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "5 minutes", heartbeat: true })

/**
 * The LB serializer of one cluster (`cluster:{id}:lb-sync`): each round reads every route of the
 * cluster (`fqdn → web shard backend`) and the backends, and has every LB node apply exactly that
 * — routes through HAProxy's runtime API, no reload; a reload only when backends changed. Each lb
 * shard records the round's outcome (active, or failed with every node's error). A signal during
 * a round asks for another, so binds never race and none is lost.
 */
export async function SyncLbWorkflow(input: SyncLbInput): Promise<void> {
  const outcome = await serializeRounds(ROUNDS_PER_RUN, async () => {
    const targets = await roundSteps(cp, "60 seconds").lbClusterTargets({ clusterId: input.clusterId })
    await Promise.all(
      targets.map(async (t) => {
        const causes: Array<StatusCause> = []
        await onEveryNode(t.nodeIds, causes, (nodeId) =>
          node(nodeId, input.nodeTimeoutSeconds).ensureLb({ spec: t.spec, plan: false }),
        )
        await roundSteps(cp, "60 seconds").finishShardConverge({ shardId: t.shardId, causes })
      }),
    )
    return true
  })
  if (outcome === "more") await continueAsNew<typeof SyncLbWorkflow>(input)
}
