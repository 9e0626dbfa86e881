// The LB tier end to end through the SDK: FQDN bind/unbind → SyncLbWorkflow → the LB node's agent
// → a real HAProxy routing to two web shards' real nginx. The two web nodes share one HTTP port on
// two loopback addresses (127.0.0.2 and 127.0.0.3), as web nodes of a cluster share a port on
// their own addresses; the lb shard's config names that port.
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { haproxyCli, haproxyInfo } from "@hosting/agent"
import { lbBackendName } from "@hosting/core"
import { freePort } from "@hosting/dev"
import { createClient, type PromiseClient, type Tenant, type Webroot } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { makeTestLbNode, type TestLbNode } from "../support/lb-node.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import {
  eventually,
  httpGet,
  makeTestWebNode,
  type Status,
  type TestWebNode,
  settled as waitSettled,
} from "../support/web-node.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let stack: Stack
let nodeA: TestWebNode
let nodeB: TestWebNode
let lbNode: TestLbNode
let client: PromiseClient
let brandId: string
let shardA: string
let shardB: string
let lbShard: string
let clusterId: string
let temporal: Client

// longer than elsewhere: two web nodes and an LB node share the machine in this suite
const settled = <A extends Status>(what: string, read: () => Promise<A>, timeoutMs = 60_000) =>
  waitSettled(what, read, timeoutMs)
/** Waits until the cluster's LB sync has no round left to run (a test's drift must not be healed by it). */
const lbSyncIdle = () =>
  eventually(
    "the LB sync to finish",
    async () => (await temporal.workflow.getHandle(`cluster:${clusterId}:lb-sync`).describe()).status.name,
    (s) => s !== "RUNNING",
  )
const viaLb = (host: string) => httpGet(lbNode.httpPort, host)
const mapOf = async () =>
  (await haproxyCli(join(lbNode.root, "admin.sock"), `show map ${join(lbNode.root, "hosts.map")}`))
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split(" ").slice(1).join(" "))
    .sort()

/** A tenant on a shard with one static webroot whose index says which shard served it. */
const siteOn = async (node: TestWebNode, shard: string, label: string) => {
  const t = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shard as never } })
  const w = await client.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
  const tenant = await settled("tenant", () => client.tenants.get({ path: { id: t.id } }))
  await settled("webroot", () => client.webroots.get({ path: { id: w.id } }))
  const user = `${node.userPrefix}${tenant.name}`
  const index = join(node.root, "home", user, "webroots", w.name, "index.html")
  writeFileSync(index, `${label}\n`)
  execFileSync("chown", [`${user}:${user}`, index])
  return { tenant, webroot: w }
}
const bind = async (w: Webroot, hostname: string) => {
  const f = await client.fqdns.create({ path: { id: w.id }, payload: { hostname } })
  return settled(`fqdn ${hostname}`, () => client.fqdns.get({ path: { id: f.id } }))
}

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_lb")
  nodeA = await makeTestWebNode()
  nodeB = await makeTestWebNode()
  lbNode = await makeTestLbNode()
  const webPort = await freePort()
  const onAddress = (n: TestWebNode, address: string) => ({
    ...n.env,
    HOSTING_HTTP_HOST: address,
    HOSTING_HTTP_PORT: String(webPort),
  })
  // the stack's own agent is web node A (the `local` cluster's web shard)
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: { ...onAddress(nodeA, "127.0.0.2"), HOSTING_AGENT_TIMEOUT_SECONDS: "30" },
  })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  clusterId = cluster.id
  temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  const shards = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items
  shardA = shards.find((s) => s.role === "web")!.id
  await client.nodes.update({ path: { id: stack.nodeId as never }, payload: { addresses: ["127.0.0.2"] } })
  shardB = (await client.shards.create({ path: { id: cluster.id }, payload: { name: "web-b", role: "web" } })).id
  const nodeBId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "web-b.test", addresses: ["127.0.0.3"], shard_ids: [shardB as never] },
    })
  ).id
  lbShard = (
    await client.shards.create({
      path: { id: cluster.id },
      payload: { name: "lb", role: "lb", config: { web_port: webPort } },
    })
  ).id
  const lbNodeId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "lb.test", addresses: ["127.0.0.1"], shard_ids: [lbShard as never] },
    })
  ).id
  stack.startAgent(nodeBId, onAddress(nodeB, "127.0.0.3"))
  stack.startAgent(lbNodeId, lbNode.env)
  await waitForAgent(client, stack.nodeId)
  await waitForAgent(client, nodeBId)
  await waitForAgent(client, lbNodeId)
  brandId = (await client.brands.create({ payload: { name: `lb tier ${Date.now()}` } })).id
  await client.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
}, 180_000)

afterAll(async () => {
  await temporal?.connection.close()
  await stack?.stop()
  await lbNode?.cleanup()
  await nodeA?.cleanup()
  await nodeB?.cleanup()
  await db?.drop()
})

