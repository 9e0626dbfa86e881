// The web tier end to end through the SDK: API → SyncTenantWorkflow → node agents → real nginx,
// php-fpm and sshd. Two web shards on one machine (each node its own root, ports, user prefix
// and UID range) so a tenant can migrate between them.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { stopDatabaseServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createClient, type PromiseClient, type Tenant } from "@hosting/sdk"
import { Connection, Client as TemporalClient } from "@temporalio/client"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { login } from "../support/database-node.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import {
  clientKey,
  eventually,
  httpGet,
  makeTestWebNode,
  settled,
  sftp,
  type TestWebNode,
} from "../support/web-node.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let stack: Stack
let nodeA: TestWebNode
let nodeB: TestWebNode
let client: PromiseClient
let brandId: string
let shardA: string
let shardB: string
let nodeBId: string
let keys: string
// node A also serves the database role: a tenant's database stays on it when the tenant moves
let agentAEnv: NodeJS.ProcessEnv
let dbPort: number
const DB_PASSWORD = "web tier database pw"

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
/** Waits until the tenant's sync has no round left to run (rows can be active with a round still queued). */
const syncIdle = async (tenantId: string) => {
  const connection = await Connection.connect({ address: inject("temporalAddress") })
  try {
    await new TemporalClient({ connection }).workflow.getHandle(`tenant:${tenantId}:sync`).result()
  } finally {
    await connection.close()
  }
}
const userOf = (node: TestWebNode, t: Tenant) => `${node.userPrefix}${t.name}`
const tenantGet = (t: Tenant) => () => client.tenants.get({ path: { id: t.id } })

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_web")
  nodeA = await makeTestWebNode()
  nodeB = await makeTestWebNode()
  keys = mkdtempSync(join(tmpdir(), "hosting-web-keys-"))
  dbPort = await freePort()
  agentAEnv = {
    ...nodeA.env,
    HOSTING_AGENT_ROLES: "web,database",
    HOSTING_LOCAL_NODE_ROLES: "web,database",
    HOSTING_MARIADB_HOST: "127.0.0.1",
    HOSTING_MARIADB_PORT: String(dbPort),
    HOSTING_MARIADB_BUFFER_POOL_MB: "16",
  }
  // the stack's own agent is node A (the local node of the `local` cluster's web shard)
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: { ...agentAEnv, HOSTING_AGENT_TIMEOUT_SECONDS: "30" },
  })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  shardA = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items.find(
    (s) => s.role === "web",
  )!.id
  shardB = (await client.shards.create({ path: { id: cluster.id }, payload: { name: "web-b", role: "web" } })).id
  nodeBId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "web-b.test", shard_ids: [shardB as never] },
    })
  ).id
  stack.startAgent(nodeBId, nodeB.env)
  await waitForAgent(client, stack.nodeId)
  await waitForAgent(client, nodeBId)
  brandId = (await client.brands.create({ payload: { name: `web tier ${Date.now()}` } })).id
  await client.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
}, 180_000)

afterAll(async () => {
  await stack?.stop()
  if (nodeA !== undefined) await stopDatabaseServices(nodeA.root)
  await nodeA?.cleanup()
  await nodeB?.cleanup()
  await db?.drop()
  if (keys) rmSync(keys, { recursive: true, force: true })
})

