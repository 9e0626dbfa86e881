/**
 * The databases family's control-plane activities and its serializer's input, as types:
 * workflows import them, the control-plane worker implements them (`activities/index.ts` joins
 * every family's). The node's are in activities.ts.
 */
import type { RoundOutcome } from "../../activities/index.js"
import type { DatabaseSpec } from "./domain.js"

/** What one round of a database's sync must do, read from the database. */
export interface DatabaseSnapshot {
  readonly databaseId: string
  readonly tenantId: string
  /** The database's name (`db_…`), for removal. */
  readonly name: string
  /** Its whole desired state (its live users, locked while the tenant is suspended); null when it is being deleted. */
  readonly spec: DatabaseSpec | null
  /** The nodes that apply it: the shard's primary, or every node of a shard that names none. */
  readonly nodeIds: ReadonlyArray<string>
  /** Why it cannot be applied at all (a shard without nodes), if so. */
  readonly problem: string | null
  /** The shard it is on (its row's `shard_id`). */
  readonly shardId: string
  /** The database shard a migration moves it to, when one is asked for (`migrate_to`). */
  readonly migrateTo: string | null
  /** The nodes of that shard that take the import (its primary, or every node); null without a migration. */
  readonly migrateNodeIds: ReadonlyArray<string> | null
  /** Row revisions read, so only rows nobody changed meanwhile become active. */
  readonly revisions: {
    readonly databases: ReadonlyArray<readonly [string, string]>
    readonly database_users: ReadonlyArray<readonly [string, string]>
  }
}

/** Workflow argument of SyncDatabaseWorkflow. */
export interface SyncDatabaseInput {
  readonly databaseId: string
  /** How long a round waits for each node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Database activities the control-plane worker serves. */
export interface DatabaseControlPlaneActivities {
  /** Reads one database's spec, nodes and row revisions, marking pending rows provisioning; null if gone. */
  databaseSnapshot(input: { readonly databaseId: string }): Promise<DatabaseSnapshot | null>
  /**
   * Records a database sync round: rows at their snapshot revision become active (or are
   * deleted), or failed; a migration that failed is forgotten (the database stays where it is).
   */
  finishDatabaseSync(input: { readonly snapshot: DatabaseSnapshot } & RoundOutcome): Promise<void>
  /**
   * Points a migrating database at its new shard (`shard_id` from `from` to `to`, `migrate_to`
   * cleared) once its copy there is complete; false when the row no longer says so.
   */
  switchDatabaseShard(input: {
    readonly databaseId: string
    readonly from: string
    readonly to: string
  }): Promise<boolean>
  /** What a database shard's converge pushes: every live database of the shard, per node that applies them. */
  databaseShardSpecs(input: { readonly shardId: string }): Promise<{
    readonly revision: string
    readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly databases: ReadonlyArray<DatabaseSpec> }>
  }>
  /** Asks the sync of every database of the shard changed after `revision` (a converge read an older state). */
  resyncDatabasesChangedSince(input: { readonly shardId: string; readonly revision: string }): Promise<number>
}
