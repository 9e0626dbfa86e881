// Databases end to end through the SDK: API → SyncDatabaseWorkflow → the node agent (web and
// database roles on one root) → its real MariaDB, checked by logging in as an application does
// (mysql2 over TCP). The stack's own agent is the node: the `local` cluster gets a web and a
// database shard, and the database shard's mariadb_port is the agent's MariaDB port.

import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { ADMIN_USER, adminPassword, databasePaths, stopDatabaseServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createClient, type Database, type DatabaseUser, type PromiseClient } from "@hosting/sdk"
import { createConnection } from "mysql2/promise"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { errnoOf, login } from "../support/database-node.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, httpGet, makeTestWebNode, settled, type TestWebNode } from "../support/web-node.js"

let db: TestDatabase
let web: TestWebNode
let stack: Stack
let client: PromiseClient
let other: PromiseClient
let sql: pg.Client
let port: number
let tenantId: string
let otherTenantId: string

const PASSWORD = "correct horse battery"
// quotes, a backslash and SQL metacharacters: only the hash travels, so they are just characters
const HOSTILE_PASSWORD = `it's "\\"; DROP DATABASE mysql; -- %_`

// access denied for an account that does not exist: MariaDB answers either, depending on the
// authentication plugin it pretends the missing account has
const ACCOUNT_GONE = [1045, 1698]

