import { DatabaseStates, ShardId } from "@hosting/core"
import type { ControlPlaneActivities } from "@hosting/core/activities"
import { Effect, type ManagedRuntime, Schema } from "effect"
import { runActivity } from "./run.js"

const decodeShardId = Schema.decodeUnknown(ShardId)
const decodeUuid = Schema.decodeUnknown(Schema.UUID)

type DatabaseActivities = Pick<
  ControlPlaneActivities,
  | "databaseSnapshot"
  | "finishDatabaseSync"
  | "switchDatabaseShard"
  | "databaseShardSpecs"
  | "resyncDatabasesChangedSince"
>

/** The databases family's control-plane activities: its serializer's round steps and its shards' converge reads. */
export const createDatabaseActivities = (
  runtime: ManagedRuntime.ManagedRuntime<DatabaseStates, never>,
): DatabaseActivities => ({
  databaseSnapshot: ({ databaseId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeUuid(databaseId), (id) => Effect.flatMap(DatabaseStates, (d) => d.snapshot(id))),
    ),
  finishDatabaseSync: ({ snapshot, ...outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(DatabaseStates, (d) => d.finish(snapshot, outcome)),
    ),
  switchDatabaseShard: ({ databaseId, from, to }) =>
    runActivity(
      runtime,
      Effect.flatMap(Effect.all([decodeUuid(databaseId), decodeShardId(from), decodeShardId(to)]), ([id, f, t]) =>
        Effect.flatMap(DatabaseStates, (d) => d.switchShard(id, f, t)),
      ),
    ),
  databaseShardSpecs: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(DatabaseStates, (d) => d.shardSpecs(id))),
    ),
  resyncDatabasesChangedSince: ({ shardId, revision }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) =>
        Effect.flatMap(DatabaseStates, (d) => d.resyncChangedSince(id, revision)),
      ),
    ),
})
