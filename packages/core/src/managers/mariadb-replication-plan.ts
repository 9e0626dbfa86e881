import type { DatabaseReplicationError, DatabaseReplicationStatus } from "../families/databases/activities.js"
import type { DatabaseReplicationSource } from "../families/databases/domain.js"

// GTID replication of a database shard, node side: the pure half, which decides how a replica
// fares, whether it may be promoted, demoted or reopened, whether it can follow a source or must
// be seeded, and renders the statements (values checked and quoted: no placeholders there). The
// service that runs them over the node's SqlPort is mariadb-replication.ts.

/** A replica this far behind (or more) is `lagging`, and not promoted. */
export const MAX_PROMOTE_LAG_SECONDS = 30

/** The source answered "I do not have the GTIDs you ask for": diverged, or purged from its binlog. */
export const ERR_SOURCE_LACKS_GTID = 1236

/** How a server's replication fares, as a shard's health check records it. */
export type ReplicaHealth =
  | { readonly state: "primary" }
  | { readonly state: "healthy"; readonly seconds_behind: number }
  | { readonly state: "lagging"; readonly seconds_behind: number | null }
  /** The source does not answer (or refuses the login): the IO thread keeps retrying. */
  | { readonly state: "connecting"; readonly error: string | null }
  /** Replication stopped; `needs_seed` when only a new seed can cure it (diverged, purged, a conflicting row). */
  | { readonly state: "failed"; readonly error: string; readonly needs_seed: boolean }

/** The verdict on one server's replication status. */
export const replicaHealth = (
  status: DatabaseReplicationStatus,
  maxLagSeconds: number = MAX_PROMOTE_LAG_SECONDS,
): ReplicaHealth => {
  const r = status.replica
  if (r === null) return { state: "primary" }
  if (!r.sql_running)
    return {
      state: "failed",
      error: r.last_sql_error?.message ?? r.last_io_error?.message ?? "the SQL thread is stopped",
      // an applier error (a conflicting or missing row) leaves the data unlike the source's
      needs_seed: r.last_sql_error !== null,
    }
  if (r.io_connecting) return { state: "connecting", error: r.last_io_error?.message ?? null }
  if (!r.io_running)
    return {
      state: "failed",
      error: r.last_io_error?.message ?? "the IO thread is stopped",
      needs_seed: r.last_io_error?.errno === ERR_SOURCE_LACKS_GTID,
    }
  if (r.seconds_behind === null || r.seconds_behind >= maxLagSeconds)
    return { state: "lagging", seconds_behind: r.seconds_behind }
  return { state: "healthy", seconds_behind: r.seconds_behind }
}

/**
 * Why this server must not be promoted, or undefined when it may: it is a replica whose SQL
 * thread runs without error, and either its IO thread runs less than `maxLagSeconds` behind, or
 * it is reconnecting to a source that does not answer (a dead primary is why one fails over).
 */
export const promotionRefusal = (
  status: DatabaseReplicationStatus,
  maxLagSeconds: number = MAX_PROMOTE_LAG_SECONDS,
): string | undefined => {
  const health = replicaHealth(status, maxLagSeconds)
  switch (health.state) {
    case "primary":
      return "it is not a replica"
    case "failed":
      return `its replication failed: ${health.error}`
    case "lagging":
      return health.seconds_behind === null
        ? "its lag is unknown"
        : `it is ${health.seconds_behind} s behind its primary (at most ${maxLagSeconds - 1} s allowed)`
    default:
      return undefined
  }
}

/** What following `source` takes from here. */
export type FollowDecision = "unchanged" | "follow" | "needs_seed"

/**
 * Whether a server can follow `source`: already does (both threads running: nothing to do); has a
 * history to continue (a replica of some source, or a server with transactions of its own, such as
 * a former primary: the source then checks it holds that history); or has none and needs a seed
 * (a new or wiped node: following from nothing would miss whatever predates the source's binlog).
 */