const gone = async (what: string, read: () => Promise<unknown>, timeoutMs = 45_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      await read()
    } catch (e) {
      if ((e as { _tag?: string })._tag === "NotFound") return
      throw e
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} was not deleted`)
}
const refusal = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e as { _tag: string; message: string },
  )
const dbGet = (d: Database) => () => client.databases.get({ path: { id: d.id } })
const userGet = (u: DatabaseUser) => () => client.databaseUsers.get({ path: { id: u.id } })
const addUser = async (d: Database, suffix: string, password: string, privileges?: "all" | "read_only") => {
  const u = await client.databaseUsers.create({
    path: { id: d.id },
    payload: { username: `${d.name}_${suffix}`, password, ...(privileges === undefined ? {} : { privileges }) },
  })
  return settled("user", userGet(u))
}
/** The platform's own view of the node's MariaDB (its admin account, over the socket). */
const asAdmin = async () =>
  createConnection({
    socketPath: databasePaths(web.root).socket,
    user: ADMIN_USER,
    password: await adminPassword(web.root),
  })
/** What the server holds of a database: the schema, its accounts and their schema-level grants. */
const onServer = async (name: string) => {
  const admin = await asAdmin()
  try {
    const count = async (q: string) => {
      const [rows] = await admin.query(q, [name, `${name}\\_%`])
      return Number((rows as Array<{ n: number }>)[0]!.n)
    }
    return {
      schemas: await count("SELECT count(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ? OR ? = ''"),
      accounts: await count("SELECT count(*) AS n FROM mysql.global_priv WHERE User LIKE ? OR User LIKE ?"),
      grants: await count("SELECT count(*) AS n FROM mysql.db WHERE Db LIKE ? OR Db LIKE ?"),
    }
  } finally {
    await admin.end()
  }
}

describe("databases through the SDK", () => {
  beforeAll(async () => {
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_databases")
    web = await makeTestWebNode()
    port = await freePort()
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      env: {
        ...web.env,
        HOSTING_AGENT_ROLES: "web,database",
        HOSTING_LOCAL_NODE_ROLES: "web,database",
        HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1",
        HOSTING_MARIADB_HOST: "127.0.0.1",
        HOSTING_MARIADB_PORT: String(port),
        HOSTING_MARIADB_BUFFER_POOL_MB: "16",
        HOSTING_AGENT_TIMEOUT_SECONDS: "60",
      },
    })
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    await waitForAgent(client, stack.nodeId, 60)
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: "databases" } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    tenantId = tenant.id
    await settled("tenant", () => client.tenants.get({ path: { id: tenant.id } }), 90_000)
    const brandB = await client.brands.create({ payload: { name: "databases b" } })
    await client.brands.setClusters({ path: { id: brandB.id }, payload: { cluster_ids: [cluster.id] } })
    const keyB = await client.apiKeys.create({ payload: { name: "b", scopes: ["*"], brands: [brandB.id] } })
    other = createClient({ baseUrl: stack.baseUrl, apiKey: keyB.key })
    otherTenantId = (await other.tenants.create({ payload: { brand_id: brandB.id } })).id
  }, 240_000)

  afterAll(async () => {
    await sql?.end()
    await stack?.stop()
    if (web !== undefined) {
      await stopDatabaseServices(web.root)
      await web.cleanup()
    }
    await db?.stop()
  })

  let main: Database
  let app: DatabaseUser

  it("creates a database and a user an application logs in as, and says where to connect", async () => {
    const t0 = Date.now()
    main = await client.databases.create({ path: { id: tenantId as never }, payload: {} })
    expect(main).toMatchObject({
      tenant_id: tenantId,
      charset: "utf8mb4",
      collation: "utf8mb4_unicode_ci",
      host: "127.0.0.1",
      port,
    })
    expect(main.name).toMatch(/^db_[a-z0-9]{10}$/)
    app = await addUser(main, "app", PASSWORD)
    expect(app).toMatchObject({ username: `${main.name}_app`, privileges: "all", status: "active" })
    expect(JSON.stringify(app)).not.toContain("password")
    await settled("database", dbGet(main))
    console.log(`database and user active after ${Date.now() - t0} ms`)
    const conn = await login(port, app.username, PASSWORD, main.name)
    await conn.query("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
    await conn.query("INSERT INTO t VALUES (1, 'one')")
    const [rows] = await conn.query("SELECT v FROM t")
    expect(rows).toEqual([{ v: "one" }])
    await conn.end()
    // only the hash is stored
    const stored = await sql.query("SELECT password_hash FROM database_users WHERE id = $1", [app.id])
    expect(stored.rows[0].password_hash).toMatch(/^\*[0-9A-F]{40}$/)
  })

  it("a PHP page of the tenant reads the database with mysqli and PDO", async () => {
    const tenant = await client.tenants.get({ path: { id: tenantId as never } })
    const webroot = await client.webroots.create({ path: { id: tenantId as never }, payload: { runtime: "php" } })
    const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "db-php.example.test" } })
    await settled("webroot", () => client.webroots.get({ path: { id: webroot.id } }), 90_000)
    await settled("fqdn", () => client.fqdns.get({ path: { id: fqdn.id } }), 90_000)
    const user = `${web.userPrefix}${tenant.name}`
    const page = join(web.root, "home", user, "webroots", webroot.name, "index.php")
    writeFileSync(
      page,
      `<?php
