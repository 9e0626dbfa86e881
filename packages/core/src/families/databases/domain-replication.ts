import { Schema } from "effect"
import { NodeId, ShardId } from "../../domain/ids.js"
import { strict } from "../../domain/validation.js"

/**
 * A database shard's replication as the API shows it (`GET /shards/{id}/replication`) and the
 * body of its failover. The rows come from the shard's replication check (the
 * `check-database-replication` schedule, and every converge and failover of the shard).
 */

/**
 * How a node's replication fares: core's `replicaHealth` verdict (`primary`, `healthy`, `lagging`,
 * `connecting`, `failed`), `unreachable` when its agent did not answer the check, `unknown` before
 * its first check. A writable server that is not the shard's primary is `failed` too.
 */
export const ReplicationState = Schema.Literal(
  "primary",
  "healthy",
  "lagging",
  "connecting",
  "failed",
  "unreachable",
  "unknown",
).annotations({ title: "ReplicationState" })
/** One of {@link ReplicationState}. */
export type ReplicationState = typeof ReplicationState.Type

/** The error a replication thread stopped (or keeps retrying) with, as the server reports it. */
export const ReplicationError = Schema.Struct({
  errno: Schema.NullOr(Schema.Int).annotations({ description: "the server's error number (1062, 1236, …)" }),
  message: Schema.String,
}).annotations({ title: "ReplicationError" })

/** One node of a database shard, as its last replication check saw it. */
export class ReplicationNode extends Schema.Class<ReplicationNode>("ReplicationNode")({
  node_id: NodeId,
  role: Schema.NullOr(Schema.Literal("primary", "replica")).annotations({
    description: "what the server said it is (replica: a replication source is configured); null before it answered",
  }),
  state: ReplicationState,
  seconds_behind: Schema.NullOr(Schema.Int).annotations({ description: "a replica's lag; null when unknown" }),
  io_running: Schema.NullOr(Schema.Boolean),
  sql_running: Schema.NullOr(Schema.Boolean),
  source_host: Schema.NullOr(Schema.String).annotations({ description: "the primary a replica reads from" }),
  source_port: Schema.NullOr(Schema.Int),
  last_error: Schema.NullOr(ReplicationError),
  needs_seed: Schema.Boolean.annotations({
    description: "only a new copy of the primary cures it (a conflicting row, a diverged or purged history)",
  }),
  checked_at: Schema.NullOr(Schema.String),
}) {}

/** Answer of GET /shards/{id}/replication: the shard's primary and every node's last check. */
export class ShardReplication extends Schema.Class<ShardReplication>("ShardReplication")({
  shard_id: ShardId,
  primary_node_id: Schema.NullOr(NodeId),
  nodes: Schema.Array(ReplicationNode),
}) {}

/** Body of POST /shards/{id}/failover: the healthy replica to promote to the shard's primary. */
export const FailoverShard = strict(Schema.Struct({ node_id: NodeId })).annotations({
  title: "FailoverShard",
  description: "node_id: the healthy replica of the shard to promote to its primary",
})
