import { Context, Effect } from "effect"
import type {
  DatabaseDemoteReport,
  DatabaseFollowReport,
  DatabasePromoteReport,
  DatabaseReopenReport,
  DatabaseReplicationStatus,
} from "../families/databases/activities.js"
import { type DatabaseReplicationSource, databaseOfUser } from "../families/databases/domain.js"
import { quoteAccount } from "../families/databases/plan.js"
import { classifySqlFailure, DatabaseRejected, DatabaseUnavailable, SqlPort, type SqlValue } from "./mariadb.js"
import {
  catchUpRefusal,
  changeMasterStatement,
  demoteDecision,
  ERR_SOURCE_LACKS_GTID,
  followDecision,
  gtidCovers,
  promotionRefusal,
  readOnlyStatement,
  reopenDecision,
  replicationStatusOf,
  setSlavePosStatement,
  str,
} from "./mariadb-replication-plan.js"

// The service half of GTID replication: it runs the statements over the node's SqlPort. The pure
// half, which decides, is mariadb-replication-plan.ts (exported from here too). The agent adds
// what needs the machine: the seed's dump and load, the replication account's password.
export * from "./mariadb-replication-plan.js"

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
