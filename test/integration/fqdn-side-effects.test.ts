// An FQDN's status gathers every side effect of the binding, against real services: nginx on the
// stack's web node, HAProxy on an LB node, PowerDNS on a DNS node (each its own agent). A stopped
// LB agent fails the LB round and the FQDN says so with the node's reason; a PowerDNS that does
// not answer fails the zone's round and the FQDN says that (and so do search and the dashboard);
// retrying the FQDN sends those sides again once they are back.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fqdnSpec } from "@hosting/core"
import { createClient, type Fqdn, type PromiseClient, type Webroot } from "@hosting/sdk"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { dig, makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { makeTestLbNode, type TestLbNode } from "../support/lb-node.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, makeTestWebNode, settled, type TestWebNode } from "../support/web-node.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let sql: pg.Client
let stack: Stack
let web: TestWebNode
let lb: TestLbNode
let dns: TestDnsNode
let client: PromiseClient
let lbNodeId: string
let dnsNodeId: string
let webroot: Webroot
const ZONE = "sides.test"

const read = (f: Fqdn) => () => client.fqdns.get({ path: { id: f.id } })
/** Waits until the FQDN failed on `side` alone: its web round done, the other sides active. */
const failedOn = (side: "lb" | "dns", f: Fqdn) =>
  eventually(
    `the ${side} side to fail`,
    read(f),
    (x) =>
      x.status === "failed" &&
      x.side_effects.web.status === "active" &&
      (["lb", "dns"] as const).every((s) => x.side_effects[s]?.status === (s === side ? "failed" : "active")),
    60_000,
  ).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await read(f)())}`)
  })
/** What search and the dashboard's recent failures answer of an FQDN. */
const inOverview = async (f: Fqdn) => {
  const hits = (await client.search.search({ urlParams: { q: f.hostname } })).groups.find((g) => g.type === "fqdns")
  const failure = (await client.dashboard.stats()).recent_failures.find((r) => r.type === "fqdns" && r.id === f.id)
  return { hit: hits?.items.find((i) => i.id === f.id), failure: failure && { status_message: failure.status_message } }
}
const fqdnCounts = async () => (await client.dashboard.stats()).counts["fqdns"]
const bind = (hostname: string) => client.fqdns.create({ path: { id: webroot.id }, payload: { hostname } })
/** Stops an agent of this suite by its PID and starts it again later with the same environment. */
const agent = (nodeId: string) => stack.processes.get(`agent-${nodeId}`)!

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_fqdn_sides")
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  web = await makeTestWebNode()
  lb = await makeTestLbNode()
  dns = await makeTestDnsNode(inject("postgresAdminUrl"))
  // a short agent timeout: a stopped agent fails its round within seconds
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: { ...web.env, HOSTING_AGENT_TIMEOUT_SECONDS: "10" },
  })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  await client.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.44" } })
  const lbShard = await client.shards.create({
    path: { id: cluster.id },
    payload: { name: "lb", role: "lb", config: { web_port: Number(web.env["HOSTING_HTTP_PORT"]) } },
  })
  const dnsShard = await client.shards.create({ path: { id: cluster.id }, payload: { name: "dns", role: "dns" } })
  lbNodeId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "lb.test", addresses: ["127.0.0.1"], shard_ids: [lbShard.id] },
    })
  ).id
  dnsNodeId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "dns.test", addresses: ["127.0.0.1"], shard_ids: [dnsShard.id] },
    })
  ).id
  stack.startAgent(lbNodeId, lb.env)
  stack.startAgent(dnsNodeId, dns.env)
  await waitForAgent(client, stack.nodeId)
  await waitForAgent(client, lbNodeId)
  await waitForAgent(client, dnsNodeId)
  const brand = await client.brands.create({
    payload: { name: `sides ${Date.now()}`, ns_hostnames: ["ns1.sides.example", "ns2.sides.example"] },
  })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const zone = await client.zones.create({ payload: { name: ZONE, brand_id: brand.id } })
  await settled("zone", () => client.zones.get({ path: { id: zone.id } }), 60_000)
  const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
  webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
  await settled("webroot", () => client.webroots.get({ path: { id: webroot.id } }), 60_000)
}, 240_000)

afterAll(async () => {
  await sql?.end()
  await stack?.stop()
  await lb?.cleanup()
  await dns?.cleanup()
  await web?.cleanup()
  await db?.drop()
})

describe("an FQDN's status gathers its side effects", () => {
  it("is active when nginx, the LB route, the DNS records are all in place; a side that does not apply is null", async () => {
    const f = await bind(`www.${ZONE}`)
    expect(f.side_effects.web.status).toBe("pending")
    const active = await settled("fqdn", read(f), 60_000)
    expect(active).toMatchObject({
      status: "active",
      status_message: null,
      status_details: null,
      side_effects: {
        web: { status: "active", message: null },
        lb: { status: "active", message: null },
        dns: { status: "active", message: null },
        certificate: null,
      },
    })
    await eventually(
      "the A record",
      async () => dig(dns.dnsPort, `www.${ZONE}`, "A"),
      (a) => a[0] === "192.0.2.44",
    )
    // a name no zone of the brand covers has no DNS side
    const outside = await settled("fqdn outside", read(await bind("outside-sides.test")), 60_000)
    expect(outside.side_effects.dns).toBeNull()
    const page = await client.fqdns.list({ path: { id: webroot.id }, urlParams: { status: "active" } })
    expect(page.items.map((x) => x.hostname)).toEqual(["outside-sides.test", `www.${ZONE}`])
  }, 120_000)

  it("fails with the LB node's reason while its agent is stopped, and is active after a retry once it is back", async () => {
    await agent(lbNodeId).stop()
    const f = await bind(`shop.${ZONE}`)
    const down = await failedOn("lb", f)
    expect(down.status_message).toMatch(new RegExp(`^load balancer: node ${lbNodeId}: `))
    expect(down.status_details?.causes.map((c) => [c.side, c.node_id])).toEqual([["lb", lbNodeId]])
    expect(down.status_details?.causes[0]?.message).toBe(down.side_effects.lb?.message?.replace(/^node \S+: /, ""))
    // every name of the cluster shares that LB round: the status filter runs on the gathered status
    const failedPage = await client.fqdns.list({ path: { id: webroot.id }, urlParams: { status: "failed" } })
    expect(failedPage.items.map((x) => x.hostname)).toEqual(["outside-sides.test", `shop.${ZONE}`, `www.${ZONE}`])
    expect((await client.fqdns.list({ path: { id: webroot.id }, urlParams: { status: "active" } })).items).toEqual([])
    // its own row (the web side) is active: search and the dashboard answer the gathered status and reason
    expect((await sql.query("SELECT status FROM fqdns WHERE id = $1", [f.id])).rows).toEqual([{ status: "active" }])
    expect(await inOverview(f)).toEqual({
      hit: { id: f.id, name: f.hostname, status: "failed" },
      failure: { status_message: (await read(f)()).status_message },
    })
    expect(await fqdnCounts()).toEqual({ total: 3, by_status: { failed: 3 } })

    stack.startAgent(lbNodeId, lb.env)
    await waitForAgent(client, lbNodeId)
    const retried = await client.fqdns.retry({ path: { id: f.id } })
    expect(retried.status).toBe("provisioning")
    expect(retried.side_effects.lb?.status).toBe("provisioning")
    const back = await settled("fqdn after the retry", read(f), 60_000)
    expect(back.side_effects).toEqual({
      web: { status: "active", message: null },
      lb: { status: "active", message: null },
      dns: { status: "active", message: null },
      certificate: null,
    })
    // the other name shared the LB round: it is active again too
    const www = (await client.fqdns.list({ path: { id: webroot.id }, urlParams: { search: "www" } })).items[0]!
    expect(www.status).toBe("active")
    // a retry of an FQDN that is not failed changes nothing
    await expect(client.fqdns.retry({ path: { id: f.id } })).rejects.toMatchObject({ _tag: "Conflict" })
  }, 150_000)

  it("fails with the DNS side's reason while PowerDNS does not answer, and is active after a retry", async () => {
    // PowerDNS runs detached from its agent: stopped by the PID it wrote, started again by the agent
    const pid = Number.parseInt(readFileSync(join(dns.root, "pdns", "pdns_server.pid"), "utf8"), 10)
    process.kill(pid, "SIGTERM")
    await eventually(
      "pdns_server to exit",
      async () => {
        try {
          process.kill(pid, 0)
          return false
        } catch {
          return true
        }
      },
      (gone) => gone,
    )
    const f = await bind(`blog.${ZONE}`)
    const down = await failedOn("dns", f)
    expect(down.status_message).toMatch(new RegExp(`^DNS zone ${ZONE.replace(".", "\\.")}: node ${dnsNodeId}: `))
    expect(down.status_details?.causes.map((c) => [c.side, c.node_id])).toEqual([["dns", dnsNodeId]])
    expect(await inOverview(f)).toEqual({
      hit: { id: f.id, name: f.hostname, status: "failed" },
      failure: { status_message: (await read(f)()).status_message },
    })
    // the zone's round is every name's in it: only the name outside the zone is active
    expect(await fqdnCounts()).toEqual({ total: 4, by_status: { active: 1, failed: 3 } })

    await agent(dnsNodeId).stop()
    stack.startAgent(dnsNodeId, dns.env)
    await waitForAgent(client, dnsNodeId)
    const retried = await client.fqdns.retry({ path: { id: f.id } })
    expect(["pending", "provisioning"]).toContain(retried.side_effects.dns?.status)
    const back = await settled("fqdn after the retry", read(f), 60_000)
    expect(back.side_effects.dns).toEqual({ status: "active", message: null })
    expect(await inOverview(f)).toEqual({ hit: { id: f.id, name: f.hostname, status: "active" }, failure: undefined })
    expect(await fqdnCounts()).toEqual({ total: 4, by_status: { active: 4 } })
    await eventually(
      "the A record",
      async () => dig(dns.dnsPort, `blog.${ZONE}`, "A"),
      (a) => a[0] === "192.0.2.44",
    )
  }, 150_000)

  it("lists a webroot's FQDNs by index: one lookup per FQDN into shards, zones and certificates", async () => {
    // the list's own query, as listPage builds it for GET /webroots/{id}/fqdns?status=failed
    const query = `EXPLAIN SELECT ${fqdnSpec.select} FROM ${fqdnSpec.from}
      WHERE t.webroot_id = $1 AND t.status = 'failed' ORDER BY t.hostname, t.id LIMIT 51`
    // planned as if the tables were large: small tables are scanned whatever their indexes
    await sql.query("SET enable_seqscan = off")
    const plan = (await sql.query(query, [webroot.id])).rows.map((r: { "QUERY PLAN": string }) => r["QUERY PLAN"])
    console.log(plan.join("\n"))
    const text = plan.join("\n")
    expect(text).not.toMatch(/Seq Scan on (fqdns|shards|zones|certificates|tenants)/)
    // the covering zone: one probe of the zones' name index with the name's suffixes
    expect(text).toMatch(/Index Scan on zones_name_\w+ .*\n\s+Index Cond: \(name = ANY /)
    expect(text).toMatch(/Index Scan using fqdns_webroot on fqdns/)
    expect(text).toMatch(/Index Scan using shards_cluster_id_name_key on shards/)
    expect(text).toMatch(/Index Scan using certificates_fqdn_created on certificates/)
  })
})