export const followDecision = (
  status: DatabaseReplicationStatus,
  source: DatabaseReplicationSource,
): FollowDecision => {
  const r = status.replica
  if (r === null) return status.gtid_current_pos === "" ? "needs_seed" : "follow"
  const same = r.source_host === source.host && r.source_port === source.port && r.source_user === source.user
  return same && r.io_running && r.sql_running ? "unchanged" : "follow"
}

type Replica = NonNullable<DatabaseReplicationStatus["replica"]>
const sameSource = (r: Replica, source: DatabaseReplicationSource) =>
  r.source_host === source.host && r.source_port === source.port && r.source_user === source.user
const stopped = (r: Replica) => !r.io_running && !r.io_connecting && !r.sql_running

/** What `demote` does with a server about to be replaced as its shard's primary. */
export type DemoteDecision = "demote" | "unchanged" | "replica"

/**
 * A primary is demoted; a server that already has `source` (the replica about to be promoted)
 * configured with replication stopped was demoted by an earlier attempt (`unchanged`); any other
 * replica takes no application writes (it is read-only), so there is nothing to stop (`replica`).
 */
export const demoteDecision = (
  status: DatabaseReplicationStatus,
  source: DatabaseReplicationSource,
): DemoteDecision => {
  const r = status.replica
  if (r === null) return "demote"
  return sameSource(r, source) && stopped(r) ? "unchanged" : "replica"
}

/**
 * Why a replica will not apply its primary's transactions up to `position` however long it is
 * given (it is no replica, or its applier stopped), else undefined (it has, or may yet).
 */
export const catchUpRefusal = (status: DatabaseReplicationStatus, position: string): string | undefined => {
  const r = status.replica
  if (r === null) return "it is not a replica"
  if (gtidCovers(r.gtid_slave_pos, position)) return undefined
  if (!r.sql_running) return `its replication failed: ${r.last_sql_error?.message ?? "the SQL thread is stopped"}`
  if (!r.io_running && !r.io_connecting && !gtidCovers(r.gtid_io_pos, position))
    return `its replication failed: ${r.last_io_error?.message ?? "the IO thread is stopped"}`
  return undefined
}

/**
 * Whether `reopen(source)` may open this server for writes: it is writable or has no source
 * (`unchanged`/`reopen`), or it is what `demote(source)` left (`reopen`); a server that follows
 * another source, or runs replication, is refused with why.
 */
export const reopenDecision = (
  status: DatabaseReplicationStatus,
  source: DatabaseReplicationSource,
): "unchanged" | "reopen" | { readonly refusal: string } => {
  const r = status.replica
  if (r === null) return status.read_only ? "reopen" : "unchanged"
  if (!sameSource(r, source)) return { refusal: `it replicates from ${r.source_host}:${r.source_port}` }
  if (!stopped(r)) return { refusal: `it runs replication from ${r.source_host}:${r.source_port}` }
  return "reopen"
}

