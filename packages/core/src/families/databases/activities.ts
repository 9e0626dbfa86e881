/**
 * Node activities of the database role (types only: workflows import them, the agent implements
 * them). Inputs and outputs are plain JSON; specs are the encoded DatabaseSpec.
 */
import type { DatabaseReplicationSource, DatabaseSpec } from "./domain.js"

/** What a database node changed (or would change). */
export interface DatabaseChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    /** `database`, `database_charset`, `database_user`, `database_password`, `database_lock`, `database_grant`. */
    readonly kind: string
    /** The database (`db_x`) or account (`'db_x_u'@'%'`) concerned. */
    readonly target: string
    readonly detail?: string
  }>
}

/** The server a database node runs, and what a database on it may be created with. */
export interface DatabaseServerInfo {
  readonly version: string
  readonly charsets: ReadonlyArray<{
    readonly name: string
    readonly default_collation: string
    readonly collations: ReadonlyArray<string>
  }>
}

/**
 * One database's dump offered by its node for a migration: for an hour, each request to the
 * node's transfer listener with the secret token streams a new consistent dump, every frame
 * authenticated with the key (HMAC-SHA256), which travels only through the workflow.
 */
export interface DatabaseDump {
  readonly database: string
  readonly url: string
  readonly token: string
  readonly key: string
}

/** A replication thread's last error as the server reports it (`Last_IO_Errno`/`Last_SQL_Errno`). */
export interface DatabaseReplicationError {
  readonly errno: number
  readonly message: string
}

/**
 * A database server's replication as it sees it. `role` is `replica` when a source is configured
 * (`replica` then says how it fares), `primary` otherwise; the verdict on it (healthy, lagging,
 * failed, needs a seed) is core's `replicaHealth`.
 */
export interface DatabaseReplicationStatus {
  readonly role: "primary" | "replica"
  readonly server_id: number
  readonly read_only: boolean
  /** `@@gtid_current_pos`: the transactions this server has applied or written. */
  readonly gtid_current_pos: string
  /** `@@gtid_binlog_pos`: the last transactions in its binlog (what its own replicas follow). */
  readonly gtid_binlog_pos: string
  readonly replica: {
    readonly source_host: string
    readonly source_port: number
    readonly source_user: string
    /** `Slave_IO_Running` is `Yes` (connected and reading the source's binlog). */
    readonly io_running: boolean
    /** `Slave_IO_Running` is `Connecting` (the source does not answer or refuses the login) or `Preparing` (starting). */
    readonly io_connecting: boolean
    readonly sql_running: boolean
    readonly seconds_behind: number | null
    /** The SQL thread's error, else the IO thread's, else null. */
    readonly last_error: string | null
    readonly last_io_error: DatabaseReplicationError | null
    readonly last_sql_error: DatabaseReplicationError | null
    /** `@@gtid_slave_pos`: the source's transactions applied here. */
    readonly gtid_slave_pos: string
    /** `Gtid_IO_Pos`: the source's transactions received (in the relay log), applied or not. */
    readonly gtid_io_pos: string
  } | null
}

/**
 * A copy of a primary's platform databases and accounts for a new or reset replica: one
 * consistent dump (`--single-transaction`) with the GTID position it was taken at, a file offered
 * on the primary's transfer listener (for an hour, by token, checked by its SHA-256).
 */
export interface DatabaseReplicaSeed {
  readonly url: string
  readonly token: string
  readonly sha256: string
  readonly bytes: number
  /** The primary's `gtid_binlog_pos` at the dump's snapshot: where the replica starts following. */
  readonly gtid_position: string
  readonly databases: ReadonlyArray<string>
}

/**
 * What `followPrimary` or `seedFromPrimary` did. `unchanged`: it already followed this source,
 * both threads running; `following`: (re)configured, and the source accepted its GTID position;
 * `needs_seed`: the source cannot continue this server's history (it has none, it diverged, or
 * the source purged the GTIDs it needs: error 1236) — it stays read-only and stopped until
 * `seedFromPrimary`.
 */
export interface DatabaseFollowReport {
  readonly outcome: "unchanged" | "following" | "needs_seed"
  readonly status: DatabaseReplicationStatus
}

/** What `promote` did: `unchanged` when the server already was a writable primary. */
export interface DatabasePromoteReport {
  readonly outcome: "unchanged" | "promoted"
  readonly status: DatabaseReplicationStatus
}

/**
 * What `demote` did to a primary about to be replaced: `demoted` (read-only now, the new primary
 * configured as its source, replication not started), `unchanged` (a retry: it already was so),
 * `replica` (it was not a primary: there was nothing it could take). `position` is its
 * `gtid_binlog_pos` once read-only: every transaction it will ever have written as a primary.
 */
