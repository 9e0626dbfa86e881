import type { DatabaseSnapshot, StatusCause, SyncDatabaseInput } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { onNode, roundSteps } from "./activities.js"
import { innerReasonOf, onEveryNode, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// one database is a handful of statements on the node's own MariaDB
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "1 minute", heartbeat: true })

// An import streams the whole database (the source dumps as the target loads): it takes as long
// as the database is large. The agent timeout bounds only the wait for the agent to take it (a
// stopped agent fails the migration that soon), the heartbeat notices an agent that dies
// mid-way, and a failure is tried twice more, each time from a new dump, before the migration
// gives up (a refusal, such as a replica, at once). The dump step only makes the offer.
const transfer = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "6 hours", heartbeat: true, attempts: 3 })

/** A migration step's failure on a node, saying which step. */
const stepCause = (nodeId: string, step: string, err: unknown): StatusCause => ({
  node_id: nodeId,
  message: `migration: ${step}: ${innerReasonOf(err)}`,
})

/** Runs a migration step on every node at once, collecting each node's failure. */
const onEach = (
  nodeIds: ReadonlyArray<string>,
  causes: Array<StatusCause>,
  step: string,
  f: (nodeId: string) => Promise<unknown>,
) =>
  Promise.all(
    nodeIds.map(async (n) => {
      try {
        await f(n)
      } catch (err) {
        causes.push(stepCause(n, step, err))
      }
    }),
  )

/**
 * A migration round: the source's primary dumps the database (one consistent snapshot), the
 * target's primary (or every node of a target naming none) imports it with the users and grants
 * of the spec, the row moves to the new shard, and only then is the source's copy removed. Until
 * the row moves the source serves; a failure before that removes whatever reached the target.
 */
const migrate = async (
  snap: DatabaseSnapshot,
  spec: NonNullable<DatabaseSnapshot["spec"]>,
  migrateTo: string,
  targets: ReadonlyArray<string>,
  timeoutSeconds: number,
): Promise<Array<StatusCause>> => {
  if (targets.length === 0) return [{ message: `migration: database shard ${migrateTo} has no nodes` }]
  // a node in both shards already holds the database: it neither imports it nor loses it
  const importers = targets.filter((n) => !snap.nodeIds.includes(n))
  const sources = snap.nodeIds.filter((n) => !targets.includes(n))
  const causes: Array<StatusCause> = []
  const from = snap.nodeIds[0]!
  if (importers.length > 0) {
    try {
      const dump = await transfer(from, timeoutSeconds).dumpDatabase({ name: snap.name })
      await onEach(importers, causes, "import", (n) => transfer(n, timeoutSeconds).importDatabase({ spec, dump }))
    } catch (err) {
      causes.push(stepCause(from, "dump", err))
    }
  }
  let switched = false
  if (causes.length === 0) {
    try {
      switched = await roundSteps().switchDatabaseShard({
        databaseId: snap.databaseId,
        from: snap.shardId,
        to: migrateTo,
      })
      if (!switched) causes.push({ message: "migration: the database's row changed meanwhile; it stays where it was" })
    } catch (err) {
      causes.push({ message: `migration: moving the row: ${innerReasonOf(err)}` })
    }
  }
  if (!switched) {
    // the source still serves: nothing of the attempt may stay on the target
    await onEach(importers, causes, "removing the copy on the target", (n) =>
      node(n, timeoutSeconds).removeDatabase({ name: snap.name }),
    )
    return causes
  }
  await onEach(sources, causes, "moved, but removing it from the old shard failed", (n) =>
    node(n, timeoutSeconds).removeDatabase({ name: snap.name }),
  )
  return causes
}

const round = async (snap: DatabaseSnapshot, timeoutSeconds: number): Promise<Array<StatusCause>> => {
  // a database being deleted from a shard without nodes is simply gone
  if (snap.problem !== null && snap.spec !== null) return [{ message: snap.problem }]
  // (snapshots recorded before migrations existed have no migrateTo)
  if (snap.spec !== null && snap.migrateTo != null) {
    return migrate(snap, snap.spec, snap.migrateTo, snap.migrateNodeIds ?? [], timeoutSeconds)
  }
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
 * during a round asks for another, so changes never race and none is lost. A migration is a
 * round too: changes asked meanwhile wait for it and go to wherever it left the database.
 */
export async function SyncDatabaseWorkflow(input: SyncDatabaseInput): Promise<void> {
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().databaseSnapshot({ databaseId: input.databaseId }),
    apply: (snap) => round(snap, input.nodeTimeoutSeconds),
    finish: (snapshot, causes) => roundSteps().finishDatabaseSync({ snapshot, causes }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncDatabaseWorkflow>(input)
}
