import type {
  DatabaseReplicationCheck,
  DatabaseReplicationVerdict,
  DatabaseShardTopology,
  FailoverShardInput,
  StatusCause,
} from "@hosting/core/activities"
import type { DatabaseReplicaSeed, DatabaseReplicationSource } from "@hosting/core/node"
import { ActivityFailure, ApplicationFailure, patched } from "@temporalio/workflow"
import { controlPlane, onNode } from "./activities.js"
import { innerReasonOf, nodeCause } from "./serializer.js"

// A database shard's replication, driven from the control plane: its converge makes every node but
// the primary follow the primary (seeding those that cannot), its failover promotes a replica, and
// its check records what every node says. The replication password passes from the primary's
// `replicationSource` to the replicas' inputs only: never returned, logged or recorded.

const cp = controlPlane("60 seconds", { maximumAttempts: 10 })

/** What replication setup did on one node. */
export interface NodeReplicationOutcome {
  readonly node_id: string
  /** `primary`: the shard's primary; the rest as `followPrimary` answered, `seeded` after a new copy. */
  readonly outcome: "primary" | "unchanged" | "following" | "seeded"
}

// status, source and follow answer within seconds (follow waits 10 s at most for the source)
const quick = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "2 minutes", heartbeat: true })

// a seed is a dump of every platform database (offer) and its download and load (seed); a promote
// waits up to 60 s for the replica to apply what it received. The agent timeout bounds only the
// wait for the agent to take them, so a large shard's seed is not cut off by it.
const long = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "2 hours", heartbeat: true, attempts: 3 })

/** Whether a node activity failed with the node's refusal (a non-retryable ConfigRejected), not an outage. */
export const refusedByNode = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === "ConfigRejected"

/**
 * Makes nodes follow `primaryId`: a node its last check found beyond cure by following (an
 * applier error: its rows differ from the primary's) is seeded at once, any other follows and is
 * seeded only when it answers `needs_seed`. The primary's replication source (with the password)
 * is asked once; its seed only when a node needs one, once for all of them (an offer serves any
 * number of downloads for an hour).
 */
export const followerOf = (
  primaryId: string,
  timeoutSeconds: number,
  verdicts: ReadonlyArray<DatabaseReplicationVerdict>,
): ((nodeId: string) => Promise<NodeReplicationOutcome>) => {
  let source: Promise<DatabaseReplicationSource> | undefined
  let seed: Promise<DatabaseReplicaSeed> | undefined
  const broken = new Set(verdicts.filter((v) => v.needs_seed).map((v) => v.node_id))
  return async (nodeId) => {
    source ??= quick(primaryId, timeoutSeconds).replicationSource()
    const from = await source.catch((err: unknown) => {
      throw new Error(`the primary (node ${primaryId}) did not say how to reach it: ${innerReasonOf(err)}`)
    })
    if (!broken.has(nodeId)) {
      const followed = await quick(nodeId, timeoutSeconds).followPrimary(from)
      if (followed.outcome !== "needs_seed") return { node_id: nodeId, outcome: followed.outcome }
    }
    seed ??= long(primaryId, timeoutSeconds).offerReplicaSeed()
    const copy = await seed.catch((err: unknown) => {
      throw new Error(`the primary (node ${primaryId}) could not offer a seed: ${innerReasonOf(err)}`)
    })
    const seeded = await long(nodeId, timeoutSeconds).seedFromPrimary({ source: from, seed: copy })
    if (seeded.outcome === "needs_seed") throw new Error("the primary refused the position of its own seed")
    return { node_id: nodeId, outcome: "seeded" }
  }
}

/** Asks every node of a database shard for its replication status, records the answers and returns the verdicts. */
export const checkShardReplication = async (
  shard: DatabaseShardTopology,
  timeoutSeconds: number,
): Promise<ReadonlyArray<DatabaseReplicationVerdict>> => {
  const checks = await Promise.all(
    shard.nodeIds.map(async (nodeId): Promise<DatabaseReplicationCheck> => {
      try {
        const status = await onNode(nodeId, { timeoutSeconds, startToClose: "1 minute" }).replicationStatus()
        return { node_id: nodeId, status, error: null }
      } catch (err) {
        return { node_id: nodeId, status: null, error: `no answer from the node: ${innerReasonOf(err)}` }
      }
    }),
  )
  return await cp.recordDatabaseReplication({ shardId: shard.shardId, checkedAt: new Date().toISOString(), checks })
}

// a node that does not answer is recorded unreachable a minute later rather than hold up the rest
const CHECK_TIMEOUT_SECONDS = 20

/**
 * Every database shard's replication, node by node (the `check-database-replication` schedule):
 * `replicationStatus` on each node, recorded with `replicaHealth`'s verdict for
 * `GET /shards/{id}/replication`. Returns how many nodes answered.
 */
export async function CheckDatabaseReplicationWorkflow(): Promise<number> {
  const shards = await cp.databaseShardTopologies()
  const checked = await Promise.all(shards.map((s) => checkShardReplication(s, CHECK_TIMEOUT_SECONDS)))
  return checked.flat().filter((v) => v.state !== "unreachable").length
}

/** What a failover did: whether the target was promoted, and how every other node now follows it. */
export interface FailoverShardOutcome {
  promoted: boolean
  readonly nodes: Array<NodeReplicationOutcome>
  readonly causes: Array<StatusCause>
}