describe("the web tier through the SDK", () => {
  it("tenant → php webroot → FQDN serves PHP; SFTP uploads are served; suspend, unsuspend, migrate, delete", async () => {
    const created = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardA as never } })
    expect(created.status).toBe("pending")
    const key = clientKey(keys, "owner")
    const php = await client.webroots.create({ path: { id: created.id }, payload: { runtime: "php" } })
    expect(php.path).toBe(`/webroots/${php.name}`)
    const fqdn = await client.fqdns.create({ path: { id: php.id }, payload: { hostname: "shop.example.test" } })
    const sshKey = await client.sshKeys.create({
      path: { id: created.id },
      payload: { name: "owner", public_key: key.publicKey },
    })
    const tenant = await settled("tenant", tenantGet(created))
    await settled("webroot", () => client.webroots.get({ path: { id: php.id } }))
    await settled("fqdn", () => client.fqdns.get({ path: { id: fqdn.id } }))
    await settled("ssh key", () => client.sshKeys.get({ path: { id: sshKey.id } }))

    // the tenant uploads its code over SFTP into the webroot's path
    const index = join(keys, "index.php")
    writeFileSync(index, "<?php echo 'shop ', posix_getpwuid(posix_geteuid())['name'];")
    const up = sftp(nodeA.sshPort, userOf(nodeA, tenant), key.file, `put ${index} ${php.path}/index.php\n`)
    expect(up.code, up.output).toBe(0)
    const served = await eventually(
      "php",
      () => httpGet(nodeA.httpPort, "shop.example.test"),
      (r) => r.status === 200,
    )
    expect(served.body).toBe(`shop ${userOf(nodeA, tenant)}`)

    // static and node webroots likewise
    const html = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    await client.fqdns.create({ path: { id: html.id }, payload: { hostname: "static.example.test" } })
    const app = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "node" } })
    expect(app.entrypoint).toBe("server.js")
    await client.fqdns.create({ path: { id: app.id }, payload: { hostname: "app.example.test" } })
    await settled("static webroot", () => client.webroots.get({ path: { id: html.id } }))
    await settled("node webroot", () => client.webroots.get({ path: { id: app.id } }))
    const page = join(keys, "index.html")
    const server = join(keys, "server.js")
    writeFileSync(page, "static page\n")
    writeFileSync(
      server,
      "require('http').createServer((q, r) => r.end('node app')).listen(process.env.PORT, '127.0.0.1')",
    )
    const batch = `put ${page} ${html.path}/index.html\nput ${server} ${app.path}/server.js\n`
    expect(sftp(nodeA.sshPort, userOf(nodeA, tenant), key.file, batch).code).toBe(0)
    await eventually(
      "static",
      () => httpGet(nodeA.httpPort, "static.example.test"),
      (r) => r.body === "static page\n",
    )
    await eventually(
      "node",
      () => httpGet(nodeA.httpPort, "app.example.test"),
      (r) => r.body === "node app",
      30_000,
    )

    // suspend: 503 and SFTP refused; unsuspend: all back
    await client.tenants.suspend({ path: { id: tenant.id } })
    const suspended = await settled("suspend", tenantGet(tenant))
    expect(suspended.suspended).toBe(true)
    await eventually(
      "503",
      () => httpGet(nodeA.httpPort, "shop.example.test"),
      (r) => r.status === 503,
    )
    expect(sftp(nodeA.sshPort, userOf(nodeA, tenant), key.file, "pwd\n").code).not.toBe(0)
    await client.tenants.unsuspend({ path: { id: tenant.id } })
    await settled("unsuspend", tenantGet(tenant))
    await eventually(
      "php back",
      () => httpGet(nodeA.httpPort, "shop.example.test"),
      (r) => r.status === 200,
    )
    expect(sftp(nodeA.sshPort, userOf(nodeA, tenant), key.file, "pwd\n").code).toBe(0)

    // its database lives on the database shard, which a move between web shards does not touch
    const database = await client.databases.create({ path: { id: tenant.id }, payload: {} })
    const dbUser = await client.databaseUsers.create({
      path: { id: database.id },
      payload: { username: `${database.name}_app`, password: DB_PASSWORD },
    })
    await settled("database user", () => client.databaseUsers.get({ path: { id: dbUser.id } }))
    await settled("database", () => client.databases.get({ path: { id: database.id } }))
    const conn = await login(dbPort, dbUser.username, DB_PASSWORD, database.name)
    await conn.query("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
    await conn.query("INSERT INTO t VALUES (1, 'before the move')")
    await conn.end()

    // migrate to shard B: files and configs move, the source is cleaned
    await client.tenants.migrate({ path: { id: tenant.id }, payload: { shard_id: shardB as never } })
    const moved = await settled("migrate", tenantGet(tenant), 60_000)
    expect(moved.shard_id).toBe(shardB)
    expect(await settled("database", () => client.databases.get({ path: { id: database.id } }))).toMatchObject({
      shard_id: database.shard_id,
      migrate_to: null,
      port: dbPort,
    })
    const still = await login(dbPort, dbUser.username, DB_PASSWORD, database.name)
    expect((await still.query("SELECT v FROM t"))[0]).toEqual([{ v: "before the move" }])
    await still.end()
    const there = await eventually(
      "php on B",
      () => httpGet(nodeB.httpPort, "shop.example.test"),
      (r) => r.status === 200,
    )
    expect(there.body).toBe(`shop ${userOf(nodeB, tenant)}`)
    await eventually(
      "node on B",
      () => httpGet(nodeB.httpPort, "app.example.test"),
      (r) => r.body === "node app",
      30_000,
    )
    expect(sftp(nodeB.sshPort, userOf(nodeB, tenant), key.file, "pwd\n").code).toBe(0)
    await eventually(
      "gone from A",
      () => httpGet(nodeA.httpPort, "shop.example.test"),
      (r) => r.status === 404,
    )
    expect(existsSync(join(nodeA.root, "home", userOf(nodeA, tenant)))).toBe(false)
    expect(readFileSync("/etc/passwd", "utf8")).not.toContain(`${userOf(nodeA, tenant)}:`)

    // delete: user, files, configs and keys gone
    await client.tenants.delete({ path: { id: tenant.id } })
    await gone("tenant", tenantGet(tenant))
    await gone("webroot", () => client.webroots.get({ path: { id: php.id } }))
    expect(readFileSync("/etc/passwd", "utf8")).not.toContain(`${userOf(nodeB, tenant)}:`)
    expect(existsSync(join(nodeB.root, "home", userOf(nodeB, tenant)))).toBe(false)
    expect(readdirSync(join(nodeB.root, "nginx", "sites")).filter((f) => f.includes(tenant.name))).toEqual([])
    expect(readdirSync(join(nodeB.root, "php", "pool.d")).filter((f) => f.includes(tenant.name))).toEqual([])
    expect(existsSync(join(nodeB.root, "ssh", "keys", userOf(nodeB, tenant)))).toBe(false)
    await eventually(
      "site gone",
      () => httpGet(nodeB.httpPort, "shop.example.test"),
      (r) => r.status === 404,
    )
  }, 240_000)

  it("converge heals drift and its plan shows the changes first", async () => {
    const t = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardA as never } })
    const w = await client.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
    const f = await client.fqdns.create({ path: { id: w.id }, payload: { hostname: "drift.example.test" } })
    await settled("tenant", tenantGet(t))
    await settled("webroot", () => client.webroots.get({ path: { id: w.id } }))
    await settled("fqdn", () => client.fqdns.get({ path: { id: f.id } }))
    // a round still queued would restore the file before the plan looks
    await syncIdle(t.id)
    const sites = join(nodeA.root, "nginx", "sites")
    const mine = readdirSync(sites).find((f) => f.includes(w.name))!
    rmSync(join(sites, mine))
    writeFileSync(join(sites, "hp-stray.conf"), "# stray\n")

    const plan = await client.shards.converge({ path: { id: shardA as never }, payload: { plan: true } })
    expect(plan.plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node_id: stack.nodeId, action: "update", kind: "nginx_site", target: mine }),
        expect.objectContaining({
          node_id: stack.nodeId,
          action: "delete",
          kind: "nginx_site",
          target: "hp-stray.conf",
        }),
      ]),
    )
    expect(existsSync(join(sites, "hp-stray.conf"))).toBe(true)

    await client.shards.converge({ path: { id: shardA as never }, payload: {} })
    await settled("converge", () => client.shards.get({ path: { id: shardA as never } }))
    expect(existsSync(join(sites, mine))).toBe(true)
    expect(existsSync(join(sites, "hp-stray.conf"))).toBe(false)
    const again = await client.shards.converge({ path: { id: shardA as never }, payload: { plan: true } })
    expect(again.plan).toEqual([])
    await client.tenants.delete({ path: { id: t.id } })
    await gone("tenant", tenantGet(t))
  }, 120_000)

  it("survives the agent being killed while 20 webroots provision: all active, none duplicated, no orphans", async () => {
    const t = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardA as never } })
    await settled("tenant", tenantGet(t))
    const agent = stack.processes.get(`agent-${stack.nodeId}`)!
    const webroots = []
    for (let i = 0; i < 20; i++) {
      const w = await client.webroots.create({ path: { id: t.id }, payload: { runtime: i % 2 ? "php" : "static" } })
      await client.fqdns.create({ path: { id: w.id }, payload: { hostname: `k${i}.fault.example.test` } })
      webroots.push(w)
      if (i === 5) agent.child.kill("SIGKILL")
    }
    await agent.exited
    stack.startAgent(stack.nodeId, agentAEnv)
    for (const w of webroots)
      await settled(`webroot ${w.name}`, () => client.webroots.get({ path: { id: w.id } }), 90_000)
    const sites = readdirSync(join(nodeA.root, "nginx", "sites")).filter((f) => f.startsWith("hp-"))
    const user = userOf(nodeA, t)
    expect(sites.filter((f) => f.includes(t.name)).sort()).toEqual(
      webroots.map((w) => `hp-${user}.${w.name}.conf`).sort(),
    )
    expect(readdirSync(join(nodeA.root, "home", user, "webroots")).sort()).toEqual(webroots.map((w) => w.name).sort())
    expect(readdirSync(join(nodeA.root, "php", "pool.d")).filter((f) => f.includes(t.name))).toEqual([
      `hp-${user}-8.2.conf`,
    ])
    // and they serve: an index written into the first (static) webroot is answered
    const first = join(nodeA.root, "home", user, "webroots", webroots[0]!.name, "index.html")
    writeFileSync(first, "after the crash\n")
    execFileSync("chown", [`${user}:${user}`, first])
    await eventually(
      "k0",
      () => httpGet(nodeA.httpPort, "k0.fault.example.test"),
      (r) => r.body === "after the crash\n",
    )
    await client.tenants.delete({ path: { id: t.id } })
    await gone("tenant", tenantGet(t), 60_000)
    expect(readdirSync(join(nodeA.root, "nginx", "sites")).filter((f) => f.includes(t.name))).toEqual([])
    expect(execFileSync("getent", ["passwd"]).toString()).not.toContain(`${user}:`)
  }, 240_000)
})
