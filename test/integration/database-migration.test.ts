// A database moved between two database shards through the SDK: API → SyncDatabaseWorkflow's
// migration round → two real agents, each with its own MariaDB (dump on one, import on the
// other; test/support/database-shards.ts). Rows are compared with CHECKSUM TABLE, logins are
// made as applications make them (mysql2 over TCP).
import { randomUUID } from "node:crypto"
import { ADMIN_USER, adminPassword, databasePaths } from "@hosting/agent"
import { createClient, type Database, type PromiseClient } from "@hosting/sdk"
import { type Connection, createConnection } from "mysql2/promise"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { errnoOf, login, type TestDatabaseNode } from "../support/database-node.js"
import { type DatabaseShardPair, startDatabaseShardPair } from "../support/database-shards.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import type { Stack } from "../support/stack.js"
import { settled } from "../support/web-node.js"

let db: TestDatabase
let pair: DatabaseShardPair
let a: TestDatabaseNode
let b: TestDatabaseNode
let stack: Stack
let admin: PromiseClient
let client: PromiseClient
let other: PromiseClient
let brandKey: string
let sql: pg.Client
let shardA: string
let shardB: string
let webShard: string
let otherBrandShard: string
let nodeB: string
let tenantId: string

const PASSWORD = "correct horse battery"
// quotes, a backslash and SQL metacharacters: the hash moves, never the text
const HOSTILE_PASSWORD = `it's "\\"; DROP DATABASE mysql; -- %_`
// access denied for an account that does not exist (MariaDB answers either)
const ACCOUNT_GONE = [1045, 1698]
// the agent timeout of this suite: a stopped agent fails a migration that soon
const AGENT_TIMEOUT_SECONDS = 10

const dbGet = (d: Database) => () => client.databases.get({ path: { id: d.id } })
/** Waits until the database's round is over: active, or failed (returned, not thrown). */
const finished = async (d: Database, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs
  let last = await dbGet(d)()
  while (Date.now() < deadline && last.status !== "active" && last.status !== "failed") {
    await new Promise((r) => setTimeout(r, 100))
    last = await dbGet(d)()
  }
  return last
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e as { _tag: string; message: string },
  )

/** The platform's own view of a node's MariaDB (its admin account, over the socket). */
const asAdmin = async (node: TestDatabaseNode) =>
  createConnection({
    socketPath: databasePaths(node.root).socket,
    user: ADMIN_USER,
    password: await adminPassword(node.root),
  })
