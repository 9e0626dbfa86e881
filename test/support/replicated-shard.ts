// A database shard of several real nodes behind the whole platform (API, control-plane worker, one
// agent per node, each with its own MariaDB), for the replication and failover suites. Every node
// listens on the same port at an address of its own in 127.0.0.0/8, as a shard's nodes do on their
// machines: a database's connection host (its shard's primary) then says which server it is.
import { randomInt } from "node:crypto"
import { ADMIN_USER, adminPassword, databasePaths } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createClient, type PromiseClient, type Shard, type ShardReplication } from "@hosting/sdk"
import { Client, Connection, ScheduleOverlapPolicy } from "@temporalio/client"
import { createConnection, type Connection as MariaDb } from "mysql2/promise"
import { inject } from "vitest"
import { waitForAgent } from "./agents.js"
import { makeTestDatabaseNode, type TestDatabaseNode } from "./database-node.js"
import { postgresDatabase, type TestDatabase } from "./databases.js"
import { type Stack, startStack } from "./stack.js"

export interface ShardNode {
  readonly id: string
  readonly address: string
  readonly test: TestDatabaseNode
  readonly env: NodeJS.ProcessEnv
}

export interface ReplicatedShard {
  readonly db: TestDatabase
  readonly stack: Stack
  readonly admin: PromiseClient
  readonly temporal: Client
  readonly shardId: string
  /** The MariaDB port of every node (the shard's `mariadb_port`). */
  readonly port: number
  /** The first is the stack's own agent. */
  readonly nodes: ReadonlyArray<ShardNode>
  readonly tenantId: string
  /** Stops every process and MariaDB (by PID) and drops the database. */
  stop(): Promise<void>
}

/** Starts the platform with `count` database nodes in one shard of the `local` cluster; no primary named yet. */
export const startReplicatedShard = async (
  prefix: string,
  count: number,
  agentTimeoutSeconds = 20,
): Promise<ReplicatedShard> => {
  const db = await postgresDatabase(inject("postgresAdminUrl"), prefix)
  const port = await freePort()
  // a /24 of loopback addresses of this run's own: the same port is free on each
  const net = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`
  const tests = await Promise.all(Array.from({ length: count }, () => makeTestDatabaseNode()))
  const envOf = (t: TestDatabaseNode, i: number) => ({
    ...t.env,
    HOSTING_MARIADB_HOST: `${net}.${i + 1}`,
    HOSTING_MARIADB_PORT: String(port),
  })
  const stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: {
      ...envOf(tests[0]!, 0),
      HOSTING_LOCAL_NODE_ROLES: "database",
      HOSTING_LOCAL_NODE_ADDRESSES: `${net}.1`,
      HOSTING_AGENT_TIMEOUT_SECONDS: String(agentTimeoutSeconds),
    },
  })
  const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await admin.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await admin.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const shard = (await admin.shards.list({ path: { id: cluster.id }, urlParams: {} })).items.find(
    (s) => s.role === "database",
  )!
  // tenants need a web shard; nothing here asks its (absent) nodes for anything
  await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
  const nodes: Array<ShardNode> = [{ id: stack.nodeId, address: `${net}.1`, test: tests[0]!, env: envOf(tests[0]!, 0) }]
  for (const [i, test] of tests.entries()) {
    if (i === 0) continue
    const address = `${net}.${i + 1}`
    const node = await admin.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: `db${i + 1}.replication.test`, addresses: [address], shard_ids: [shard.id] },
    })
    const env = envOf(test, i)
    stack.startAgent(node.id, env)
    nodes.push({ id: node.id, address, test, env })
  }
  for (const n of nodes) await waitForAgent(admin, n.id, 60)
  const brand = await admin.brands.create({ payload: { name: `${prefix} ${randomInt(1e9)}` } })
  await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const tenantId = (await admin.tenants.create({ payload: { brand_id: brand.id } })).id
  const temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  const stop = async () => {
    await temporal.connection.close()
    await stack.stop()
    for (const n of nodes) await n.test.cleanup()
    await db.stop()
  }
  return { db, stack, admin, temporal, shardId: shard.id, port, nodes, tenantId, stop }
}

/** The shard once it is `active` or `failed` again (a converge or failover finished). */
export const shardSettled = async (s: ReplicatedShard, timeoutMs = 180_000): Promise<Shard> => {
  const deadline = Date.now() + timeoutMs
  let last = await s.admin.shards.get({ path: { id: s.shardId as never } })
  while (Date.now() < deadline && last.status === "provisioning") {
    await new Promise((r) => setTimeout(r, 200))
    last = await s.admin.shards.get({ path: { id: s.shardId as never } })
  }
  if (last.status === "provisioning") throw new Error(`the shard is still provisioning: ${JSON.stringify(last)}`)
  return last
}

/** Runs the replication check now, as its schedule would within a minute. */
export const checkNow = (s: ReplicatedShard) =>
  s.temporal.schedule.getHandle("check-database-replication").trigger(ScheduleOverlapPolicy.ALLOW_ALL)

/** Waits until GET /shards/{id}/replication satisfies `ok`, running the check meanwhile. */
export const replicationWhere = async (
  s: ReplicatedShard,
  ok: (r: ShardReplication) => boolean,
  timeoutMs = 60_000,
): Promise<ShardReplication> => {
  const deadline = Date.now() + timeoutMs
  let last = await s.admin.shards.replication({ path: { id: s.shardId as never } })
  let nextCheck = 0
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`replication never got there: ${JSON.stringify(last)}`)
    if (Date.now() > nextCheck) {
      await checkNow(s)
      nextCheck = Date.now() + 3_000
    }
    await new Promise((r) => setTimeout(r, 200))
    last = await s.admin.shards.replication({ path: { id: s.shardId as never } })
  }
  return last
}

/** The platform's own login to a node's MariaDB (its admin account over the socket). */
export const asAdmin = async (n: ShardNode): Promise<MariaDb> =>
  createConnection({
    socketPath: databasePaths(n.test.root).socket,
    user: ADMIN_USER,
    password: await adminPassword(n.test.root),
  })

/** The ids in table `t` of a database on a node, as its admin reads them. */
export const idsOn = async (n: ShardNode, database: string): Promise<Array<number>> => {
  const c = await asAdmin(n)
  try {
    const [rows] = await c.query(`SELECT id FROM \`${database}\`.t ORDER BY id`)
    return (rows as Array<{ id: number }>).map((r) => r.id)
  } finally {
    await c.end()
  }
}
