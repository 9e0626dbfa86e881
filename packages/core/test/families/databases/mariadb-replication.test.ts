// Replication decisions (pure) and MariaDbReplication over the in-memory server; the real thing
// runs in test/integration/database-replication.test.ts.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { DatabaseReplicationSource, mysqlNativePasswordHash } from "../../../src/families/databases/domain.js"
import {
  catchUpRefusal,
  changeMasterStatement,
  demoteDecision,
  followDecision,
  gtidCovers,
  MariaDbReplication,
  promotionRefusal,
  ReplicationWaits,
  readOnlyStatement,
  reopenDecision,
  replicaHealth,
} from "../../../src/managers/mariadb-replication.js"
import { FakeMariaDb } from "./fake-mariadb.js"
import { primaryStatus as primary, replicaStatusOf } from "./replication-status.js"

const SOURCE = { host: "10.0.0.2", port: 3306, user: "hosting_repl", password: "0123456789abcdef0123456789abcdef" }

const replica = replicaStatusOf(SOURCE)
const duplicate = { errno: 1062, message: "Duplicate entry '4' for key 'PRIMARY'" }
const diverged = { errno: 1236, message: "the slave has diverged" }
const refused = { errno: 2003, message: "Can't connect" }

describe("replication decisions", () => {
  it("judges a server's replication", () => {
    expect(replicaHealth(primary)).toEqual({ state: "primary" })
    expect(replicaHealth(replica())).toEqual({ state: "healthy", seconds_behind: 0 })
    expect(replicaHealth(replica({ seconds_behind: 30 }))).toEqual({ state: "lagging", seconds_behind: 30 })
    expect(replicaHealth(replica({ seconds_behind: 3 }), 3)).toEqual({ state: "lagging", seconds_behind: 3 })
    expect(replicaHealth(replica({ sql_running: false, last_sql_error: duplicate }))).toEqual({
      state: "failed",
      error: duplicate.message,
      needs_seed: true,
    })
    expect(replicaHealth(replica({ io_running: false, last_io_error: diverged }))).toEqual({
      state: "failed",
      error: diverged.message,
      needs_seed: true,
    })
    expect(replicaHealth(replica({ io_running: false }))).toEqual({
      state: "failed",
      error: "the IO thread is stopped",
      needs_seed: false,
    })
    expect(replicaHealth(replica({ io_running: false, io_connecting: true, last_io_error: refused }))).toEqual({
      state: "connecting",
      error: refused.message,
    })
  })

  it("promotes only a healthy replica, or one whose source does not answer", () => {
    expect(promotionRefusal(replica())).toBeUndefined()
    expect(
      promotionRefusal(replica({ io_running: false, io_connecting: true, last_io_error: refused })),
    ).toBeUndefined()
    expect(promotionRefusal(primary)).toBe("it is not a replica")
    expect(promotionRefusal(replica({ seconds_behind: 45 }))).toBe(
      "it is 45 s behind its primary (at most 29 s allowed)",
    )
    expect(promotionRefusal(replica({ sql_running: false, last_sql_error: duplicate }))).toBe(
      `its replication failed: ${duplicate.message}`,
    )
  })

  it("follows a source only from a history it has", () => {
    expect(followDecision(replica(), SOURCE)).toBe("unchanged")
    expect(followDecision(replica(), { ...SOURCE, host: "10.0.0.3" })).toBe("follow")
    expect(followDecision(replica({ sql_running: false }), SOURCE)).toBe("follow")
    expect(followDecision(primary, SOURCE)).toBe("follow")
    expect(followDecision({ ...primary, gtid_current_pos: "", gtid_binlog_pos: "" }, SOURCE)).toBe("needs_seed")
  })

  it("demotes a primary once; a replica takes no writes and is left as it is", () => {
    const stoppedAt = replica({ io_running: false, sql_running: false, seconds_behind: null })
    expect(demoteDecision(primary, SOURCE)).toBe("demote")
    expect(demoteDecision(stoppedAt, SOURCE)).toBe("unchanged")
    expect(demoteDecision(stoppedAt, { ...SOURCE, host: "10.0.0.3" })).toBe("replica")
    expect(demoteDecision(replica(), SOURCE)).toBe("replica")
  })

  it("reopens only what a demotion left", () => {
    const stoppedAt = replica({ io_running: false, sql_running: false, seconds_behind: null })
    expect(reopenDecision(primary, SOURCE)).toBe("unchanged")
    expect(reopenDecision({ ...primary, read_only: true }, SOURCE)).toBe("reopen")
    expect(reopenDecision(stoppedAt, SOURCE)).toBe("reopen")
    expect(reopenDecision(stoppedAt, { ...SOURCE, port: 3307 })).toEqual({
      refusal: "it replicates from 10.0.0.2:3306",
    })
    expect(reopenDecision(replica(), SOURCE)).toEqual({ refusal: "it runs replication from 10.0.0.2:3306" })
  })

  it("waits for a replica to catch up only while it can", () => {
    expect(catchUpRefusal(replica({ gtid_slave_pos: "0-1-12" }), "0-1-12")).toBeUndefined()
    expect(catchUpRefusal(replica({ gtid_slave_pos: "0-1-11", gtid_io_pos: "0-1-12" }), "0-1-12")).toBeUndefined()
    expect(
      catchUpRefusal(replica({ gtid_slave_pos: "0-1-11", io_connecting: true, io_running: false }), "0-1-12"),
    ).toBeUndefined()
    expect(catchUpRefusal(primary, "0-1-12")).toBe("it is not a replica")
    expect(
      catchUpRefusal(replica({ gtid_slave_pos: "0-1-11", sql_running: false, last_sql_error: duplicate }), "0-1-12"),
    ).toBe(`its replication failed: ${duplicate.message}`)
    expect(
      catchUpRefusal(replica({ gtid_slave_pos: "0-1-11", gtid_io_pos: "0-1-11", io_running: false }), "0-1-12"),
    ).toBe("its replication failed: the IO thread is stopped")
    // what it already received it applies, whatever its IO thread does
    expect(
      catchUpRefusal(replica({ gtid_slave_pos: "0-1-11", gtid_io_pos: "0-1-12", io_running: false }), "0-1-12"),
    ).toBeUndefined()
  })

  it("bounds the wait for read-only, and puts nothing else into the statement", () => {
    expect(readOnlyStatement(5)).toBe("SET STATEMENT lock_wait_timeout=5 FOR SET GLOBAL read_only = ON")
    for (const bad of [0, 1.5, 3601, Number.NaN]) expect(() => readOnlyStatement(bad)).toThrow("refusing to put")
  })

  it("compares GTID positions per domain", () => {
    expect(gtidCovers("0-1-10", "0-2-9")).toBe(true)
    expect(gtidCovers("0-1-10,1-1-3", "1-1-4")).toBe(false)
    expect(gtidCovers("0-1-10", "")).toBe(true)
    expect(gtidCovers("", "0-1-1")).toBe(false)
  })

  it.prop(
    "a CHANGE MASTER statement holds exactly its allow-listed values",
    [DatabaseReplicationSource],
    ([source]) => {
      const m =
        /^CHANGE MASTER TO MASTER_HOST='([^'\\]*)', MASTER_PORT=(\d+), MASTER_USER='([a-z0-9_]*)', MASTER_PASSWORD='([^'\\]*)', MASTER_CONNECT_RETRY=10, MASTER_USE_GTID=slave_pos$/.exec(
          changeMasterStatement(source),
        )
      expect(m?.slice(1)).toEqual([source.host, String(source.port), source.user, source.password])
    },
  )

  it("refuses to put anything else into CHANGE MASTER", () => {
    for (const bad of [
      { ...SOURCE, password: "x'; DROP DATABASE mysql; --" },
      { ...SOURCE, host: "h' , MASTER_PORT=1" },
      { ...SOURCE, port: 0 },
    ])
      expect(() => changeMasterStatement(bad)).toThrow("refusing to put")
  })
})