/** What a server holds of a database: the schema, its accounts and their schema-level grants. */
const onServer = async (node: TestDatabaseNode, name: string) => {
  const c = await asAdmin(node)
  try {
    const count = async (q: string, value: string) => {
      const [rows] = await c.query(q, [value])
      return Number((rows as Array<{ n: number }>)[0]!.n)
    }
    // its accounts are named `<db>_…`; their grants name the database with `_` escaped
    const users = `${name}\\_%`
    return {
      schemas: await count("SELECT count(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name),
      accounts: await count("SELECT count(*) AS n FROM mysql.global_priv WHERE User LIKE ?", users),
      grants: await count("SELECT count(*) AS n FROM mysql.db WHERE User LIKE ?", users),
    }
  } finally {
    await c.end()
  }
}
const checksum = async (c: Connection) =>
  ((await c.query("CHECKSUM TABLE t, big"))[0] as Array<{ Table: string; Checksum: number }>).map(
    (r) => `${r.Table.split(".")[1]} ${r.Checksum}`,
  )

/** A database on shard A with an `all` user (with data) and a `read_only` user, both active. */
const databaseWithRows = async () => {
  // (placed by a platform admin: left to itself it would go to the emptier shard)
  const d = await admin.databases.create({ path: { id: tenantId as never }, payload: { shard_id: shardA as never } })
  expect(d.shard_id).toBe(shardA)
  for (const [suffix, password, privileges] of [
    ["app", PASSWORD, "all"],
    ["ro", HOSTILE_PASSWORD, "read_only"],
  ] as const) {
    const u = await client.databaseUsers.create({
      path: { id: d.id },
      payload: { username: `${d.name}_${suffix}`, password, privileges },
    })
    await settled("user", () => client.databaseUsers.get({ path: { id: u.id } }))
  }
  const active = await settled("database", dbGet(d))
  const app = await login(a.port, `${d.name}_app`, PASSWORD, d.name)
  await app.query("CREATE TABLE t (id INT PRIMARY KEY, v TEXT) CHARACTER SET utf8mb4")
  await app.query("INSERT INTO t VALUES (1, 'one'), (2, 'zwei ✓'), (3, 'it''s \\\\ \"three\"; DROP TABLE t; --')")
  await app.query("CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, b MEDIUMBLOB)")
  // one row over 64 KiB: the refusing target below takes no packet that large
  await app.query("INSERT INTO big (b) SELECT RANDOM_BYTES(1024) FROM seq_1_to_2000")
  await app.query("INSERT INTO big (b) VALUES (REPEAT('x', 70000))")
  const sums = await checksum(app)
  await app.end()
  return { d: active, sums }
}

describe("migrating a database between database shards", () => {
  beforeAll(async () => {
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_dbmigrate")
    pair = await startDatabaseShardPair({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      env: { HOSTING_AGENT_TIMEOUT_SECONDS: String(AGENT_TIMEOUT_SECONDS) },
    })
    ;({ a, b, stack, admin, client, brandKey, shardA, shardB, webShard, nodeB, tenantId } = pair)
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    // another brand's cluster, with a database shard of its own
    const otherCluster = await admin.clusters.create({
      path: { id: pair.regionId as never },
      payload: { name: "other" },
    })
    otherBrandShard = (
      await admin.shards.create({ path: { id: otherCluster.id }, payload: { name: "db-other", role: "database" } })
    ).id
    const otherBrand = await admin.brands.create({ payload: { name: `other ${randomUUID().slice(0, 8)}` } })
    await admin.brands.setClusters({ path: { id: otherBrand.id }, payload: { cluster_ids: [otherCluster.id] } })
    const otherKey = await admin.apiKeys.create({ payload: { name: "other", scopes: ["*"], brands: [otherBrand.id] } })
    other = createClient({ baseUrl: stack.baseUrl, apiKey: otherKey.key })
  }, 240_000)

  afterAll(async () => {
    await sql?.end()
    await pair?.stop()
    await db?.stop()
  })

  it("moves the rows and the users; the source keeps nothing; later changes reach the new shard", async () => {
    const { d, sums } = await databaseWithRows()
    const asked = await client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })
    expect(asked).toMatchObject({ shard_id: shardA, migrate_to: shardB, status: "pending", port: a.port })
    const t0 = Date.now()
    const moved = await settled("migration", dbGet(d), 120_000)
    console.log(`migration of ${d.name} done in ${Date.now() - t0} ms`)
    expect(moved).toMatchObject({ shard_id: shardB, migrate_to: null, host: "127.0.0.1", port: b.port })

    const app = await login(b.port, `${d.name}_app`, PASSWORD, d.name)
    expect(await checksum(app)).toEqual(sums)
    expect(sums.every((s) => !s.endsWith(" null") && !s.endsWith(" 0"))).toBe(true)
    await app.query("INSERT INTO t VALUES (4, 'written on B')")
    await app.end()
    const ro = await login(b.port, `${d.name}_ro`, HOSTILE_PASSWORD, d.name)
    expect(await errnoOf(ro.query("INSERT INTO t VALUES (5, 'no')"))).toBe(1142)
    expect((await ro.query("SELECT count(*) AS n FROM t"))[0]).toEqual([{ n: 4 }])
    await ro.end()

    expect(await onServer(a, d.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
    expect(ACCOUNT_GONE).toContain(await errnoOf(login(a.port, `${d.name}_app`, PASSWORD)))
    expect(await onServer(b, d.name)).toEqual({ schemas: 1, accounts: 2, grants: 2 })

    // the database's next rounds go to where it is now
    const late = await client.databaseUsers.create({
      path: { id: d.id },
      payload: { username: `${d.name}_late`, password: PASSWORD },
    })
    await settled("user", () => client.databaseUsers.get({ path: { id: late.id } }))
    expect(await errnoOf(login(b.port, `${d.name}_late`, PASSWORD, d.name))).toBe("ok")
    expect(await onServer(a, d.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
  }, 240_000)

  it("a target that refuses the import mid-way: the source serves on, the target keeps nothing", async () => {
    const { d, sums } = await databaseWithRows()
    // B takes the database and its users, then refuses the dump's 70 KB row
    const adminB = await asAdmin(b)
    await adminB.query("SET GLOBAL max_allowed_packet = 16384")
    try {
      await client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })
      const failed = await finished(d)
      expect(failed).toMatchObject({ status: "failed", shard_id: shardA, migrate_to: null, port: a.port })
      // the server drops the connection that sent the oversized packet: the client's verdict, not the rows
      expect(failed.status_message).toMatch(
        /migration: import: \/usr\/bin\/mariadb failed \(1\): ERROR 2006 .*gone away$/,
      )
      expect(failed.status_details?.causes).toEqual([
        expect.objectContaining({ node_id: nodeB, message: expect.stringContaining("migration: import") }),
      ])
    } finally {
      await adminB.query("SET GLOBAL max_allowed_packet = 16777216")
      await adminB.end()
    }
    expect(await onServer(b, d.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
    const app = await login(a.port, `${d.name}_app`, PASSWORD, d.name)
    expect(await checksum(app)).toEqual(sums)
    await app.end()
    expect(
      await refusal(client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })),
    ).toMatchObject({
      _tag: "Conflict",
      message: "only an active database can be migrated; this one is failed (retry it first)",
    })
    // a retry re-applies it where it is; asking again moves it
    await client.databases.retry({ path: { id: d.id } })
    await settled("retry", dbGet(d))
    await client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })
    expect(await settled("second attempt", dbGet(d), 120_000)).toMatchObject({ shard_id: shardB, port: b.port })
    const moved = await login(b.port, `${d.name}_app`, PASSWORD, d.name)
    expect(await checksum(moved)).toEqual(sums)
    await moved.end()
    expect(await onServer(a, d.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
  }, 300_000)

  it("a target whose agent is stopped: the migration fails within the agent timeout, nothing moves", async () => {
    const { d, sums } = await databaseWithRows()
    await stack.processes.get(`agent-${nodeB}`)!.stop()
    try {
      const t0 = Date.now()
      await client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })
      const failed = await finished(d)
      console.log(`failed after ${Date.now() - t0} ms: ${failed.status_message}`)
      expect(failed).toMatchObject({ status: "failed", shard_id: shardA, migrate_to: null })
      expect(failed.status_message).toContain("migration: import")
      expect(failed.status_message).toContain("migration: removing the copy on the target")
      const app = await login(a.port, `${d.name}_app`, PASSWORD, d.name)
      expect(await checksum(app)).toEqual(sums)
      await app.end()
      // B's server runs on without its agent: it was never given the database
      expect(await onServer(b, d.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
    } finally {
      stack.startAgent(nodeB, pair.envB)
      await waitForAgent(admin, nodeB, 60)
    }
  }, 240_000)

  it("refuses bad targets and states with 4xx, changing nothing", async () => {
    const d = await settled(
      "database",
      dbGet(await admin.databases.create({ path: { id: tenantId as never }, payload: { shard_id: shardA as never } })),
    )
    const rows = () =>
      sql
        .query("SELECT id, shard_id, migrate_to, status, revision FROM databases ORDER BY id")
        .then((r) => JSON.stringify(r.rows))
    const before = await rows()
    const cases: Array<[string, unknown, number, string]> = [
      ["unknown shard", { shard_id: randomUUID() }, 422, "is not a database shard"],
      ["a web shard", { shard_id: webShard }, 422, "is not a database shard"],
      ["the same shard", { shard_id: shardA }, 409, "already on shard"],
      ["another brand's shard", { shard_id: otherBrandShard }, 422, "not in a cluster the brand may use"],
      ["no uuid", { shard_id: "shard-b'; DROP TABLE databases; --" }, 400, "shard_id"],
      ["no body field", {}, 400, "shard_id"],
      ["an extra field", { shard_id: shardB, force: true }, 400, "force"],
    ]
    for (const [what, body, status, says] of cases) {
      // the brand's clusters bound a platform admin too
      for (const key of [brandKey, stack.apiKey]) {
        const res = await fetch(`${stack.baseUrl}/api/v1/databases/${d.id}/migrate`, {
          method: "POST",
          headers: { "X-API-Key": key, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        })
        expect(res.status, what).toBe(status)
        expect(JSON.stringify(await res.json()), what).toContain(says)
      }
    }
    expect(
      await refusal(other.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })),
    ).toMatchObject({ _tag: "NotFound" })
    expect(await rows()).toEqual(before)
    // a database being deleted cannot be moved
    await client.databases.delete({ path: { id: d.id } })
    expect(
      await refusal(client.databases.migrate({ path: { id: d.id }, payload: { shard_id: shardB as never } })),
    ).toMatchObject({ _tag: "Conflict", message: "the database is being deleted" })
  }, 120_000)
})
