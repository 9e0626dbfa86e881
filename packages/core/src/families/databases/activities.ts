/**
 * Node activities of the database role (types only: workflows import them, the agent implements
 * them). Inputs and outputs are plain JSON; specs are the encoded DatabaseSpec.
 */
import type { DatabaseSpec } from "./domain.js"

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
 * One database's dump offered by its node for a migration: downloaded (for an hour) from the node's
 * database transfer listener with the secret token, checked against the SHA-256 (gzip'd SQL).
 */
export interface DatabaseDump {
  readonly database: string
  readonly url: string
  readonly token: string
  readonly sha256: string
  readonly bytes: number
}

/** A database server's replication as it sees it (no source configured: `replica` is null). */
export interface DatabaseReplicationStatus {
  readonly read_only: boolean
  /** `@@gtid_current_pos`: the transactions this server has applied or written. */
  readonly gtid_current_pos: string
  readonly replica: {
    readonly source_host: string
    readonly source_port: number
    readonly io_running: boolean
    readonly sql_running: boolean
    readonly seconds_behind: number | null
    readonly last_error: string | null
    readonly gtid_slave_pos: string
  } | null
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
  /** Dumps one database (a consistent snapshot, without stopping writes) and offers it for download. */
  dumpDatabase(input: { readonly name: string }): Promise<DatabaseDump>
  /**
   * Ensures the database and its users from `spec`, then downloads a dump made by another node,
   * checks it and loads it into that database.
   */
  importDatabase(input: { readonly spec: DatabaseSpec; readonly dump: DatabaseDump }): Promise<void>
  /** This server's replication state. */
  replicationStatus(): Promise<DatabaseReplicationStatus>
}