$db = new mysqli("127.0.0.1", "${app.username}", "${PASSWORD}", "${main.name}", ${port});
$row = $db->query("SELECT v FROM t WHERE id = 1")->fetch_row();
$pdo = new PDO("mysql:host=127.0.0.1;port=${port};dbname=${main.name}", "${app.username}", "${PASSWORD}");
echo $row[0], " ", $pdo->query("SELECT count(*) FROM t")->fetchColumn();
`,
    )
    execFileSync("chown", [`${user}:${user}`, page])
    const res = await eventually(
      "the PHP page",
      () => httpGet(web.httpPort, "db-php.example.test", "/index.php"),
      (r) => r.status === 200,
    )
    expect(res.body).toBe("one 1")
  })

  it("a read-only user reads but cannot write; a wrong password and another database's user are refused", async () => {
    const reader = await addUser(main, "ro", HOSTILE_PASSWORD, "read_only")
    const conn = await login(port, reader.username, HOSTILE_PASSWORD, main.name)
    const [rows] = await conn.query("SELECT id FROM t")
    expect(rows).toEqual([{ id: 1 }])
    expect(await errnoOf(conn.query("INSERT INTO t VALUES (2, 'two')"))).toBe(1142)
    await conn.end()
    expect(await errnoOf(login(port, app.username, "wrong password!!", main.name))).toBe(1045)
    const second = await client.databases.create({ path: { id: tenantId as never }, payload: {} })
    const secondUser = await addUser(second, "app", PASSWORD)
    await settled("database", dbGet(second))
    // 1044: access denied to that database
    expect(await errnoOf(login(port, secondUser.username, PASSWORD, main.name))).toBe(1044)
    expect(await errnoOf(login(port, app.username, PASSWORD, second.name))).toBe(1044)
  })

  it("a changed password and privileges reach the server", async () => {
    await client.databaseUsers.update({
      path: { id: app.id },
      payload: { password: "a new password here", privileges: "read_only" },
    })
    await settled("user", userGet(app))
    expect(await errnoOf(login(port, app.username, PASSWORD, main.name))).toBe(1045)
    const conn = await login(port, app.username, "a new password here", main.name)
    expect(await errnoOf(conn.query("INSERT INTO t VALUES (3, 'three')"))).toBe(1142)
    await conn.end()
  })

  it("suspending the tenant locks its users; lifting it lets them in again", async () => {
    const attempt = () => errnoOf(login(port, app.username, "a new password here", main.name))
    await client.tenants.suspend({ path: { id: tenantId as never } })
    // the suspension reaches the database's sync (the tenant's children are asked): 4151, locked
    expect(await eventually("login refused", attempt, (n) => n !== "ok")).toBe(4151)
    await client.tenants.unsuspend({ path: { id: tenantId as never } })
    expect(await eventually("login allowed", attempt, (n) => n !== 4151)).toBe("ok")
    await settled("database", dbGet(main))
  })

  it("refuses bad input with 4xx and creates nothing", async () => {
    const before = await sql.query(
      "SELECT (SELECT count(*) FROM databases) AS d, (SELECT count(*) FROM database_users) AS u",
    )
    const bad = [
      { charset: "utf8mb4; DROP DATABASE x" },
      { charset: "klingon" },
      { collation: "utf8mb4_bin\n" },
      { charset: "latin1", collation: "utf8mb4_bin" },
      { name: "db_chosen0001" },
      { shard_id: "not-a-uuid" },
    ]
    for (const payload of bad) {
      const e = await refusal(client.databases.create({ path: { id: tenantId as never }, payload: payload as never }))
      expect(["ParseError", "HttpApiDecodeError", "InvalidRequest", "InvalidInput"]).toContain(e._tag)
    }
    const klingon = await fetch(`${stack.baseUrl}/api/v1/tenants/${tenantId}/databases`, {
      method: "POST",
      headers: { "X-API-Key": stack.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ charset: "klingon" }),
    })
    expect(klingon.status).toBe(400)
    expect(JSON.stringify(await klingon.json())).toContain("klingon")
    const badUsers = [
      { username: `${main.name}_x`, password: "short" },
      { username: `${main.name}_x`, password: "twelve chars\u0000!" },
      { username: `${main.name}_x`, password: "twelve chars\nline" },
      { username: `${main.name}_x`, password: "x".repeat(129) },
      { username: "db_other00000_x", password: PASSWORD },
      { username: `${main.name}_x'; DROP USER root; --`, password: PASSWORD },
      { username: `${main.name}_X`, password: PASSWORD },
      { username: `${main.name}_${"a".repeat(40)}`, password: PASSWORD },
      { username: `${main.name}_x`, password: PASSWORD, privileges: "ALL PRIVILEGES" },
    ]
    for (const payload of badUsers) {
      const res = await fetch(`${stack.baseUrl}/api/v1/databases/${main.id}/users`, {
        method: "POST",
        headers: { "X-API-Key": stack.apiKey, "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      })
      expect([400, 422], JSON.stringify(payload)).toContain(res.status)
      const text = await res.text()
      // a rejected password is never echoed back
      if (payload.password.length > 4) expect(text).not.toContain(payload.password)
    }
    const short = await fetch(`${stack.baseUrl}/api/v1/databases/${main.id}/users`, {
      method: "POST",
      headers: { "X-API-Key": stack.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ username: `${main.name}_x`, password: "short" }),
    })
    expect(JSON.stringify(await short.json())).toContain("at least 12 characters")
    // another brand's tenant and database are not found
    expect((await refusal(other.databases.create({ path: { id: tenantId as never }, payload: {} })))._tag).toBe(
      "NotFound",
    )
    expect((await refusal(other.databases.get({ path: { id: main.id } })))._tag).toBe("NotFound")
    expect(
      (
        await refusal(
          other.databaseUsers.create({
            path: { id: main.id },
            payload: { username: `${main.name}_evil`, password: PASSWORD },
          }),
        )
      )._tag,
    ).toBe("NotFound")
    expect((await other.databases.list({ path: { id: otherTenantId as never }, urlParams: {} })).items).toEqual([])
    const after = await sql.query(
      "SELECT (SELECT count(*) FROM databases) AS d, (SELECT count(*) FROM database_users) AS u",
    )
    expect(after.rows).toEqual(before.rows)
    // the audit log kept no password
    const audit = await sql.query(
      "SELECT request_body::text AS body FROM audit_logs WHERE request_body::text LIKE '%password%'",
    )
    for (const r of audit.rows) {
      expect(r.body).not.toContain(PASSWORD)
      expect(r.body).not.toContain("a new password here")
    }
    expect(audit.rows.length).toBeGreaterThan(0)
  })

  it("a converge of the database shard removes platform orphans and keeps what rows name", async () => {
    const admin = await asAdmin()
    await admin.query("CREATE DATABASE db_orphan0001")
    await admin.query("CREATE DATABASE handmade")
    await admin.end()
    const plan = await client.shards.converge({ path: { id: main.shard_id }, payload: { plan: true } })
    expect(plan.plan?.map((c) => [c.action, c.kind, c.target])).toEqual([["delete", "database", "db_orphan0001"]])
    await client.shards.converge({ path: { id: main.shard_id }, payload: {} })
    await settled("converge", () => client.shards.get({ path: { id: main.shard_id } }))
    expect(await onServer("db_orphan0001")).toEqual({ schemas: 0, accounts: 0, grants: 0 })
    expect((await onServer("handmade")).schemas).toBe(1)
    // what the rows name is untouched
    const conn = await login(port, app.username, "a new password here", main.name)
    await conn.end()
  })

  it("deleting a user and a database leaves no database, account or grant", async () => {
    const reader = (await client.databaseUsers.list({ path: { id: main.id }, urlParams: {} })).items.find((u) =>
      u.username.endsWith("_ro"),
    )!
    await client.databaseUsers.delete({ path: { id: reader.id } })
    await gone("user", userGet(reader))
    expect(ACCOUNT_GONE).toContain(await errnoOf(login(port, reader.username, HOSTILE_PASSWORD)))
    await client.databases.delete({ path: { id: main.id } })
    await gone("database", dbGet(main))
    expect(ACCOUNT_GONE).toContain(await errnoOf(login(port, app.username, "a new password here")))
    expect(await sql.query("SELECT 1 FROM database_users WHERE database_id = $1", [main.id])).toMatchObject({
      rowCount: 0,
    })
    expect(await onServer(main.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
  })

  it("deleting the tenant drops its databases and users first", async () => {
    const left = (await client.databases.list({ path: { id: tenantId as never }, urlParams: {} })).items
    expect(left).toHaveLength(1)
    const users = (await client.databaseUsers.list({ path: { id: left[0]!.id }, urlParams: {} })).items
    await client.tenants.delete({ path: { id: tenantId as never } })
    await gone("tenant", () => client.tenants.get({ path: { id: tenantId as never } }), 90_000)
    expect((await sql.query("SELECT 1 FROM databases WHERE tenant_id = $1", [tenantId])).rowCount).toBe(0)
    expect(ACCOUNT_GONE).toContain(await errnoOf(login(port, users[0]!.username, PASSWORD)))
    expect(await onServer(left[0]!.name)).toEqual({ schemas: 0, accounts: 0, grants: 0 })
  })
})
