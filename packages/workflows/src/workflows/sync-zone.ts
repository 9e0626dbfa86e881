import type { StatusCause, SyncZoneInput, ZoneSnapshot } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { onNode, roundSteps } from "./activities.js"
import { onEveryNode, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// one zone is one or two HTTP calls to the local PowerDNS
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "1 minute", heartbeat: true })

const round = async (snap: ZoneSnapshot, timeoutSeconds: number): Promise<Array<StatusCause>> => {
  if (snap.problem !== null) return [{ message: snap.problem }]
  const causes: Array<StatusCause> = []
  await onEveryNode(snap.nodeIds, causes, (nodeId) =>
    snap.rrsets === null
      ? node(nodeId, timeoutSeconds).removeZone({ zone: snap.zoneName })
      : node(nodeId, timeoutSeconds).ensureZone({ zone: snap.zoneName, rrsets: snap.rrsets }),
  )
  return causes
}

/**
 * The serializer of one zone (`zone:{id}:sync`): each round reads the zone's whole desired data
 * from the database (its records and the A/AAAA records of FQDNs bound under it), makes every DNS
 * node of the brand's clusters serve exactly that, and records the outcome; a signal during a
 * round asks for another, so changes never race and none is lost.
 */
export async function SyncZoneWorkflow(input: SyncZoneInput): Promise<void> {
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().zoneSnapshot({ zoneId: input.zoneId }),
    apply: (snap) => round(snap, input.nodeTimeoutSeconds),
    finish: (snapshot, causes) => roundSteps().finishZoneSync({ snapshot, causes }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncZoneWorkflow>(input)
}
