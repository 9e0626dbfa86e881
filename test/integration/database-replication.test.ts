// GTID replication between real MariaDB servers, node side: three database nodes side by side (one
// primary, two replicas), driven as the control plane's shard converge and failover will drive
// them: a new replica is seeded from a dump of the primary and follows it; rows, databases and
// accounts reach the replicas, which refuse writes; a broken replica shows the server's error and
// is re-seeded; a failover promotes a replica, the others follow it, and the old primary rejoins
// (re-seeded when its history diverged); a wiped replica is seeded again; a restarted replica
// comes back read-only and following.
import { randomUUID } from "node:crypto"
import { rmSync } from "node:fs"
import {
  adminPassword,
  DatabaseNode,
  type DatabaseNodeConfig,
  databaseNodeConfigFromEnv,
  databasePaths,
  mariadbPid,
  stopDatabaseServices,
} from "@hosting/agent"
import {
  type DatabaseReplicationSource,
  type DatabaseSpec,
  mysqlNativePasswordHash,
  promotionRefusal,
  replicaHealth,
} from "@hosting/core/node"
import { waitFor } from "@hosting/dev"
import { type Connection, createConnection } from "mysql2/promise"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { errnoOf, login, makeTestDatabaseNode, type TestDatabaseNode } from "../support/database-node.js"

interface Member {
  readonly test: TestDatabaseNode
  readonly config: DatabaseNodeConfig
  node: DatabaseNode
}
let a: Member
let b: Member
let c: Member

const DB1 = "db_repl000001"
const DB2 = "db_repl000002"
const PW = "replicated app password"
const spec = (name: string): DatabaseSpec => ({
  name,
  charset: "utf8mb4",
  collation: "utf8mb4_unicode_ci",
  users: [{ name: `${name}_app`, password_hash: mysqlNativePasswordHash(PW), privileges: "all", locked: false }],
})

const member = async (): Promise<Member> => {
  const test = await makeTestDatabaseNode()
  // a node id of its own, as an agent has: the server id is derived from it
  const config = databaseNodeConfigFromEnv({ ...test.env, HOSTING_NODE_ID: randomUUID() })
  return { test, config, node: new DatabaseNode(config) }
}

/** The admin's own connection over a node's socket, for what applications cannot do. */
const admin = async (m: Member): Promise<Connection> =>
  createConnection({
    socketPath: databasePaths(m.config.root).socket,
    user: "hosting_admin",
    password: await adminPassword(m.config.root),
  })

const ids = async (m: Member, database = DB1): Promise<Array<number>> => {
  const conn = await admin(m)
  try {
    const [rows] = await conn.query(`SELECT id FROM \`${database}\`.t ORDER BY id`)
    return (rows as Array<{ id: number }>).map((r) => r.id)
  } finally {
    await conn.end()
  }
}

/** Waits (bounded) until a node holds exactly these rows of DB1.t; its replication status if not. */
const holds = (m: Member, expected: Array<number>, database = DB1) =>
  waitFor(
    `${m.test.port} to hold rows ${expected.join(",")}`,
    async () => JSON.stringify(await ids(m, database)) === JSON.stringify(expected),
    20_000,
    50,
  ).catch(async (e: Error) => {
    throw new Error(
      `${e.message}; it holds ${await ids(m, database)}: ${JSON.stringify(await m.node.replicationStatus())}`,
    )
  })

const insert = async (m: Member, ...values: Array<number>) => {
  const app = await login(m.test.port, `${DB1}_app`, PW, DB1)
  try {
    for (const v of values) await app.query("INSERT INTO t VALUES (?)", [v])
  } finally {
    await app.end()
  }
}

const source = (m: Member): Promise<DatabaseReplicationSource> => m.node.replicationSource()

const seed = async (replica: Member, primary: Member) =>
  replica.node.seedFromPrimary(await source(primary), await primary.node.offerReplicaSeed())