describe("the LB tier through the SDK", () => {
  let a: { tenant: Tenant; webroot: Webroot }
  let b: { tenant: Tenant; webroot: Webroot }

  it("binding names routes them to their shard's nginx; unbinding stops them; HAProxy never reloads", async () => {
    a = await siteOn(nodeA, shardA, "served by shard A")
    b = await siteOn(nodeB, shardB, "served by shard B")
    // the first bind brings the backends (the one reload); everything after goes through the socket
    await bind(a.webroot, "a.lb.test")
    await eventually(
      "a via the LB",
      () => viaLb("a.lb.test"),
      (r) => r.body === "served by shard A\n",
    )
    const before = await haproxyInfo(lbNode.root)

    await bind(b.webroot, "b.lb.test")
    await bind(b.webroot, "www.b.lb.test")
    await eventually(
      "b via the LB",
      () => viaLb("b.lb.test"),
      (r) => r.body === "served by shard B\n",
    )
    // the two binds may reach the LB in two rounds of its sync: wait for the second name too
    await eventually(
      "www.b via the LB, the Host header in any case and with a port",
      () => viaLb("WWW.B.LB.TEST:80"),
      (r) => r.body === "served by shard B\n",
    )
    expect((await viaLb("unbound.lb.test")).status).toBe(404)

    const fqdns = await client.fqdns.list({ path: { id: a.webroot.id }, urlParams: {} })
    const unbound = fqdns.items[0]!
    await client.fqdns.delete({ path: { id: unbound.id } })
    await eventually(
      "a unbound",
      () => viaLb("a.lb.test"),
      (r) => r.status === 404 && r.body.includes("no site is bound"),
    )
    expect(await mapOf()).toEqual([`b.lb.test ${lbBackendName(shardB)}`, `www.b.lb.test ${lbBackendName(shardB)}`])
    const after = await haproxyInfo(lbNode.root)
    expect(after.pid).toBe(before.pid)
    expect(after.startTime).toBe(before.startTime)
    // and the map file follows for a restart
    const file = execFileSync("cat", [join(lbNode.root, "hosts.map")]).toString()
    expect(file).toBe(`b.lb.test ${lbBackendName(shardB)}\nwww.b.lb.test ${lbBackendName(shardB)}\n`)
    // the row goes once the web node dropped the name (that asks the LB sync once more)
    await eventually(
      "fqdn row gone",
      () =>
        client.fqdns.get({ path: { id: unbound.id } }).then(
          () => "there",
          (e: { _tag?: string }) => e._tag ?? "error",
        ),
      (s) => s === "NotFound",
    )
  }, 180_000)

  it("converging the lb shard shows drift in its plan, then removes it without a reload", async () => {
    await lbSyncIdle()
    const map = join(lbNode.root, "hosts.map")
    await haproxyCli(join(lbNode.root, "admin.sock"), `add map ${map} stale.lb.test ${lbBackendName(shardA)}`)
    await haproxyCli(join(lbNode.root, "admin.sock"), `del map ${map} b.lb.test`)
    const before = await haproxyInfo(lbNode.root)
    const plan = await client.shards.converge({ path: { id: lbShard as never }, payload: { plan: true } })
    expect(plan.plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "delete", kind: "lb_route", target: "stale.lb.test" }),
        expect.objectContaining({
          action: "create",
          kind: "lb_route",
          target: "b.lb.test",
          detail: lbBackendName(shardB),
        }),
      ]),
    )
    expect(await mapOf()).toContain(`stale.lb.test ${lbBackendName(shardA)}`)

    await client.shards.converge({ path: { id: lbShard as never }, payload: {} })
    await settled("lb converge", () => client.shards.get({ path: { id: lbShard as never } }))
    expect(await mapOf()).toEqual([`b.lb.test ${lbBackendName(shardB)}`, `www.b.lb.test ${lbBackendName(shardB)}`])
    expect((await viaLb("b.lb.test")).body).toBe("served by shard B\n")
    expect((await haproxyInfo(lbNode.root)).pid).toBe(before.pid)
    const again = await client.shards.converge({ path: { id: lbShard as never }, payload: { plan: true } })
    expect(again.plan).toEqual([])
  }, 120_000)

  it("a web node joining or leaving a shard changes its LB backend without any bind", async () => {
    const cfg = () => readFileSync(join(lbNode.root, "haproxy.cfg"), "utf8")
    const node = await client.nodes.create({
      path: { id: clusterId as never },
      payload: { hostname: "web-c.test", addresses: ["127.0.0.4"], shard_ids: [shardB as never] },
    })
    await eventually(
      "the new node in shard B's backend",
      async () => cfg(),
      (c) => c.includes(`server node-${node.id} 127.0.0.4:`),
      45_000,
    )
    await client.nodes.update({ path: { id: node.id }, payload: { addresses: ["127.0.0.5"] } })
    await eventually(
      "its new address",
      async () => cfg(),
      (c) => c.includes(`server node-${node.id} 127.0.0.5:`) && !c.includes("127.0.0.4:"),
      45_000,
    )
    await client.nodes.delete({ path: { id: node.id } })
    await eventually(
      "the node gone from the backend",
      async () => cfg(),
      (c) => !c.includes(`node-${node.id}`),
      45_000,
    )
    // the file is written before HAProxy reloads: let the round finish, the next test counts reloads
    await lbSyncIdle()
  }, 180_000)

  it("a migrated tenant's names follow it to the new shard; a deleted tenant's names stop routing", async () => {
    const before = await haproxyInfo(lbNode.root)
    await client.tenants.migrate({ path: { id: b.tenant.id }, payload: { shard_id: shardA as never } })
    const moved = await settled("migrate", () => client.tenants.get({ path: { id: b.tenant.id } }), 90_000)
    expect(moved.shard_id).toBe(shardA)
    await eventually(
      "routes moved",
      mapOf,
      (m) => m.join() === [`b.lb.test ${lbBackendName(shardA)}`, `www.b.lb.test ${lbBackendName(shardA)}`].join(),
    )
    // the files moved with the tenant: shard A's nginx now serves them
    expect((await viaLb("b.lb.test")).body).toBe("served by shard B\n")

    await client.tenants.delete({ path: { id: b.tenant.id } })
    await eventually("routes gone", mapOf, (m) => m.length === 0, 60_000)
    expect((await viaLb("b.lb.test")).status).toBe(404)
    expect((await haproxyInfo(lbNode.root)).pid).toBe(before.pid)
  }, 180_000)
})