const literal = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`
const SOURCE_HOST = /^[0-9A-Za-z.:-]{1,253}$/
const SOURCE_USER = /^[a-z_][a-z0-9_]{0,79}$/
const SOURCE_PASSWORD = /^[A-Za-z0-9_.~+/=-]{16,128}$/
const GTID = /^(?:\d+-\d+-\d+(?:,\d+-\d+-\d+)*)?$/

const check = (value: string, re: RegExp, what: string) => {
  if (!re.test(value)) throw new Error(`refusing to put ${what} into SQL`)
  return value
}

/**
 * The CHANGE MASTER statement for a source. MariaDB takes no placeholders there: every value was
 * allow-listed by the activity's schema, and is checked again and quoted here.
 */
export const changeMasterStatement = (source: DatabaseReplicationSource): string => {
  if (!Number.isInteger(source.port) || source.port < 1 || source.port > 65535)
    throw new Error("refusing to put the port into SQL")
  return [
    `CHANGE MASTER TO MASTER_HOST=${literal(check(source.host, SOURCE_HOST, "the host"))}`,
    `MASTER_PORT=${source.port}`,
    `MASTER_USER=${literal(check(source.user, SOURCE_USER, "the user"))}`,
    `MASTER_PASSWORD=${literal(check(source.password, SOURCE_PASSWORD, "the password"))}`,
    // a replica whose source went away retries every 10 s (the default, 60 s, slows a failover's rejoin)
    "MASTER_CONNECT_RETRY=10",
    "MASTER_USE_GTID=slave_pos",
  ].join(", ")
}

/** Whether position `applied` includes every transaction of `received` (per domain, sequence numbers). */
export const gtidCovers = (applied: string, received: string): boolean => {
  const seqs = (pos: string) =>
    new Map(
      pos
        .split(",")
        .filter((g) => g !== "")
        .map((g) => {
          const [domain, , seq] = g.split("-")
          return [domain ?? "", BigInt(seq ?? "0")] as const
        }),
    )
  const have = seqs(applied)
  return [...seqs(received)].every(([domain, seq]) => (have.get(domain) ?? -1n) >= seq)
}

/** `SET GLOBAL gtid_slave_pos` to a checked position. */
export const setSlavePosStatement = (position: string): string =>
  `SET GLOBAL gtid_slave_pos = ${literal(check(position, GTID, "the GTID position"))}`

/** A value the server answered, as text ("" for NULL). */
export const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v))
const threadError = (errno: unknown, message: unknown): DatabaseReplicationError | null =>
  Number(str(errno) || "0") === 0 ? null : { errno: Number(str(errno)), message: str(message) }

/** A status from `SELECT @@…` and `SHOW SLAVE STATUS` rows. */
export const replicationStatusOf = (
  vars: Record<string, unknown> | undefined,
  slave: Record<string, unknown> | undefined,
): DatabaseReplicationStatus => {
  const io = slave === undefined ? undefined : threadError(slave.Last_IO_Errno, slave.Last_IO_Error)
  const sql = slave === undefined ? undefined : threadError(slave.Last_SQL_Errno, slave.Last_SQL_Error)
  return {
    role: slave === undefined ? "primary" : "replica",
    server_id: Number(str(vars?.server_id) || "0"),
    read_only: Number(str(vars?.read_only) || "0") !== 0,
    gtid_current_pos: str(vars?.gtid_current_pos),
    gtid_binlog_pos: str(vars?.gtid_binlog_pos),
    replica:
      slave === undefined
        ? null
        : {
            source_host: str(slave.Master_Host),
            source_port: Number(str(slave.Master_Port) || "0"),
            source_user: str(slave.Master_User),
            io_running: str(slave.Slave_IO_Running) === "Yes",
            // "Preparing" is the moment between START SLAVE and the first connection attempt
            io_connecting: ["Connecting", "Preparing"].includes(str(slave.Slave_IO_Running)),
            sql_running: str(slave.Slave_SQL_Running) === "Yes",
            seconds_behind:
              slave.Seconds_Behind_Master === null || slave.Seconds_Behind_Master === undefined
                ? null
                : Number(slave.Seconds_Behind_Master),
            last_error: sql?.message ?? io?.message ?? null,
            last_io_error: io ?? null,
            last_sql_error: sql ?? null,
            gtid_slave_pos: str(vars?.gtid_slave_pos),
            gtid_io_pos: str(slave.Gtid_IO_Pos),
          },
  }
}

/** `SET GLOBAL read_only = ON`, waiting at most `seconds` for the statements that hold it up. */
export const readOnlyStatement = (seconds: number): string => {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
    throw new Error("refusing to put the lock wait into SQL")
  return `SET STATEMENT lock_wait_timeout=${seconds} FOR SET GLOBAL read_only = ON`
}
