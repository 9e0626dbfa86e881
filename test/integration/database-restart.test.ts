// An agent SIGKILLed while 20 databases are being created: the restarted agent adopts its MariaDB,
// the serializers' activities run again (idempotently), and every database ends active exactly
// once, with a user that logs in.
import { ADMIN_USER, adminPassword, databasePaths } from "@hosting/agent"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { createConnection } from "mysql2/promise"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { login, makeTestDatabaseNode, type TestDatabaseNode } from "../support/database-node.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, settled } from "../support/web-node.js"

let db: TestDatabase
let node: TestDatabaseNode
let stack: Stack
let client: PromiseClient
let env: NodeJS.ProcessEnv
let tenantId: string

const PASSWORD = "restart password 1"
const COUNT = 20

describe("an agent killed while databases are created", () => {
  beforeAll(async () => {
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_dbrestart")
    node = await makeTestDatabaseNode()
    env = { ...node.env, HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1", HOSTING_AGENT_TIMEOUT_SECONDS: "120" }
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      // tenants need a web shard to be placed on; this agent serves only the database role
      env: { ...env, HOSTING_LOCAL_NODE_ROLES: "web,database" },
    })
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    await waitForAgent(client, stack.nodeId, 60)
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: "restart" } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    tenantId = (await client.tenants.create({ payload: { brand_id: brand.id } })).id
  }, 240_000)

  afterAll(async () => {
    await stack?.stop()
    await node?.cleanup()
    await db?.stop()
  })

  it("ends with every database active once, and every user logs in", async () => {
    const created = await Promise.all(
      Array.from({ length: COUNT }, async () => {
        const d = await client.databases.create({ path: { id: tenantId as never }, payload: {} })
        const u = await client.databaseUsers.create({
          path: { id: d.id },
          payload: { username: `${d.name}_app`, password: PASSWORD },
        })
        return { d, u }
      }),
    )
    // kill the agent while rounds are in flight (some may have finished, most have not)
    const agent = stack.processes.get(`agent-${stack.nodeId}`)!
    agent.child.kill("SIGKILL")
    await agent.exited
    stack.startAgent(stack.nodeId, env)
    for (const { d, u } of created) {
      await settled("database", () => client.databases.get({ path: { id: d.id } }), 120_000)
      await settled("user", () => client.databaseUsers.get({ path: { id: u.id } }), 120_000)
    }
    const admin = await createConnection({
      socketPath: databasePaths(node.root).socket,
      user: ADMIN_USER,
      password: await adminPassword(node.root),
    })
    const [schemas] = await admin.query(
      "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'db\\_%' ORDER BY 1",
    )
    const [accounts] = await admin.query("SELECT User AS n FROM mysql.global_priv WHERE User LIKE 'db\\_%' ORDER BY 1")
    await admin.end()
    const names = created.map(({ d }) => d.name).sort()
    expect((schemas as Array<{ n: string }>).map((r) => r.n)).toEqual(names)
    expect((accounts as Array<{ n: string }>).map((r) => r.n)).toEqual(names.map((n) => `${n}_app`))
    for (const { d, u } of created) {
      const conn = await eventually(
        "login",
        () => login(node.port, u.username, PASSWORD, d.name),
        () => true,
      )
      await conn.end()
    }
  })
})
