import { DatabaseReplicationStates, NodeId, ShardId } from "@hosting/core"
import type { ControlPlaneActivities } from "@hosting/core/activities"
import { Effect, type ManagedRuntime, Schema } from "effect"
import { runActivity } from "./run.js"

const decodeShardId = Schema.decodeUnknown(ShardId)
const decodeNodeId = Schema.decodeUnknown(NodeId)

type DatabaseReplicationActivities = Pick<
  ControlPlaneActivities,
  "databaseShardTopologies" | "databaseShardTopology" | "recordDatabaseReplication" | "setDatabaseShardPrimary"
>

/** Database shards' replication, control-plane side: which nodes to check, their answers recorded, a new primary named. */
export const createDatabaseReplicationActivities = (
  runtime: ManagedRuntime.ManagedRuntime<DatabaseReplicationStates, never>,
): DatabaseReplicationActivities => ({
  databaseShardTopologies: () =>
    runActivity(
      runtime,
      Effect.flatMap(DatabaseReplicationStates, (r) => r.all),
    ),
  databaseShardTopology: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(DatabaseReplicationStates, (r) => r.topology(id))),
    ),
  recordDatabaseReplication: ({ shardId, checkedAt, checks }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) =>
        Effect.flatMap(DatabaseReplicationStates, (r) => r.record(id, checkedAt, checks)),
      ),
    ),
  setDatabaseShardPrimary: ({ shardId, nodeId }) =>
    runActivity(
      runtime,
      Effect.flatMap(Effect.all([decodeShardId(shardId), decodeNodeId(nodeId)]), ([s, n]) =>
        Effect.flatMap(DatabaseReplicationStates, (r) => r.setPrimary(s, n)),
      ),
    ),
})
