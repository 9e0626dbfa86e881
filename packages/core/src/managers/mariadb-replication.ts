import { Context, Effect } from "effect"
import type {
  DatabaseDemoteReport,
  DatabaseFollowReport,
  DatabasePromoteReport,
  DatabaseReopenReport,
  DatabaseReplicationError,
  DatabaseReplicationStatus,
} from "../families/databases/activities.js"
import { type DatabaseReplicationSource, databaseOfUser } from "../families/databases/domain.js"
import { quoteAccount } from "../families/databases/plan.js"
import { classifySqlFailure, DatabaseRejected, DatabaseUnavailable, SqlPort, type SqlValue } from "./mariadb.js"

// GTID replication of a database shard, node side. The pure half decides (how a replica fares,
// whether it may be promoted, whether it can follow a source or must be seeded); the service runs
// the statements over the node's SqlPort. The agent adds what needs the machine: the seed's dump
// and load, the replication account's password.

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

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v))
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

/**
 * How long replication steps wait on the server, and how often they look: `follow` for the source
 * to accept (or refuse) this server's position, `promote` for the SQL thread to apply what the
 * replica already received (a large relay log takes a while). Tests shorten them.
 */
export class ReplicationWaits extends Context.Reference<ReplicationWaits>()("@hosting/ReplicationWaits", {
  // lockWaitSeconds: how long `demote` lets running writes finish before it kills them (a web
  // request's statement takes milliseconds; a longer one would hold the failover up)
  defaultValue: () => ({ intervalMs: 50, followMs: 10_000, drainMs: 60_000, lockWaitSeconds: 5 }),
}) {}

/** `SET GLOBAL read_only = ON`, waiting at most `seconds` for the statements that hold it up. */
export const readOnlyStatement = (seconds: number): string => {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
    throw new Error("refusing to put the lock wait into SQL")
  return `SET STATEMENT lock_wait_timeout=${seconds} FOR SET GLOBAL read_only = ON`
}

/** The lock wait timeout: a statement of someone else's held the lock longer than allowed. */
const ERR_LOCK_WAIT_TIMEOUT = 1205

/**
 * A node's side of GTID replication over its SqlPort: its status, following a source (or seeing
 * that it needs a seed), finishing a seed, promotion, and the read-only rule (a server with a
 * source configured is read-only, any other is writable; applied at start, since every server
 * starts read-only).
 */