export interface DatabaseDemoteReport {
  readonly outcome: "demoted" | "unchanged" | "replica"
  readonly position: string
  readonly status: DatabaseReplicationStatus
}

/** What `reopen` did: `reopened` (a demotion undone: writable, no source), `unchanged` (it was writable). */
export interface DatabaseReopenReport {
  readonly outcome: "reopened" | "unchanged"
  readonly status: DatabaseReplicationStatus
}

/** Activities a database node serves on its `node-{uuid}` task queue. */
export interface DatabaseNodeActivities {
  /** Makes one database exactly its spec: the database, exactly these users, their grants (idempotent). */
  ensureDatabase(input: { readonly spec: DatabaseSpec }): Promise<DatabaseChangeReport>
  /** Drops a database and every user of it (idempotent). */
  removeDatabase(input: { readonly name: string }): Promise<DatabaseChangeReport>
  /**
   * Makes this node's platform databases (`db_*`) exactly these, with their users; removes only
   * `db_*` databases and users nobody wants, never another schema; with `plan`, only reports.
   */
  convergeDatabases(input: {
    readonly databases: ReadonlyArray<DatabaseSpec>
    readonly plan: boolean
  }): Promise<DatabaseChangeReport>
  /** The server's version and the charsets and collations a database may use. */
  describeDatabaseServer(): Promise<DatabaseServerInfo>
  /** Offers one database's dump: each request streams a consistent snapshot, without stopping writes. */
  dumpDatabase(input: { readonly name: string }): Promise<DatabaseDump>
  /**
   * Ensures the database and its users from `spec`, then streams a dump offered by another node
   * into that database, checking each frame before it is loaded.
   */
  importDatabase(input: { readonly spec: DatabaseSpec; readonly dump: DatabaseDump }): Promise<void>
  /** This server's replication state. */
  replicationStatus(): Promise<DatabaseReplicationStatus>
  /**
   * How replicas of this node reach it: its address and replication account (a secret; see
   * DatabaseReplicationSource). Every node has the account, so any node can be made a primary.
   */
  replicationSource(): Promise<DatabaseReplicationSource>
  /**
   * Makes this node a read-only replica of `source` (GTID, `MASTER_USE_GTID=slave_pos`) and waits
   * (10 s at most) for the source to accept its position. Idempotent: following the same source
   * with both threads running changes nothing. A former primary continues from its own position.
   * A node with no history, or whose history the source does not hold, answers `needs_seed`.
   * Fails (retryable) when the source cannot be reached or refuses the login.
   */
  followPrimary(input: DatabaseReplicationSource): Promise<DatabaseFollowReport>
  /** Dumps this node's platform databases and accounts with their GTID position, for `seedFromPrimary`. */
  offerReplicaSeed(): Promise<DatabaseReplicaSeed>
  /**
   * Makes this node a fresh replica of `source` from its seed: read-only and stopped, downloads and
   * checks the seed (a bad one changes nothing), drops every platform database and account here,
   * loads the seed, clears its own binlog, starts following at the seed's position.
   */
  seedFromPrimary(input: {
    readonly source: DatabaseReplicationSource
    readonly seed: DatabaseReplicaSeed
  }): Promise<DatabaseFollowReport>
  /**
   * Makes this replica the primary: lets its SQL thread apply everything already received, stops
   * and forgets replication, opens it for writes. Refused (non-retryable) unless it is a healthy
   * replica (core's `promotionRefusal`) or `force` is set; a primary already is one (`unchanged`).
   */
  promote(input: { readonly force?: boolean }): Promise<DatabasePromoteReport>
  /**
   * Stops this primary taking writes before a replica is promoted in its place: read-only (a
   * write statement still running after a few seconds is killed; an open transaction can no longer
   * commit), then `source` (the replica about to be promoted) configured as its source, not
   * started. A restarted agent keeps it read-only (it has a source) and refuses platform changes
   * on it. Answers the binlog position the new primary must have applied. Refused
   * (non-retryable) when it cannot be made read-only.
   */
  demote(input: { readonly source: DatabaseReplicationSource }): Promise<DatabaseDemoteReport>
  /**
   * Waits (60 s at most) until this replica has applied every transaction up to `position` (its
   * primary's, once read-only). Refused (non-retryable) when it is not a replica, its applier
   * stopped, or it is still behind at the end.
   */
  catchUp(input: { readonly position: string }): Promise<DatabaseReplicationStatus>
  /**
   * Undoes `demote(source)` when the replica could not be promoted: the server is writable again
   * without a source. A server writable already is `unchanged`; one that follows another source, or
   * runs replication, is refused (non-retryable): that is no demotion of this failover's.
   */
  reopen(input: { readonly source: DatabaseReplicationSource }): Promise<DatabaseReopenReport>
}
