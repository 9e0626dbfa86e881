import type { ControlPlaneActivities, NodeActivities, SyncZoneInput, ZoneSnapshot } from "@hosting/core/activities"
import { continueAsNew, defineSignal, proxyActivities } from "@temporalio/workflow"
import { onEveryNode, serializeRounds } from "./serializer.js"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10 },
})

/** Sent by the API after it wrote a change of the zone, or of an FQDN under it (signal-with-start). */
export const zoneChangedSignal = defineSignal("changed")

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

const onNode = (nodeId: string, timeoutSeconds: number) =>
  proxyActivities<NodeActivities>({
    taskQueue: `node-${nodeId}`,
    // an agent killed mid-activity is retried once it is back, within the timeout
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    // one zone is one or two HTTP calls to the local PowerDNS
    startToCloseTimeout: "1 minute",
    heartbeatTimeout: "10 seconds",
    retry: { initialInterval: "500 milliseconds", maximumInterval: "5 seconds" },
  })

const round = async (snap: ZoneSnapshot, timeoutSeconds: number): Promise<Array<string>> => {
  if (snap.problem !== null) return [snap.problem]
  const errors: Array<string> = []
  await onEveryNode(snap.nodeIds, errors, (nodeId) => {
    const node = onNode(nodeId, timeoutSeconds)
    return snap.rrsets === null
      ? node.removeZone({ zone: snap.zoneName })
      : node.ensureZone({ zone: snap.zoneName, rrsets: snap.rrsets })
  })
  return errors
}

/**
 * The serializer of one zone (`zone:{id}:sync`): each round reads the zone's whole desired data
 * from the database (its records and the A/AAAA records of FQDNs bound under it), makes every DNS
 * node of the brand's clusters serve exactly that, and records the outcome; a signal during a
 * round asks for another, so changes never race and none is lost.
 */
export async function SyncZoneWorkflow(input: SyncZoneInput): Promise<void> {
  const outcome = await serializeRounds(zoneChangedSignal, ROUNDS_PER_RUN, async () => {
    const snap = await cp.zoneSnapshot({ zoneId: input.zoneId })
    if (snap === null) return false
    const errors = await round(snap, input.nodeTimeoutSeconds)
    await cp.finishZoneSync({ snapshot: snap, errors })
    return true
  })
  if (outcome === "more") await continueAsNew<typeof SyncZoneWorkflow>(input)
}