/**
 * How a planned failover stopped the old primary taking writes: `read_only` with the position the
 * target must reach, `not_primary` (it takes no writes: nothing to stop), `refused` (it could not
 * be made read-only), or `no_answer` (with the source it was sent: it may yet have been demoted).
 */
type Demotion =
  | { readonly kind: "read_only"; readonly source: DatabaseReplicationSource; readonly position: string }
  | { readonly kind: "not_primary" }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "no_answer"; readonly source: DatabaseReplicationSource | undefined }

/**
 * Stops the old primary taking writes for good (`demote`: read-only, the target as its source, not
 * started) and answers what the target must apply before it is promoted, so nothing an application
 * was told it wrote stays behind on the old primary.
 */
const demotePrimary = async (oldId: string, target: string, timeout: number): Promise<Demotion> => {
  let source: DatabaseReplicationSource | undefined
  try {
    source = await quick(target, timeout).replicationSource()
    const demoted = await quick(oldId, timeout).demote({ source })
    return demoted.outcome === "replica"
      ? { kind: "not_primary" }
      : { kind: "read_only", source, position: demoted.position }
  } catch (err) {
    if (source !== undefined && refusedByNode(err)) return { kind: "refused", reason: innerReasonOf(err) }
    return { kind: "no_answer", source }
  }
}

/**
 * Makes a replica the primary of its database shard (`POST /shards/{id}/failover`). When the old
 * primary answers (a planned failover) it is demoted first (see demotePrimary) and the target
 * applies everything it wrote (`catchUp`) before it is promoted, so no write is lost; a target that
 * then is not promoted leaves the old primary reopened. `promote` (the node refuses unless it is a
 * healthy replica: nothing changes then), `primary_node_id` set (databases' connection host follows
 * it), every other node made to follow it (seeded when it cannot continue its history; an old
 * primary that does not answer is made a replica by a later converge), the databases pushed to it
 * as a converge does, and the new state checked and recorded. The shard ends `active`, or `failed`
 * with each node's cause.
 */
export async function FailoverShardWorkflow(input: FailoverShardInput): Promise<FailoverShardOutcome> {
  const { shardId, nodeId: target, nodeTimeoutSeconds: timeout } = input
  const outcome: FailoverShardOutcome = { promoted: false, nodes: [], causes: [] }
  const shard = await cp.databaseShardTopology({ shardId })
  // the state it starts from, recorded: which followers need a seed rather than a new source
  const before = await checkShardReplication(shard, timeout)
  const old = shard.primaryNodeId
  // a primary that answers takes writes until it is told to stop; runs started before promoted
  // without stopping it, and replay so
  const demotion =
    old !== null &&
    old !== target &&
    before.some((v) => v.node_id === old && v.state !== "unreachable") &&
    patched("failover-demote-primary")
      ? await demotePrimary(old, target, timeout)
      : undefined
  if (old !== null && demotion?.kind === "refused")
    outcome.causes.push({
      node_id: old,
      message: `failover refused: the primary could not be stopped taking writes: ${demotion.reason}; nothing was changed`,
    })
  else
    try {
      if (demotion?.kind === "read_only") await long(target, timeout).catchUp({ position: demotion.position })
      await long(target, timeout).promote({})
      outcome.promoted = true
    } catch (err) {
      // the old primary takes writes again
      const undo = demotion?.kind === "read_only" || demotion?.kind === "no_answer" ? demotion.source : undefined
      const stuck =
        old === null || undo === undefined
          ? undefined
          : await quick(old, timeout)
              .reopen({ source: undo })
              .then(
                () => undefined,
                (e: unknown) => innerReasonOf(e),
              )
      const reason = `${refusedByNode(err) ? "failover refused" : "failover failed"}: ${innerReasonOf(err)}`
      outcome.causes.push({ node_id: target, message: stuck === undefined ? `${reason}; nothing was changed` : reason })
      if (old !== null && stuck !== undefined)
        outcome.causes.push({ node_id: old, message: `the primary was left read-only: ${stuck}` })
    }
  if (outcome.promoted) {
    // it takes writes now: it is the primary whatever happens next
    await cp.setDatabaseShardPrimary({ shardId, nodeId: target })
    outcome.nodes.push({ node_id: target, outcome: "primary" })
    const follow = followerOf(target, timeout, before)
    await Promise.all(
      shard.nodeIds
        .filter((n) => n !== target)
        .map(async (n) => {
          try {
            outcome.nodes.push(await follow(n))
          } catch (err) {
            outcome.causes.push({
              ...nodeCause(n, err),
              message: `not following the new primary: ${innerReasonOf(err)}`,
            })
          }
        }),
    )
    // a database written to the old primary after the new one stopped reading it is put back
    try {
      const specs = await cp.databaseShardSpecs({ shardId })
      const databases = specs.nodes.find((n) => n.nodeId === target)?.databases ?? []
      await quick(target, timeout).convergeDatabases({ databases, plan: false })
      await cp.resyncDatabasesChangedSince({ shardId, revision: specs.revision })
    } catch (err) {
      outcome.causes.push(nodeCause(target, err))
    }
  }
  await checkShardReplication(shard, timeout)
  await cp.finishShardConverge({ shardId, causes: outcome.causes })
  return outcome
}
