/**
 * The control-plane side of a database shard's replication, as types: workflows import them, the
 * control-plane worker implements them (`activities/index.ts` joins every family's). The node's
 * replication activities are in activities.ts.
 */
import type { DatabaseReplicationStatus } from "./activities.js"
import type { ReplicationState } from "./domain-replication.js"

/** One node's answer to a replication check: its status, or why it gave none. */
export interface DatabaseReplicationCheck {
  readonly node_id: string
  readonly status: DatabaseReplicationStatus | null
  /** Why the node's agent gave no status (it did not answer, its server is down). */
  readonly error: string | null
}

/** How a node's replication fares, as a check recorded it (core's `replicaHealth`, and more). */
export interface DatabaseReplicationVerdict {
  readonly node_id: string
  readonly state: ReplicationState
  /** Only a new copy of the primary cures it: following again would stop at the same place. */
  readonly needs_seed: boolean
}

/** A database shard as its replication is driven: its nodes and the one its config names primary. */
export interface DatabaseShardTopology {
  readonly shardId: string
  readonly nodeIds: ReadonlyArray<string>
  /** `primary_node_id` when it names a node of the shard, else null. */
  readonly primaryNodeId: string | null
}

/** Workflow argument of FailoverShardWorkflow. */
export interface FailoverShardInput {
  readonly shardId: string
  /** The replica to promote. */
  readonly nodeId: string
  /** How long to wait for each node's agent before reporting it as failed. */
  readonly nodeTimeoutSeconds: number
}

/** Database replication activities the control-plane worker serves. */
export interface DatabaseReplicationControlPlaneActivities {
  /** Every database shard with nodes, for the replication check. */
  databaseShardTopologies(): Promise<ReadonlyArray<DatabaseShardTopology>>
  /** One database shard's nodes and primary. */
  databaseShardTopology(input: { readonly shardId: string }): Promise<DatabaseShardTopology>
  /**
   * Records what each node answered (`replicaHealth`'s verdict, lag, threads, last error), unless
   * a check made later is already recorded; nodes no longer in the shard lose their rows. Answers
   * each node's verdict.
   */
  recordDatabaseReplication(input: {
    readonly shardId: string
    /** When the answers were collected (ISO 8601). */
    readonly checkedAt: string
    readonly checks: ReadonlyArray<DatabaseReplicationCheck>
  }): Promise<ReadonlyArray<DatabaseReplicationVerdict>>
  /** Names a promoted node the shard's primary (`primary_node_id`): databases' connection host follows. */
  setDatabaseShardPrimary(input: { readonly shardId: string; readonly nodeId: string }): Promise<void>
}
