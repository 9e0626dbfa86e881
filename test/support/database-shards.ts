// Two database shards of one cluster, one agent each with its own MariaDB, for moving databases
// between them: the stack's own agent is node A (the `local` cluster's database shard), node B a
// second agent on a shard of its own. A brand may use the cluster, and has a tenant (on a web
// shard without nodes: nothing here asks a web node for anything). Shared by the migration suite
// and bench/database/migrate.ts.
import { randomUUID } from "node:crypto"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { waitForAgent } from "./agents.js"
import { makeTestDatabaseNode, type TestDatabaseNode } from "./database-node.js"
import { type Stack, startStack } from "./stack.js"

export interface DatabaseShardPair {
  readonly a: TestDatabaseNode
  readonly b: TestDatabaseNode
  readonly stack: Stack
  /** The platform admin. */
  readonly admin: PromiseClient
  /** A key of the brand (every scope, that brand only). */
  readonly client: PromiseClient
  readonly brandKey: string
  readonly regionId: string
  readonly clusterId: string
  readonly shardA: string
  readonly shardB: string
  readonly webShard: string
  readonly nodeB: string
  /** The agent environment of node B (to start it again after stopping it). */
  readonly envB: NodeJS.ProcessEnv
  readonly tenantId: string
  /** Stops the stack and both servers, and removes their roots. */
  stop(): Promise<void>
}

export const startDatabaseShardPair = async (options: {
  readonly databaseUrl: string
  readonly temporalAddress: string
  /** Settings for both agents (HOSTING_AGENT_TIMEOUT_SECONDS, HOSTING_MARIADB_BUFFER_POOL_MB, …). */
  readonly env?: NodeJS.ProcessEnv
}): Promise<DatabaseShardPair> => {
  const [a, b] = await Promise.all([makeTestDatabaseNode(), makeTestDatabaseNode()])
  const stop = async (stack?: Stack) => {
    await stack?.stop()
    await a.cleanup()
    await b.cleanup()
  }
  let stack: Stack | undefined
  try {
    stack = await startStack({
      databaseUrl: options.databaseUrl,
      temporalAddress: options.temporalAddress,
      env: {
        ...a.env,
        HOSTING_LOCAL_NODE_ROLES: "database",
        HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1",
        ...options.env,
      },
    })
    const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const region = (await admin.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await admin.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const shards = (await admin.shards.list({ path: { id: cluster.id }, urlParams: {} })).items
    const shardA = shards.find((s) => s.role === "database")!.id
    const shardB = (
      await admin.shards.create({
        path: { id: cluster.id },
        payload: { name: "database-b", role: "database", config: { mariadb_port: b.port } },
      })
    ).id
    const webShard = (await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })).id
    const nodeB = (
      await admin.nodes.create({
        path: { id: cluster.id },
        payload: { hostname: "database-b.test", addresses: ["127.0.0.1"], shard_ids: [shardB as never] },
      })
    ).id
    const envB = { ...b.env, ...options.env }
    stack.startAgent(nodeB, envB)
    const brand = await admin.brands.create({ payload: { name: `databases ${randomUUID().slice(0, 8)}` } })
    await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const key = await admin.apiKeys.create({ payload: { name: "brand", scopes: ["*"], brands: [brand.id] } })
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: key.key })
    const tenantId = (await client.tenants.create({ payload: { brand_id: brand.id } })).id
    await waitForAgent(admin, stack.nodeId, 60)
    await waitForAgent(admin, nodeB, 60)
    const started = stack
    return {
      a,
      b,
      stack,
      admin,
      client,
      brandKey: key.key,
      regionId: region.id,
      clusterId: cluster.id,
      shardA,
      shardB,
      webShard,
      nodeB,
      envB,
      tenantId,
      stop: () => stop(started),
    }
  } catch (e) {
    await stop(stack)
    throw e
  }
}