beforeAll(async () => {
  ;[a, b, c] = await Promise.all([member(), member(), member()])
  const started = Date.now()
  await Promise.all([a, b, c].map((m) => m.node.start()))
  console.log(`three mariadbd initialised and started in ${Date.now() - started} ms`)
  await a.node.ensureDatabase(spec(DB1))
  const app = await login(a.test.port, `${DB1}_app`, PW, DB1)
  await app.query("CREATE TABLE t (id INT PRIMARY KEY)")
  await app.end()
  await insert(a, 1, 2)
}, 180_000)

afterAll(async () => {
  for (const m of [a, b, c]) {
    await m?.node.close()
    await m?.test.cleanup()
  }
})

describe("GTID replication between database nodes", () => {
  it("gives every node its own server id and a root-only replication password", async () => {
    const statuses = await Promise.all([a, b, c].map((m) => m.node.replicationStatus()))
    expect(new Set(statuses.map((s) => s.server_id)).size).toBe(3)
    expect(statuses.map((s) => [s.role, s.read_only])).toEqual([
      ["primary", false],
      ["primary", false],
      ["primary", false],
    ])
    const { statSync } = await import("node:fs")
    const st = statSync(databasePaths(a.config.root).replicationCnf)
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600])
    const src = await source(a)
    expect({ ...src, password: src.password.length }).toEqual({
      host: "127.0.0.1",
      port: a.test.port,
      user: "hosting_repl",
      password: 48,
    })
  })

  it("seeds a new replica from a dump of the primary, which then follows it", async () => {
    // a node with no history cannot simply follow: it would miss what predates the binlog
    expect((await b.node.followPrimary(await source(a))).outcome).toBe("needs_seed")
    const started = Date.now()
    const [rb, rc] = await Promise.all([seed(b, a), seed(c, a)])
    console.log(`two replicas seeded in ${Date.now() - started} ms`)
    expect([rb.outcome, rc.outcome]).toEqual(["following", "following"])
    expect(rb.status).toMatchObject({
      role: "replica",
      read_only: true,
      replica: { source_host: "127.0.0.1", source_port: a.test.port, io_running: true, sql_running: true },
    })
    expect(await ids(b)).toEqual([1, 2])
    // the seed carried the account: the application logs in on the replica
    expect(await errnoOf(login(b.test.port, `${DB1}_app`, PW, DB1))).toBe("ok")
    // following the same primary again changes nothing
    expect((await c.node.followPrimary(await source(a))).outcome).toBe("unchanged")
  })

  it("replicates rows, databases and accounts; replicas refuse writes", async () => {
    await insert(a, 3)
    await Promise.all([holds(b, [1, 2, 3]), holds(c, [1, 2, 3])])
    await a.node.ensureDatabase(spec(DB2))
    await waitFor(
      "DB2's user on the replica",
      async () => (await errnoOf(login(c.test.port, `${DB2}_app`, PW, DB2))) === "ok",
      20_000,
      50,
    )
    // a platform user's write on a replica: read-only (1290)
    expect(await errnoOf(insert(b, 99))).toBe(1290)
    // and the platform's own changes go to the primary
    await expect(b.node.ensureDatabase(spec("db_onreplica01"))).rejects.toThrow(
      `this node is a replica of 127.0.0.1:${a.test.port}; change the databases on its primary`,
    )
    const status = await b.node.replicationStatus()
    expect(status.replica).toMatchObject({ io_running: true, sql_running: true, seconds_behind: 0, last_error: null })
    expect(replicaHealth(status)).toEqual({ state: "healthy", seconds_behind: 0 })
    expect(status.gtid_current_pos).toBe((await a.node.replicationStatus()).gtid_binlog_pos)
  })

  it("shows a broken replica's error, refuses to promote it, and heals it with a new seed", async () => {
    // a row on the replica alone (admin, not binlogged), then the same key on the primary
    const conn = await admin(b)
    await conn.query("SET SESSION sql_log_bin = 0")
    await conn.query(`INSERT INTO ${DB1}.t VALUES (4)`)
    await conn.end()
    await insert(a, 4)
    await waitFor(
      "b's SQL thread to stop",
      async () => (await b.node.replicationStatus()).replica?.sql_running === false,
      20_000,
      50,
    )
    const status = await b.node.replicationStatus()
    expect(status.replica?.last_sql_error?.errno).toBe(1062)
    expect(status.replica?.last_error).toMatch(/Duplicate entry '4' for key 'PRIMARY'/)
    expect(replicaHealth(status)).toMatchObject({ state: "failed", needs_seed: true })
    expect(promotionRefusal(status)).toMatch(/^its replication failed: .*Duplicate entry '4'/)
    await expect(b.node.promote(false)).rejects.toThrow("this node cannot be promoted: its replication failed")
    expect((await seed(b, a)).outcome).toBe("following")
    await insert(a, 5)
    await Promise.all([holds(b, [1, 2, 3, 4, 5]), holds(c, [1, 2, 3, 4, 5])])
  })

  it("fails over: promotes a replica, the other and the old primary follow it, writes succeed", async () => {
    expect(promotionRefusal(await b.node.replicationStatus())).toBeUndefined()
    const promoted = await b.node.promote(false)
    expect(promoted).toMatchObject({
      outcome: "promoted",
      status: { role: "primary", read_only: false, replica: null },
    })
    expect((await b.node.promote(false)).outcome).toBe("unchanged")
    expect((await c.node.followPrimary(await source(b))).outcome).toBe("following")
    // the old primary wrote nothing since: it continues from its own position
    const rejoined = await a.node.followPrimary(await source(b))
    expect(rejoined).toMatchObject({ outcome: "following", status: { role: "replica", read_only: true } })
    await insert(b, 6)
    await Promise.all([holds(a, [1, 2, 3, 4, 5, 6]), holds(c, [1, 2, 3, 4, 5, 6])])
    expect(await errnoOf(insert(a, 98))).toBe(1290)
  })

  it("re-seeds an old primary whose history diverged", async () => {
    // c becomes the primary and a follows it; then b (the primary until now, not told) takes one more write
    await c.node.promote(false)
    expect((await a.node.followPrimary(await source(c))).outcome).toBe("following")
    await insert(b, 7)
    const diverged = await b.node.followPrimary(await source(c))
    expect(diverged.outcome).toBe("needs_seed")
    expect(diverged.status.replica?.last_io_error?.errno).toBe(1236)
    expect(replicaHealth(diverged.status)).toMatchObject({ state: "failed", needs_seed: true })
    expect(diverged.status.read_only).toBe(true)
    expect((await seed(b, c)).outcome).toBe("following")
    await insert(c, 8)
    // b's own row 7 is gone: the primary's history wins
    await Promise.all([holds(a, [1, 2, 3, 4, 5, 6, 8]), holds(b, [1, 2, 3, 4, 5, 6, 8])])
  })

  it("seeds a replica whose datadir was wiped", async () => {
    await a.node.close()
    await stopDatabaseServices(a.config.root)
    rmSync(databasePaths(a.config.root).data, { recursive: true, force: true })
    a.node = new DatabaseNode(a.config)
    expect((await a.node.start()).started).toBe(true)
    expect((await a.node.followPrimary(await source(c))).outcome).toBe("needs_seed")
    expect((await seed(a, c)).outcome).toBe("following")
    await insert(c, 9)
    await holds(a, [1, 2, 3, 4, 5, 6, 8, 9])
    expect(await errnoOf(login(a.test.port, `${DB2}_app`, PW, DB2))).toBe("ok")
  })

  it("restarts a replica whose config changed once: it comes back read-only and following", async () => {
    const pid = mariadbPid(a.config.root)
    await a.node.close()
    a.node = new DatabaseNode({ ...a.config, bufferPoolMb: 24 })
    const restarted = await a.node.start()
    expect(restarted.started).toBe(true)
    expect(restarted.pid).not.toBe(pid)
    expect((await a.node.start()).started).toBe(false)
    await insert(c, 10)
    await holds(a, [1, 2, 3, 4, 5, 6, 8, 9, 10])
    expect(await a.node.replicationStatus()).toMatchObject({ role: "replica", read_only: true })
  })
})
