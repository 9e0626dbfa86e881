import type { ControlPlaneActivities, NodeActivities, TenantSnapshot } from "@hosting/core/activities"
import { continueAsNew, defineSignal, proxyActivities } from "@temporalio/workflow"
import { describeNodeError, onEveryNode, serializeRounds } from "./serializer.js"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10 },
})

/** Input of SyncTenantWorkflow. */
export interface SyncTenantInput {
  readonly tenantId: string
  /** How long a round waits for each node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Sent by the API after it wrote a change of the tenant (signal-with-start). */
export const changedSignal = defineSignal("changed")

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

const onNode = (nodeId: string, timeoutSeconds: number) =>
  proxyActivities<NodeActivities>({
    taskQueue: `node-${nodeId}`,
    // an agent killed mid-activity is retried once it is back, within the timeout
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    startToCloseTimeout: "5 minutes",
    // the agent heartbeats every second while it works: a killed agent is noticed in seconds
    heartbeatTimeout: "10 seconds",
    retry: { initialInterval: "500 milliseconds", maximumInterval: "5 seconds" },
  })

const round = async (snap: TenantSnapshot, timeoutSeconds: number): Promise<Array<string>> => {
  const errors: Array<string> = []
  const ensure = (nodeIds: ReadonlyArray<string>) =>
    onEveryNode(nodeIds, errors, (n) =>
      snap.spec === null
        ? onNode(n, timeoutSeconds).removeTenant({ tenant: snap.tenantName })
        : onNode(n, timeoutSeconds).ensureTenant({ spec: snap.spec }),
    )
  if (snap.migrateNodeIds === null) {
    if (snap.nodeIds.length === 0) errors.push("the tenant's shard has no nodes")
    else await ensure(snap.nodeIds)
    return errors
  }
  // migration: everything up on the target first, then the source is cleaned
  const target = snap.migrateNodeIds.filter((n) => !snap.nodeIds.includes(n))
  const source = snap.nodeIds.filter((n) => !snap.migrateNodeIds!.includes(n))
  if (snap.migrateNodeIds.length === 0) return ["the target shard has no nodes"]
  await ensure(snap.migrateNodeIds)
  if (errors.length > 0 || snap.spec === null) return errors
  const from = source[0] ?? snap.nodeIds[0]
  if (from !== undefined && target.length > 0) {
    try {
      const archive = await onNode(from, timeoutSeconds).exportTenantFiles({ tenant: snap.tenantName })
      await onEveryNode(target, errors, (n) =>
        onNode(n, timeoutSeconds).importTenantFiles({ tenant: snap.tenantName, archive }),
      )
    } catch (err) {
      errors.push(describeNodeError(from, err))
    }
  }
  if (errors.length > 0) return errors
  await onEveryNode(source, errors, (n) => onNode(n, timeoutSeconds).removeTenant({ tenant: snap.tenantName }))
  return errors
}

/**
 * The serializer of one tenant (`tenant:{id}:sync`): each round reads the tenant's whole desired
 * state from the database, ensures it on every node of its shard and records the outcome; a signal
 * during a round asks for another. Changes to one tenant therefore never race, and none is lost:
 * a signal that arrives as the workflow completes fails the completion and replays into a round.
 */
export async function SyncTenantWorkflow(input: SyncTenantInput): Promise<void> {
  const outcome = await serializeRounds(changedSignal, ROUNDS_PER_RUN, async () => {
    const snap = await cp.tenantSnapshot({ tenantId: input.tenantId })
    if (snap === null) return false
    const errors = await round(snap, input.nodeTimeoutSeconds)
    await cp.finishTenantSync({ snapshot: snap, errors })
    return true
  })
  if (outcome === "more") await continueAsNew<typeof SyncTenantWorkflow>(input)
}
