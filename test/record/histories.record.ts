// Runs every serializer and converge workflow (and the probe, issuance and scheduled ones) for
// real — API, control-plane worker and one agent with the web, dns and lb roles against nginx,
// PowerDNS and HAProxy — then saves each run's history under test/fixtures/histories/
// (families.record.ts records the database, email and s3 ones).
import { stopDnsServices } from "@hosting/agent"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import { afterAll, beforeAll, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { makeTestLbNode, type TestLbNode } from "../support/lb-node.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, makeTestWebNode, settled, type TestWebNode } from "../support/web-node.js"
import { saveHistories } from "./save.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let web: TestWebNode
let dns: TestDnsNode
let lb: TestLbNode
let stack: Stack
let client: PromiseClient
let temporal: Client

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_record")
  web = await makeTestWebNode()
  dns = await makeTestDnsNode(inject("postgresAdminUrl"))
  lb = await makeTestLbNode()
  const { HOSTING_NODE_ROOT: _dnsRoot, ...dnsEnv } = dns.env
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: {
      ...web.env,
      ...dnsEnv,
      ...lb.env,
      HOSTING_AGENT_ROLES: "web,dns,lb",
      HOSTING_LOCAL_NODE_ROLES: "web,dns,lb",
      HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1",
      HOSTING_AGENT_TIMEOUT_SECONDS: "30",
    },
  })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  await waitForAgent(client, stack.nodeId)
}, 180_000)

afterAll(async () => {
  await temporal?.connection.close()
  await stack?.stop()
  // PowerDNS ran under the web node's root (one node, one root)
  if (web !== undefined) await stopDnsServices(web.root)
  await dns?.cleanup()
  await lb?.cleanup()
  await web?.cleanup()
  await db?.drop()
})

it("records a history of every workflow", async () => {
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const shards = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items
  const brand = await client.brands.create({
    payload: { name: `record ${Date.now()}`, ns_hostnames: ["ns1.record.example", "ns2.record.example"] },
  })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })

  // a zone with a record, then a tenant whose name is bound under it: tenant, zone and LB syncs
  const zone = await client.zones.create({ payload: { name: "record.test", brand_id: brand.id } })
  await client.dnsRecords.create({
    path: { id: zone.id },
    payload: { type: "TXT", name: "@", text: "recorded" },
  } as Parameters<PromiseClient["dnsRecords"]["create"]>[0])
  await settled("zone", () => client.zones.get({ path: { id: zone.id } }))
  const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
  const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
  await settled("webroot", () => client.webroots.get({ path: { id: webroot.id } }))
  const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "www.record.test" } })
  await settled("fqdn", () => client.fqdns.get({ path: { id: fqdn.id } }))
  // an issuance: it waits for the round that serves the name, then the ACME server cannot be reached
  const le = await client.fqdns.create({
    path: { id: webroot.id },
    payload: { hostname: "tls.record.test", tls: "letsencrypt" },
  })
  await eventually(
    "the issuance to fail",
    () => client.fqdns.get({ path: { id: le.id } }),
    (f) => f.acme_status === "failed",
    60_000,
  )

  // every role's converge, a probe, and the scheduled workflows
  for (const role of ["web", "dns", "lb"]) {
    const shard = shards.find((s) => s.role === role)!
    await client.shards.converge({ path: { id: shard.id }, payload: {} })
    await eventually(
      `${role} converge`,
      () => client.shards.get({ path: { id: shard.id } }),
      (s) => s.status === "active",
      60_000,
    )
  }
  const probe = await client.nodes.probe({ path: { id: stack.nodeId as never } })
  await eventually(
    "probe",
    () => client.nodes.getProbe({ path: { id: probe.id } }),
    (p) => p.status === "active",
  )
  for (const type of ["PurgeAuditLogsWorkflow", "RenewCertificatesWorkflow", "CleanupCertificatesWorkflow"])
    await temporal.workflow.execute(type, { taskQueue: "control-plane", workflowId: `record-${type}` })

  // deletes: the last rounds remove the tenant and the zone
  await client.tenants.delete({ path: { id: tenant.id } })
  await client.zones.delete({ path: { id: zone.id } })
  await eventually(
    "the tenant gone",
    () =>
      client.tenants.get({ path: { id: tenant.id } }).then(
        () => false,
        () => true,
      ),
    (gone) => gone,
    60_000,
  )

  const ids = [
    `tenant:${tenant.id}:sync`,
    `zone:${zone.id}:sync`,
    `cluster:${cluster.id}:lb-sync`,
    `fqdn:${le.id}:acme`,
    `node-probe:${probe.id}:probe`,
    "record-PurgeAuditLogsWorkflow",
    "record-RenewCertificatesWorkflow",
    "record-CleanupCertificatesWorkflow",
  ].map((workflowId) => ({ workflowId }))
  const converges = shards
    .filter((s) => ["web", "dns", "lb"].includes(s.role))
    .map((s) => ({ workflowId: `shard:${s.id}:converge`, suffix: `-${s.role}` }))
  const written = await saveHistories(temporal, [...ids, ...converges])
  console.log(`recorded ${written.length} histories: ${written.join(", ")}`)
})
