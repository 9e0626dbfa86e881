import type { DatabaseSnapshot, StatusCause, SyncDatabaseInput } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { onNode, roundSteps } from "./activities.js"
import { onEveryNode, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// one database is a handful of statements on the node's own MariaDB
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "1 minute", heartbeat: true })

const round = async (snap: DatabaseSnapshot, timeoutSeconds: number): Promise<Array<StatusCause>> => {
  // a database being deleted from a shard without nodes is simply gone
  if (snap.problem !== null && snap.spec !== null) return [{ message: snap.problem }]
  const causes: Array<StatusCause> = []
  await onEveryNode(snap.nodeIds, causes, (nodeId) =>
    snap.spec === null
      ? node(nodeId, timeoutSeconds).removeDatabase({ name: snap.name })
      : node(nodeId, timeoutSeconds).ensureDatabase({ spec: snap.spec }),
  )
  return causes
}

/**
 * The serializer of one database (`database:{id}:sync`): each round reads the database's whole
 * desired state (its users, locked while its tenant is suspended), makes the shard's primary (or
 * every node of a shard naming none) hold exactly that, and records the outcome; a signal
 * during a round asks for another, so changes never race and none is lost.
 */
export async function SyncDatabaseWorkflow(input: SyncDatabaseInput): Promise<void> {
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().databaseSnapshot({ databaseId: input.databaseId }),
    apply: (snap) => round(snap, input.nodeTimeoutSeconds),
    finish: (snapshot, causes) => roundSteps().finishDatabaseSync({ snapshot, causes }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncDatabaseWorkflow>(input)
}