const fast = Layer.succeed(ReplicationWaits, { intervalMs: 1, followMs: 20, drainMs: 20, lockWaitSeconds: 1 })
const over = (server: FakeMariaDb) => MariaDbReplication.Default.pipe(Layer.provide(server.layer()), Layer.merge(fast))
const run = <A, E>(server: FakeMariaDb, f: (r: MariaDbReplication) => Effect.Effect<A, E>) =>
  Effect.flatMap(MariaDbReplication, f).pipe(Effect.provide(over(server)))

describe("MariaDbReplication over the in-memory server", () => {
  it.live("a node without history needs a seed, and nothing is changed", () => {
    const server = new FakeMariaDb()
    return Effect.gen(function* () {
      const report = yield* run(server, (r) => r.follow(SOURCE))
      expect(report.outcome).toBe("needs_seed")
      expect(server.writes).toEqual([])
    })
  })

  it.live("a former primary follows from its own position, read-only; following again changes nothing", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-12"
    return Effect.gen(function* () {
      const report = yield* run(server, (r) => r.follow(SOURCE))
      expect(report.outcome).toBe("following")
      expect(report.status).toMatchObject({ role: "replica", read_only: true, replica: { gtid_slave_pos: "0-7-12" } })
      expect(server.writes).toEqual([
        "SET GLOBAL read_only = ON",
        "SET GLOBAL gtid_slave_pos = @@gtid_current_pos",
        changeMasterStatement(SOURCE),
        "START SLAVE",
      ])
      server.writes.length = 0
      expect((yield* run(server, (r) => r.follow(SOURCE))).outcome).toBe("unchanged")
      expect(server.writes).toEqual(["SET GLOBAL read_only = ON"])
    })
  })

  it.live("a diverged node needs a seed; an unreachable source fails, to be retried", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-12"
    server.replication.onStart = "diverged"
    return Effect.gen(function* () {
      const report = yield* run(server, (r) => r.follow(SOURCE))
      expect(report).toMatchObject({ outcome: "needs_seed", status: { read_only: true } })
      server.replication.onStart = "unreachable"
      const exit = yield* Effect.exit(run(server, (r) => r.follow({ ...SOURCE, host: "10.0.0.9" })))
      expect(exit).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "DatabaseUnavailable",
            message: "10.0.0.9:3306 did not accept this replica: error connecting to master",
          }),
        ),
      )
    })
  })

  it.live("a seed clears the binlog and follows from the seed's position", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-3"
    return Effect.gen(function* () {
      yield* run(server, (r) => r.beginSeed())
      const report = yield* run(server, (r) => r.finishSeed(SOURCE, "0-1-40"))
      expect(report.outcome).toBe("following")
      expect(report.status).toMatchObject({ gtid_binlog_pos: "", replica: { gtid_slave_pos: "0-1-40" } })
      expect(server.writes).toEqual([
        "SET GLOBAL read_only = ON",
        "STOP SLAVE",
        "RESET SLAVE ALL",
        "RESET MASTER",
        "SET GLOBAL gtid_slave_pos = '0-1-40'",
        changeMasterStatement(SOURCE),
        "START SLAVE",
      ])
    })
  })

  it.live("promotes a healthy replica, refuses a broken one, leaves a primary as it is", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-1"
    return Effect.gen(function* () {
      yield* run(server, (r) => r.follow(SOURCE))
      server.replication.sql = "No"
      server.replication.sqlError = duplicate
      const refusedExit = yield* Effect.exit(run(server, (r) => r.promote(false)))
      expect(refusedExit).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "DatabaseRejected",
            message: `this node cannot be promoted: its replication failed: ${duplicate.message}`,
          }),
        ),
      )
      server.replication.sql = "Yes"
      server.replication.sqlError = undefined
      server.writes.length = 0
      const promoted = yield* run(server, (r) => r.promote(false))
      expect(promoted).toMatchObject({ outcome: "promoted", status: { role: "primary", read_only: false } })
      expect(server.writes).toEqual([
        "STOP SLAVE IO_THREAD",
        "STOP SLAVE",
        "RESET SLAVE ALL",
        "SET GLOBAL read_only = OFF",
      ])
      expect((yield* run(server, (r) => r.promote(false))).outcome).toBe("unchanged")
    })
  })

  it.live("demotes a primary: read-only, then the replica to promote as its source, not started", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-12"
    // an application's read runs meanwhile: nothing holds read_only up, nothing is killed
    server.replication.running = [{ id: 41, user: "db_abcdefghij_app", write: false, killable: true }]
    return Effect.gen(function* () {
      const report = yield* run(server, (r) => r.demote(SOURCE))
      expect(report).toMatchObject({
        outcome: "demoted",
        position: "0-7-12",
        status: { role: "replica", read_only: true, replica: { io_running: false, sql_running: false } },
      })
      expect(server.writes).toEqual([
        readOnlyStatement(1),
        "SET GLOBAL gtid_slave_pos = @@gtid_current_pos",
        changeMasterStatement(SOURCE),
      ])
      // a retried activity changes nothing and answers the same position
      server.writes.length = 0
      expect(yield* run(server, (r) => r.demote(SOURCE))).toMatchObject({ outcome: "unchanged", position: "0-7-12" })
      expect(server.writes).toEqual([])
      // a restarted agent keeps it read-only and refuses the platform's changes on it
      yield* run(server, (r) => r.settleReadOnly())
      expect(server.replication.readOnly).toBe(true)
      expect(yield* Effect.exit(run(server, (r) => r.refuseOnReplica()))).toEqual(
        Exit.fail(expect.objectContaining({ _tag: "DatabaseRejected" })),
      )
      // following the promoted replica continues from its own last write
      const followed = yield* run(server, (r) => r.follow(SOURCE))
      expect(followed).toMatchObject({ outcome: "following", status: { replica: { gtid_slave_pos: "0-7-12" } } })
    })
  })

  it.live("a write that outlasts the wait is killed; one that cannot be stopped refuses the demotion", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-12"
    server.replication.running = [
      { id: 5, user: "db_abcdefghij_app", write: true, killable: true },
      { id: 6, user: "db_abcdefghij_ro", write: false, killable: true },
    ]
    return Effect.gen(function* () {
      expect((yield* run(server, (r) => r.demote(SOURCE))).outcome).toBe("demoted")
      expect(server.writes.slice(0, 4)).toEqual([
        "KILL QUERY 5",
        "KILL QUERY 6",
        readOnlyStatement(1),
        "SET GLOBAL gtid_slave_pos = @@gtid_current_pos",
      ])
      const stuck = new FakeMariaDb()
      stuck.replication.binlogPos = "0-7-12"
      stuck.replication.running = [{ id: 5, user: "db_abcdefghij_app", write: true, killable: false }]
      expect(yield* Effect.exit(run(stuck, (r) => r.demote(SOURCE)))).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "DatabaseRejected",
            message:
              "this node could not be made read-only: a statement still held it up 1 s after the platform users' statements were killed",
          }),
        ),
      )
      expect(stuck.writes).toEqual(["KILL QUERY 5"])
      expect(stuck.replication).toMatchObject({ readOnly: false, source: undefined })
    })
  })

  it.live("a demotion is undone by reopen; a replica of another source is not reopened", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-12"
    return Effect.gen(function* () {
      yield* run(server, (r) => r.demote(SOURCE))
      server.writes.length = 0
      const reopened = yield* run(server, (r) => r.reopen(SOURCE))
      expect(reopened).toMatchObject({ outcome: "reopened", status: { role: "primary", read_only: false } })
      expect(server.writes).toEqual(["RESET SLAVE ALL", "SET GLOBAL read_only = OFF"])
      expect((yield* run(server, (r) => r.reopen(SOURCE))).outcome).toBe("unchanged")
      yield* run(server, (r) => r.follow(SOURCE))
      expect(yield* Effect.exit(run(server, (r) => r.reopen(SOURCE)))).toEqual(
        Exit.fail(
          expect.objectContaining({ message: "this node was not reopened: it runs replication from 10.0.0.2:3306" }),
        ),
      )
      expect(server.replication.readOnly).toBe(true)
    })
  })

  it.live("a replica catches up to its primary's last position, or says how far it got", () => {
    const server = new FakeMariaDb()
    server.replication.binlogPos = "0-7-1"
    return Effect.gen(function* () {
      const notReplica = yield* Effect.exit(run(server, (r) => r.catchUp("0-1-12")))
      expect(notReplica).toEqual(
        Exit.fail(expect.objectContaining({ message: "this node cannot take over: it is not a replica" })),
      )
      yield* run(server, (r) => r.follow(SOURCE))
      server.replication.slavePos = "0-1-10"
      server.replication.applying = ["0-1-11", "0-1-12", "0-1-13"]
      const caught = yield* run(server, (r) => r.catchUp("0-1-12"))
      expect(caught.replica?.gtid_slave_pos).toBe("0-1-12")
      const behind = yield* Effect.exit(run(server, (r) => r.catchUp("0-1-20")))
      expect(behind).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "DatabaseRejected",
            message: "this node cannot take over: after 0.02 s it has applied 0-1-13 of its primary's 0-1-20",
          }),
        ),
      )
      server.replication.sql = "No"
      server.replication.sqlError = duplicate
      expect(yield* Effect.exit(run(server, (r) => r.catchUp("0-1-20")))).toEqual(
        Exit.fail(
          expect.objectContaining({
            message: `this node cannot take over: its replication failed: ${duplicate.message}`,
          }),
        ),
      )
    })
  })

  it.live("read-only exactly when following; platform changes refused on a replica", () => {
    const server = new FakeMariaDb()
    server.replication.readOnly = true
    return Effect.gen(function* () {
      yield* run(server, (r) => r.settleReadOnly())
      expect(server.replication.readOnly).toBe(false)
      yield* run(server, (r) => r.refuseOnReplica())
      server.replication.binlogPos = "0-7-1"
      yield* run(server, (r) => r.follow(SOURCE))
      server.replication.readOnly = false
      yield* run(server, (r) => r.settleReadOnly())
      expect(server.replication.readOnly).toBe(true)
      const exit = yield* Effect.exit(run(server, (r) => r.refuseOnReplica()))
      expect(exit).toEqual(
        Exit.fail(
          expect.objectContaining({
            message: "this node is a replica of 10.0.0.2:3306; change the databases on its primary",
          }),
        ),
      )
    })
  })

  it.live("prints the platform's accounts as statements re-creating them", () => {
    const hash = mysqlNativePasswordHash("pw")
    const server = new FakeMariaDb()
      .account({ name: "db_abcdefghij_app", hash, locked: true })
      .grant("db_abcdefghij_app", "%", "db\\_abcdefghij", ["Select", "Show_view"])
      .account({ name: "hosting_admin", host: "localhost", hash })
    return Effect.gen(function* () {
      expect(yield* run(server, (r) => r.accountStatements())).toEqual([
        `CREATE USER \`db_abcdefghij_app\`@\`%\` IDENTIFIED BY PASSWORD '${hash}' ACCOUNT LOCK`,
        `GRANT USAGE ON *.* TO \`db_abcdefghij_app\`@\`%\` IDENTIFIED BY PASSWORD '${hash}'`,
        "GRANT SELECT, SHOW VIEW ON `db\\_abcdefghij`.* TO `db_abcdefghij_app`@`%`",
      ])
    })
  })
})
