import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, NotFound } from "../../domain/errors.js"
import { type NodeId, randomUuid, type ShardId } from "../../domain/ids.js"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../../domain/lifecycle.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Shard } from "../topology/domain.js"
import { agentTimeoutSeconds } from "../topology/service-node-probes.js"
import { Shards } from "../topology/service-shards.js"
import type { FailoverShardInput } from "./activities-replication.js"
import { ReplicationNode, ShardReplication } from "./domain-replication.js"

/** Workflow type of a database shard's failover, shared by starter and worker. */
export const FAILOVER_SHARD_WORKFLOW = "FailoverShardWorkflow"

/** A node's row of `database_replication` as the API reads it. */
export interface ReplicationRecord {
  readonly node_id: string
  readonly role: string | null
  readonly state: string
  readonly seconds_behind: number | null
  readonly io_running: boolean | null
  readonly sql_running: boolean | null
  readonly source_host: string | null
  readonly source_port: number | null
  readonly last_errno: number | null
  readonly last_error: string | null
  readonly needs_seed: boolean
  readonly checked_at: Date | null
}

/** The node a database shard's config names primary, if it is a node of the shard. */
const primaryOf = (shard: Shard): string | null => {
  const p = shard.config["primary_node_id"]
  return typeof p === "string" && (shard.node_ids as ReadonlyArray<string>).includes(p) ? p : null
}

/** Why the last check says this node cannot be promoted, or undefined when it may be (or was never checked). */
export const failoverRefusalOf = (row: ReplicationRecord | undefined): string | undefined => {
  if (row === undefined) return undefined
  const at = row.checked_at === null ? "" : ` (checked at ${row.checked_at.toISOString()})`
  switch (row.state) {
    case "primary":
      return `it is not a replica: it takes writes of its own${at}`
    case "failed":
      return row.role === "primary"
        ? `it is not a replica: ${row.last_error}${at}`
        : `its replication failed: ${row.last_errno === null ? "" : `error ${row.last_errno}: `}${row.last_error}${at}`
    case "lagging":
      return row.seconds_behind === null
        ? `its lag is unknown${at}`
        : `it is ${row.seconds_behind} s behind its primary${at}`
    case "unreachable":
      return `its agent did not answer: ${row.last_error}${at}`
    default:
      return undefined
  }
}

/**
 * A database shard's replication through the API: every node's last check, and the failover
 * that promotes a healthy replica (`FailoverShardWorkflow`, one at a time and never beside a
 * converge of the shard).
 */
export class ShardReplications extends Effect.Service<ShardReplications>()("@hosting/ShardReplications", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const engine = yield* WorkflowEngine
    const shards = yield* Shards
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds
    const decodeNode = rowDecoder(ReplicationNode)

    const rows = (id: ShardId) =>
      sql<ReplicationRecord>`SELECT ns.node_id::text AS node_id, r.role, COALESCE(r.state, 'unknown') AS state,
          r.seconds_behind, r.io_running, r.sql_running, r.source_host, r.source_port, r.last_errno, r.last_error,
          COALESCE(r.needs_seed, false) AS needs_seed, r.checked_at
        FROM node_shards ns LEFT JOIN database_replication r ON r.shard_id = ns.shard_id AND r.node_id = ns.node_id
        WHERE ns.shard_id = ${id} ORDER BY ns.node_id`.pipe(Effect.orDie)

    const databaseShard = <E>(id: ShardId, refuse: (role: string) => E) =>
      Effect.flatMap(shards.get(id), (shard) =>
        shard.role === "database" ? Effect.succeed(shard) : Effect.fail(refuse(shard.role)),
      )

    const get = Effect.fn("ShardReplications.get")(function* (id: ShardId) {
      const shard = yield* databaseShard(
        id,
        (role) => new NotFound({ message: `shard ${id} is a ${role} shard; only database shards replicate` }),
      )
      const primary = primaryOf(shard)
      const nodes = yield* Effect.forEach(yield* rows(id), ({ last_errno, last_error, ...row }) =>
        decodeNode({ ...row, last_error: last_error === null ? null : { errno: last_errno, message: last_error } }),
      )
      return ShardReplication.make({
        shard_id: id,
        primary_node_id: primary as NodeId | null,
        // the primary first, the replicas in node order
        nodes: [...nodes.filter((n) => n.node_id === primary), ...nodes.filter((n) => n.node_id !== primary)],
      })
    })

    const failover = Effect.fn("ShardReplications.failover")(function* (id: ShardId, nodeId: NodeId) {
      const shard = yield* databaseShard(
        id,
        (role) => new InvalidInput({ message: `only a database shard fails over; shard ${id} is a ${role} shard` }),
      )
      if (!(shard.node_ids as ReadonlyArray<string>).includes(nodeId))
        return yield* Effect.fail(new InvalidInput({ message: `node ${nodeId} is not a node of shard ${id}` }))
      const row = (yield* rows(id)).find((r) => r.node_id === nodeId && r.checked_at !== null)
      // a primary the config names that reports itself a replica (its config was changed by hand) may be promoted
      if (primaryOf(shard) === nodeId && row?.role !== "replica")
        return yield* Effect.fail(new Conflict({ message: `node ${nodeId} already is the primary of shard ${id}` }))
      // the last check refuses early; the node's own promote checks again when it runs
      const refusal = failoverRefusalOf(row)
      if (refusal !== undefined)
        return yield* Effect.fail(
          new Conflict({
            message: `node ${nodeId} is not a healthy replica: ${refusal}`,
            details: { state: row?.state, last_errno: row?.last_errno, last_error: row?.last_error },
          }),
        )
      // one failover or converge of a shard at a time: a converge that read the old primary would
      // make the new one follow it. A new id per failover: a finished run's id is never joined.
      const workflowId = workflowIdFor("shard", id, `failover-${randomUuid()}`)
      const started = yield* sql<{ id: string }>`UPDATE shards SET status = 'provisioning', status_message = NULL,
          status_details = NULL, last_operation = 'failover', workflow_id = ${workflowId}, updated_at = now()
        WHERE id = ${id} AND status <> 'provisioning' RETURNING id::text`.pipe(Effect.orDie)
      if (started.length === 0)
        return yield* Effect.fail(
          new Conflict({ message: `shard ${id} is converging or failing over; fail over when that is done` }),
        )
      const input: FailoverShardInput = { shardId: id, nodeId, nodeTimeoutSeconds }
      yield* engine
        .start({
          workflowType: FAILOVER_SHARD_WORKFLOW,
          workflowId,
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          args: [input],
        })
        .pipe(Effect.tapError((e) => shards.finish(id, [{ message: `could not start workflow: ${e.message}` }])))
      return yield* shards.get(id)
    })

    return { get, failover } as const
  }),
  dependencies: [Shards.Default],
}) {}