export class MariaDbReplication extends Effect.Service<MariaDbReplication>()("@hosting/MariaDbReplication", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlPort
    const q = (statement: string, params: ReadonlyArray<SqlValue> = []) =>
      sql.query(statement, params).pipe(Effect.mapError(classifySqlFailure))

    const status = Effect.fn("MariaDbReplication.status")(function* () {
      const [vars] = yield* q(
        "SELECT @@server_id AS server_id, @@read_only AS read_only, @@gtid_current_pos AS gtid_current_pos, @@gtid_binlog_pos AS gtid_binlog_pos, @@gtid_slave_pos AS gtid_slave_pos",
      )
      const [slave] = yield* q("SHOW SLAVE STATUS")
      return replicationStatusOf(vars, slave)
    })

    const setReadOnly = (on: boolean) => q(`SET GLOBAL read_only = ${on ? "ON" : "OFF"}`)

    /** Polls `status` until `done` says so, for at most `ms`; the last status either way. */
    const waitUntil = (done: (s: DatabaseReplicationStatus) => boolean, ms: number) =>
      Effect.gen(function* () {
        const { intervalMs } = yield* ReplicationWaits
        const deadline = Date.now() + ms
        let s = yield* status()
        while (!done(s) && Date.now() < deadline) {
          yield* Effect.sleep(intervalMs)
          s = yield* status()
        }
        return { done: done(s), status: s }
      })

    // The source accepted the position once it starts sending its binlog (the IO thread learns the
    // file name); a refusal stops the IO thread with the source's error.
    const accepted = (s: DatabaseReplicationStatus) =>
      s.replica?.io_running === true && s.replica.last_io_error === null
    const refused = (s: DatabaseReplicationStatus) =>
      s.replica !== null && !s.replica.io_running && !s.replica.io_connecting
    const masterLogKnown = Effect.fn("MariaDbReplication.masterLogKnown")(function* () {
      const [slave] = yield* q("SHOW SLAVE STATUS")
      return str(slave?.Master_Log_File) !== ""
    })

    /** CHANGE MASTER and START SLAVE from the current gtid_slave_pos, then waits for the verdict. */
    const startFollowing = Effect.fn("MariaDbReplication.startFollowing")(function* (
      source: DatabaseReplicationSource,
    ) {
      yield* q(changeMasterStatement(source))
      yield* q("START SLAVE")
      const { intervalMs, followMs } = yield* ReplicationWaits
      const deadline = Date.now() + followMs
      for (;;) {
        const s = yield* status()
        if (s.replica?.last_io_error?.errno === ERR_SOURCE_LACKS_GTID && !s.replica.io_running)
          return { outcome: "needs_seed", status: s } satisfies DatabaseFollowReport
        if (accepted(s) && (yield* masterLogKnown()))
          return { outcome: "following", status: s } satisfies DatabaseFollowReport
        if (refused(s) || Date.now() >= deadline)
          return yield* new DatabaseUnavailable({
            message: `${source.host}:${source.port} did not accept this replica: ${s.replica?.last_error ?? "no answer"}`,
          })
        yield* Effect.sleep(intervalMs)
      }
    })

    /** Makes this server a read-only replica of `source`, or says it needs a seed (see followDecision). */
    const follow = Effect.fn("MariaDbReplication.follow")(function* (source: DatabaseReplicationSource) {
      const before = yield* status()
      const decision = followDecision(before, source)
      if (decision === "needs_seed") return { outcome: "needs_seed", status: before } satisfies DatabaseFollowReport
      yield* setReadOnly(true)
      if (decision === "unchanged")
        return { outcome: "unchanged", status: { ...before, read_only: true } } satisfies DatabaseFollowReport
      if (before.replica !== null) yield* q("STOP SLAVE")
      // a former primary's history is in its binlog (its own writes and what it applied): it
      // continues from there, and the source refuses it (1236) if it does not hold that history
      else yield* q("SET GLOBAL gtid_slave_pos = @@gtid_current_pos")
      return yield* startFollowing(source)
    })

    /** Read-only, replication stopped and forgotten: the start of a seed (nothing follows a half-loaded copy). */
    const beginSeed = Effect.fn("MariaDbReplication.beginSeed")(function* () {
      yield* setReadOnly(true)
      yield* q("STOP SLAVE")
      yield* q("RESET SLAVE ALL")
    })

    /**
     * After a seed was loaded: the server's own binlog is cleared (what it held is another history,
     * which GTID strict mode would refuse to continue), then it follows from the seed's position.
     */
    const finishSeed = Effect.fn("MariaDbReplication.finishSeed")(function* (
      source: DatabaseReplicationSource,
      position: string,
    ) {
      yield* q("RESET MASTER")
      yield* q(setSlavePosStatement(position))
      return yield* startFollowing(source)
    })

    /** Opens a replica for writes as the new primary (see promotionRefusal); a primary stays one. */
    const promote = Effect.fn("MariaDbReplication.promote")(function* (force: boolean) {
      const before = yield* status()
      if (before.replica === null) {
        if (before.read_only) yield* setReadOnly(false)
        return {
          outcome: before.read_only ? "promoted" : "unchanged",
          status: { ...before, read_only: false },
        } satisfies DatabasePromoteReport
      }
      const refusal = promotionRefusal(before)
      if (refusal !== undefined && !force)
        return yield* new DatabaseRejected({ message: `this node cannot be promoted: ${refusal}` })
      // what the replica received but has not applied yet is applied before it takes writes
      yield* q("STOP SLAVE IO_THREAD")
      if (before.replica.sql_running) {
        const drained = yield* waitUntil(
          (s) =>
            s.replica === null || !s.replica.sql_running || gtidCovers(s.replica.gtid_slave_pos, s.replica.gtid_io_pos),
          (yield* ReplicationWaits).drainMs,
        )
        if (!drained.done && !force)
          return yield* new DatabaseUnavailable({ message: "the replica is still applying what it received" })
      }
      yield* q("STOP SLAVE")
      yield* q("RESET SLAVE ALL")
      yield* setReadOnly(false)
      return { outcome: "promoted", status: yield* status() } satisfies DatabasePromoteReport
    })

    // Platform users' statements that run: a write among them holds read_only up. Killing the
    // statement rolls it back; its application gets an error, nothing it was told was written.
    const killPlatformStatements = Effect.fn("MariaDbReplication.killPlatformStatements")(function* () {
      const running = yield* q(
        "SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND USER LIKE ?",
        ["db\\_%"],
      )
      for (const t of running) {
        const id = Number(str(t.id))
        if (databaseOfUser(str(t.user)) === undefined || !Number.isSafeInteger(id) || id < 1) continue
        yield* sql.query(`KILL QUERY ${id}`).pipe(
          // it may have ended meanwhile (1094: unknown thread)
          Effect.catchIf(
            (e) => e.errno === 1094,
            () => Effect.succeed([]),
          ),
          Effect.mapError(classifySqlFailure),
        )
      }
    })

    /**
     * read_only on, waiting out the writes that run for a few seconds, then killing what still
     * runs and trying once more. Applications' open transactions cannot commit from then on
     * (1290); the admin account (SUPER) still could, so the node's own changes are refused too.
     */
    const stopWrites = Effect.fn("MariaDbReplication.stopWrites")(function* () {
      const { lockWaitSeconds } = yield* ReplicationWaits
      const attempt = sql.query(readOnlyStatement(lockWaitSeconds))
      const first = yield* Effect.either(attempt)
      if (first._tag === "Right") return
      if (first.left.errno !== ERR_LOCK_WAIT_TIMEOUT) return yield* classifySqlFailure(first.left)
      yield* killPlatformStatements()
      const second = yield* Effect.either(attempt)
      if (second._tag === "Right") return
      return yield* second.left.errno === ERR_LOCK_WAIT_TIMEOUT
        ? new DatabaseRejected({
            message: `this node could not be made read-only: a statement still held it up ${lockWaitSeconds} s after the platform users' statements were killed`,
          })
        : classifySqlFailure(second.left)
    })

    /**
     * Makes this primary stop taking writes for good before `source` is promoted in its place (see
     * demoteDecision): read-only, then `source` configured, not started, from this server's own
     * position, so the rule applied at a restart keeps it read-only and the node refuses
     * platform changes; `followPrimary(source)` later starts it. Answers its binlog's position.
     */
    const demote = Effect.fn("MariaDbReplication.demote")(function* (source: DatabaseReplicationSource) {
      const before = yield* status()
      const decision = demoteDecision(before, source)
      if (decision === "demote") {
        yield* stopWrites()
        yield* q("SET GLOBAL gtid_slave_pos = @@gtid_current_pos")
        yield* q(changeMasterStatement(source))
      }
      const after = decision === "demote" ? yield* status() : before
      return {
        outcome: decision === "demote" ? "demoted" : decision,
        position: after.gtid_binlog_pos,
        status: after,
      } satisfies DatabaseDemoteReport
    })

    /** Waits until this replica applied its primary's transactions up to `position` (see catchUpRefusal). */
    const catchUp = Effect.fn("MariaDbReplication.catchUp")(function* (position: string) {
      const { drainMs } = yield* ReplicationWaits
      const { status: last } = yield* waitUntil(
        (s) => catchUpRefusal(s, position) !== undefined || gtidCovers(s.replica?.gtid_slave_pos ?? "", position),
        drainMs,
      )
      const refusal = catchUpRefusal(last, position)
      if (refusal !== undefined)
        return yield* new DatabaseRejected({ message: `this node cannot take over: ${refusal}` })
      if (!gtidCovers(last.replica?.gtid_slave_pos ?? "", position))
        return yield* new DatabaseRejected({
          message: `this node cannot take over: after ${drainMs / 1000} s it has applied ${last.replica?.gtid_slave_pos || "nothing"} of its primary's ${position}`,
        })
      return last
    })

    /** Undoes `demote(source)` (see reopenDecision): writable again, without a source. */
    const reopen = Effect.fn("MariaDbReplication.reopen")(function* (source: DatabaseReplicationSource) {
      const before = yield* status()
      const decision = reopenDecision(before, source)
      if (typeof decision === "object")
        return yield* new DatabaseRejected({ message: `this node was not reopened: ${decision.refusal}` })
      if (decision === "unchanged") return { outcome: "unchanged", status: before } satisfies DatabaseReopenReport
      if (before.replica !== null) yield* q("RESET SLAVE ALL")
      yield* setReadOnly(false)
      return { outcome: "reopened", status: yield* status() } satisfies DatabaseReopenReport
    })

    /** The read-only rule, applied when the server (re)starts: read-only exactly when it has a source. */
    const settleReadOnly = Effect.fn("MariaDbReplication.settleReadOnly")(function* () {
      const s = yield* status()
      if (s.read_only !== (s.replica !== null)) yield* setReadOnly(s.replica !== null)
    })

    /** Refuses a change to the platform's databases on a replica: changes go to the primary and replicate. */
    const refuseOnReplica = Effect.fn("MariaDbReplication.refuseOnReplica")(function* () {
      const [slave] = yield* q("SHOW SLAVE STATUS")
      if (slave !== undefined)
        return yield* new DatabaseRejected({
          message: `this node is a replica of ${str(slave.Master_Host)}:${str(slave.Master_Port)}; change the databases on its primary`,
        })
    })

    /**
     * The platform's accounts (users of `db_*` databases) as statements that re-create them with
     * their password hashes, lock state and grants, as the server itself prints them.
     */
    const accountStatements = Effect.fn("MariaDbReplication.accountStatements")(function* () {
      const accounts = yield* q("SELECT User AS name, Host AS host FROM mysql.global_priv WHERE User LIKE ?", [
        "db\\_%",
      ])
      const out: Array<string> = []
      for (const a of accounts) {
        if (databaseOfUser(str(a.name)) === undefined) continue
        const account = quoteAccount(str(a.name), str(a.host))
        const [create] = yield* q(`SHOW CREATE USER ${account}`)
        out.push(str(Object.values(create ?? {})[0]))
        for (const g of yield* q(`SHOW GRANTS FOR ${account}`)) out.push(str(Object.values(g)[0]))
      }
      return out
    })

    return {
      status,
      follow,
      beginSeed,
      finishSeed,
      promote,
      demote,
      catchUp,
      reopen,
      settleReadOnly,
      refuseOnReplica,
      accountStatements,
    } as const
  }),
}) {}
