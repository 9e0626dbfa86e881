import type { ControlPlaneActivities, NodeActivities, SyncZoneInput, ZoneSnapshot } from "@hosting/core/activities"
import { continueAsNew, defineSignal, proxyActivities, setHandler } from "@temporalio/workflow"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10 },
})

/** Sent by the API after it wrote a change of the zone, or of an FQDN under it (signal-with-start). */
export const zoneChangedSignal = defineSignal("changed")

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

const describe = (nodeId: string, err: unknown): string => {
  const cause = (err as { cause?: { message?: string } }).cause?.message
  return `node ${nodeId}: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ""}`
}

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
  await Promise.all(
    snap.nodeIds.map(async (nodeId) => {
      try {
        const node = onNode(nodeId, timeoutSeconds)
        if (snap.rrsets === null) await node.removeZone({ zone: snap.zoneName })
        else await node.ensureZone({ zone: snap.zoneName, rrsets: snap.rrsets })
      } catch (err) {
        errors.push(describe(nodeId, err))
      }
    }),
  )
  return errors
}

/**
 * The serializer of one zone (`zone:{id}:sync`): each round reads the zone's whole desired data
 * from the database (its records and the A/AAAA records of FQDNs bound under it), makes every DNS
 * node of the brand's clusters serve exactly that, and records the outcome; a signal during a
 * round asks for another, so changes never race and none is lost.
 */
export async function SyncZoneWorkflow(input: SyncZoneInput): Promise<void> {
  let dirty = true
  setHandler(zoneChangedSignal, () => {
    dirty = true
  })
  for (let i = 0; i < ROUNDS_PER_RUN; i++) {
    if (!dirty) return
    dirty = false
    const snap = await cp.zoneSnapshot({ zoneId: input.zoneId })
    if (snap === null) return
    const errors = await round(snap, input.nodeTimeoutSeconds)
    await cp.finishZoneSync({ snapshot: snap, errors })
  }
  await continueAsNew<typeof SyncZoneWorkflow>(input)
}
