// A MariaDB server's replication status as the agent reports it, for the tests of what is decided
// and recorded from it: a primary, and a caught-up replica that each test bends to its case.
import type { DatabaseReplicationStatus } from "../../../src/families/databases/activities.js"

/** What a replica's status says about its threads, its errors and its positions. */
export type ReplicaStatus = NonNullable<DatabaseReplicationStatus["replica"]>

/** A writable primary at GTID 0-1-10. */
export const primaryStatus: DatabaseReplicationStatus = {
  role: "primary",
  server_id: 1,
  read_only: false,
  gtid_current_pos: "0-1-10",
  gtid_binlog_pos: "0-1-10",
  replica: null,
}

/**
 * Replicas of `source`: read-only, both threads running, no lag and caught up to the primary's
 * 0-1-10; `over` changes what the test is about.
 */
export const replicaStatusOf =
  (source: { readonly host: string; readonly port: number; readonly user: string }) =>
  (over: Partial<ReplicaStatus> = {}): DatabaseReplicationStatus => ({
    ...primaryStatus,
    role: "replica",
    read_only: true,
    replica: {
      source_host: source.host,
      source_port: source.port,
      source_user: source.user,
      io_running: true,
      io_connecting: false,
      sql_running: true,
      seconds_behind: 0,
      last_error: null,
      last_io_error: null,
      last_sql_error: null,
      gtid_slave_pos: "0-1-10",
      gtid_io_pos: "0-1-10",
      ...over,
    },
  })
