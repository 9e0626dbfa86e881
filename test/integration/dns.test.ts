// DNS end to end through the SDK: API → SyncZoneWorkflow → the node agent (dns role) → a real
// PowerDNS on loopback, checked with dig. The stack's own agent is the DNS node (the `local`
// cluster gets a web and a dns shard; the agent serves only dns, so tenants stay unprovisioned —
// DNS records depend only on FQDN rows). PostgreSQL only: on PGlite, the API and the worker
// querying at once hit pglite-socket's interleaving of extended-protocol messages across
// connections ("unnamed prepared statement does not exist", electric-sql/pglite#1046).
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { createClient, type DnsRecord, type PromiseClient, type RecordInput, type Zone } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { dig, digStatus, makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, type Status, settled } from "../support/web-node.js"

let db: TestDatabase
let node: TestDnsNode
let stack: Stack
let client: PromiseClient
let otherBrand: PromiseClient
let brandId: string
let brandBId: string
let clusterId: string
const ZONE = "shop-dns.test"

const failedWith = async <A extends Status>(read: () => Promise<A>, timeoutMs = 45_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: A | undefined
  while (Date.now() < deadline) {
    last = await read()
    if (last.status === "failed") return last
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`did not fail: ${JSON.stringify(last)}`)
}
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
const fail = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e as { _tag: string; message: string },
  )
const answers = (name: string, type: string, expected: ReadonlyArray<string>) =>
  eventually(
    `${name} ${type}`,
    async () => dig(node.dnsPort, name, type),
    (a) => JSON.stringify(a) === JSON.stringify([...expected].sort()),
  )
const zoneGet = (z: Zone) => () => client.zones.get({ path: { id: z.id } })
const recordGet = (r: DnsRecord) => () => client.dnsRecords.get({ path: { id: r.id } })
const addRecord = async (zone: Zone, payload: RecordInput) => {
  // the client takes one request shape per member of the payload union
  const r = await client.dnsRecords.create({ path: { id: zone.id }, payload } as Parameters<
    PromiseClient["dnsRecords"]["create"]
  >[0])
  // the zone's sync may already have picked it up by the time the API reads it back
  expect(["pending", "provisioning", "active"]).toContain(r.status)
  return r
}

describe("DNS through the SDK", () => {
  beforeAll(async () => {
    const started = Date.now()
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_dns")
    node = await makeTestDnsNode(inject("postgresAdminUrl"))
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      env: { ...node.env, HOSTING_LOCAL_NODE_ROLES: "web,dns", HOSTING_AGENT_TIMEOUT_SECONDS: "30" },
    })
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    clusterId = cluster.id
    await client.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.10" } })
    await client.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "2001:db8::10" } })
    await waitForAgent(client, stack.nodeId)
    const brand = await client.brands.create({
      payload: {
        name: `dns ${Date.now()}`,
        ns_hostnames: ["ns1.dns-brand.example", "ns2.dns-brand.example"],
        hostmaster: "dns.admin@dns-brand.example",
      },
    })
    brandId = brand.id
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const brandB = await client.brands.create({
      payload: { name: `other ${Date.now()}`, ns_hostnames: ["ns.b.example"] },
    })
    brandBId = brandB.id
    await client.brands.setClusters({ path: { id: brandB.id }, payload: { cluster_ids: [cluster.id] } })
    const keyB = await client.apiKeys.create({ payload: { name: "brand B", scopes: ["*"], brands: [brandB.id] } })
    otherBrand = createClient({ baseUrl: stack.baseUrl, apiKey: keyB.key })
    console.log(`dns suite ready in ${Date.now() - started} ms`)
  }, 180_000)

  afterAll(async () => {
    await stack?.stop()
    await node?.cleanup()
    await db?.stop()
  })

  let zone: Zone

  it("creates a zone with the brand's SOA and NS, served by PowerDNS", async () => {
    const t0 = Date.now()
    zone = await client.zones.create({ payload: { name: `${ZONE}.`, brand_id: brandId as never } })
    expect(zone).toMatchObject({ name: ZONE, tenant_id: null })
    await settled("zone", zoneGet(zone))
    console.log(`zone active after ${Date.now() - t0} ms`)
    await answers(ZONE, "NS", ["ns1.dns-brand.example.", "ns2.dns-brand.example."])
    const [soa] = dig(node.dnsPort, ZONE, "SOA")
    expect(soa).toMatch(/^ns1\.dns-brand\.example\. dns\\\.admin\.dns-brand\.example\. \d+ 10800 3600 604800 3600$/)
    const records = await client.dnsRecords.list({ path: { id: zone.id }, urlParams: {} })
    expect(records.items.map((r) => [r.type, r.managed_by, r.status]).sort()).toEqual([
      ["NS", "platform", "active"],
      ["NS", "platform", "active"],
      ["SOA", "platform", "active"],
    ])
  })

  it("serves every record type; updates and deletes reach PowerDNS", async () => {
    const t0 = Date.now()
    const long = `v=DKIM1; k=rsa; p=${"Q".repeat(300)}"quoted"\\end`
    const created = [
      await addRecord(zone, { type: "A", name: "www", address: "192.0.2.1" }),
      await addRecord(zone, { type: "A", name: `www.${ZONE}.`, address: "192.0.2.2", ttl: 60 }),
      await addRecord(zone, { type: "AAAA", name: "www", address: "2001:DB8:0:0::1" }),
      await addRecord(zone, { type: "CNAME", name: "alias", target: `www.${ZONE}` }),
      await addRecord(zone, { type: "MX", name: "@", priority: 10, exchange: "mail.example.net" }),
      await addRecord(zone, { type: "TXT", name: "@", text: "v=spf1 -all" }),
      await addRecord(zone, { type: "TXT", name: "dkim._domainkey", text: long }),
      await addRecord(zone, { type: "NS", name: "sub", nameserver: "ns.sub-dns.example" }),
      await addRecord(zone, {
        type: "SRV",
        name: "_sip._tcp",
        priority: 1,
        weight: 5,
        port: 5060,
        target: "sip.example.net",
      }),
      await addRecord(zone, { type: "CAA", name: "@", flags: 0, tag: "issue", value: "letsencrypt.org" }),
      await addRecord(zone, { type: "CAA", name: "@", flags: 0, tag: "iodef", value: "mailto:security@example.net" }),
    ]
    for (const r of created) await settled(`${r.type} ${r.name}`, recordGet(r))
    console.log(`11 records active after ${Date.now() - t0} ms`)
    expect(created[2]!.content).toBe("2001:db8::1")
    expect(created[6]!.content.split('" "')).toHaveLength(2)

    await answers(`www.${ZONE}`, "A", ["192.0.2.1", "192.0.2.2"])
    await answers(`www.${ZONE}`, "AAAA", ["2001:db8::1"])
    await answers(`alias.${ZONE}`, "CNAME", [`www.${ZONE}.`])
    await answers(ZONE, "MX", ["10 mail.example.net."])
    await answers(ZONE, "TXT", ['"v=spf1 -all"'])
    await answers(`dkim._domainkey.${ZONE}`, "TXT", [created[6]!.content])
    await answers(`_sip._tcp.${ZONE}`, "SRV", ["1 5 5060 sip.example.net."])
    await answers(ZONE, "CAA", ['0 iodef "mailto:security@example.net"', '0 issue "letsencrypt.org"'])
    // a delegation: PowerDNS refers to the child's name server in the authority section
    const referral = execFileSync("dig", ["@127.0.0.1", "-p", String(node.dnsPort), "+norec", `x.sub.${ZONE}`, "A"], {
      encoding: "utf8",
    })
    expect(referral).toMatch(
      new RegExp(`sub\\.${ZONE.replace(".", "\\.")}\\.\\s+\\d+\\s+IN\\s+NS\\s+ns\\.sub-dns\\.example\\.`),
    )
    // the rrset's TTL is its smallest record's
    expect(
      execFileSync("dig", ["@127.0.0.1", "-p", String(node.dnsPort), "+noall", "+answer", `www.${ZONE}`, "A"], {
        encoding: "utf8",
      }),
    ).toMatch(/\s60\s+IN\s+A\s/)

    // update: the record is replaced as a whole
    const [www1] = created
    const updated = await client.dnsRecords.update({
      path: { id: www1!.id },
      payload: { type: "A", name: "www", address: "192.0.2.20" },
    })
    expect(["pending", "provisioning", "active"]).toContain(updated.status)
    await settled("update", recordGet(www1!))
    await answers(`www.${ZONE}`, "A", ["192.0.2.2", "192.0.2.20"])

    // delete: MX gone, the rest untouched
    const mx = created[4]!
    expect((await client.dnsRecords.delete({ path: { id: mx.id } })).status).toBe("deleting")
    await gone("mx", recordGet(mx))
    await answers(ZONE, "MX", [])
    await answers(ZONE, "TXT", ['"v=spf1 -all"'])

    // what the API says the zone serves is what PowerDNS answers
    const served = await client.zones.rrsets({ path: { id: zone.id } })
    expect(served.rejected).toEqual([])
    const a = served.rrsets.find((r) => r.name === `www.${ZONE}.` && r.type === "A")
    expect(a).toEqual({ name: `www.${ZONE}.`, type: "A", ttl: 60, records: ["192.0.2.2", "192.0.2.20"] })
  }, 120_000)

  it("refuses changes to platform-managed records, CNAME clashes and bad input, writing nothing", async () => {
    const before = await client.dnsRecords.list({ path: { id: zone.id }, urlParams: { limit: 200 } })
    const soa = before.items.find((r) => r.type === "SOA")!
    const ns = before.items.find((r) => r.type === "NS" && r.managed_by === "platform")!
    for (const r of [soa, ns]) {
      const put = await fail(
        client.dnsRecords.update({ path: { id: r.id }, payload: { type: "TXT", name: "@", text: "x" } }),
      )
      expect(put._tag).toBe("Conflict")
      expect(put.message).toMatch(/managed by the platform/)
      const del = await fail(client.dnsRecords.delete({ path: { id: r.id } }))
      expect(del._tag).toBe("Conflict")
    }
    const clash = await fail(addRecord(zone, { type: "CNAME", name: "www", target: "x.example.net" }))
    expect(clash).toMatchObject({ _tag: "Conflict", message: expect.stringMatching(/must be the only record/) })
    const beside = await fail(addRecord(zone, { type: "TXT", name: "alias", text: "x" }))
    expect(beside).toMatchObject({ _tag: "Conflict", message: expect.stringMatching(/has a CNAME/) })
    const apexNs = await fail(addRecord(zone, { type: "NS", name: "@", nameserver: "ns.evil.example" }))
    expect(apexNs._tag).toBe("Conflict")
    const apexCname = await fail(addRecord(zone, { type: "CNAME", name: "@", target: "x.example.net" }))
    expect(apexCname._tag).toBe("InvalidInput")
    const outside = await fail(addRecord(zone, { type: "A", name: "www.other.test.", address: "192.0.2.1" }))
    expect(outside).toMatchObject({ _tag: "InvalidInput", message: expect.stringMatching(/outside the zone/) })
    const dup = await fail(addRecord(zone, { type: "A", name: "www", address: "192.0.2.2" }))
    expect(dup._tag).toBe("Conflict")

    // raw requests: the decoder refuses these before any service runs
    const raw = (body: unknown) =>
      fetch(`${stack.baseUrl}/api/v1/zones/${zone.id}/records`, {
        method: "POST",
        headers: { "X-API-Key": stack.apiKey, "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    for (const body of [
      { type: "TXT", name: "@", text: "line\nbreak" },
      { type: "TXT", name: "@", text: "a".repeat(4001) },
      { type: "A", name: "www;rm", address: "192.0.2.1" },
      { type: "A", name: "wwW", address: "192.0.2.1" },
      { type: "A", name: "ехample", address: "192.0.2.1" },
      { type: "MX", name: "@", priority: -1, exchange: "mail.example.net" },
      { type: "SRV", name: "sip", priority: 1, weight: 1, port: 1, target: "a.example.net" },
      { type: "CAA", name: "@", flags: 0, tag: "issue", value: 'x" ; rm' },
      { type: "CNAME", name: "x", target: "$ORIGIN" },
      { type: "SOA", name: "@" },
    ]) {
      const res = await raw(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    const zoneBad = await fetch(`${stack.baseUrl}/api/v1/zones`, {
      method: "POST",
      headers: { "X-API-Key": stack.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ name: "xn--e1afmkfd.xn--p1ai\nevil", brand_id: brandId }),
    })
    expect(zoneBad.status).toBe(400)
    const after = await client.dnsRecords.list({ path: { id: zone.id }, urlParams: { limit: 200 } })
    expect(after.items.map((r) => [r.id, r.content])).toEqual(before.items.map((r) => [r.id, r.content]))
  })

  it("binding an FQDN in the zone serves A/AAAA at the cluster's LB addresses; unbinding removes them", async () => {
    const t0 = Date.now()
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: `app.${ZONE}` } })
    await answers(`app.${ZONE}`, "A", ["192.0.2.10"])
    await answers(`app.${ZONE}`, "AAAA", ["2001:db8::10"])
    console.log(`bound name answered after ${Date.now() - t0} ms`)
    const served = await client.zones.rrsets({ path: { id: zone.id } })
    expect(served.rrsets.find((r) => r.name === `app.${ZONE}.` && r.type === "A")).toMatchObject({ ttl: 300 })
    // the platform serves that name now: users cannot put address records there
    const taken = await fail(addRecord(zone, { type: "A", name: "app", address: "198.51.100.1" }))
    expect(taken).toMatchObject({ _tag: "Conflict", message: expect.stringMatching(/bound to a webroot/) })
    // other data at the name is fine
    const txt = await addRecord(zone, { type: "TXT", name: "app", text: "hello" })
    await settled("txt at a bound name", recordGet(txt))
    await answers(`app.${ZONE}`, "TXT", ['"hello"'])

    const t1 = Date.now()
    await client.fqdns.delete({ path: { id: fqdn.id } })
    await answers(`app.${ZONE}`, "A", [])
    await answers(`app.${ZONE}`, "AAAA", [])
    console.log(`unbound name gone after ${Date.now() - t1} ms`)
    await answers(`app.${ZONE}`, "TXT", ['"hello"'])
    await answers(`www.${ZONE}`, "A", ["192.0.2.2", "192.0.2.20"])
  }, 120_000)

  it("keeps brands apart", async () => {
    expect((await fail(otherBrand.zones.get({ path: { id: zone.id } })))._tag).toBe("NotFound")
    expect((await otherBrand.zones.list({ urlParams: {} })).items.map((z) => z.id)).not.toContain(zone.id)
    expect((await fail(otherBrand.dnsRecords.list({ path: { id: zone.id }, urlParams: {} })))._tag).toBe("NotFound")
    const one = (await client.dnsRecords.list({ path: { id: zone.id }, urlParams: {} })).items[0]!
    expect((await fail(otherBrand.dnsRecords.get({ path: { id: one.id } })))._tag).toBe("NotFound")
    expect((await fail(otherBrand.dnsRecords.delete({ path: { id: one.id } })))._tag).toBe("NotFound")
    expect(
      (
        await fail(
          otherBrand.dnsRecords.create({ path: { id: zone.id }, payload: { type: "TXT", name: "@", text: "x" } }),
        )
      )._tag,
    ).toBe("NotFound")
    expect(
      (await fail(otherBrand.zones.create({ payload: { name: "stolen-dns.test", brand_id: brandId as never } })))._tag,
    ).toBe("NotFound")
    // a zone inside another brand's zone would take its names
    const nested = await fail(
      otherBrand.zones.create({ payload: { name: `sub.${ZONE}`, brand_id: brandBId as never } }),
    )
    expect(nested).toMatchObject({ _tag: "Conflict", message: expect.stringMatching(/another brand/) })
    const search = await otherBrand.search.search({ urlParams: { q: "shop-dns" } })
    expect(JSON.stringify(search)).not.toContain(zone.id)
    const stats = await client.dashboard.stats()
    expect(stats.counts["zones"]?.total).toBeGreaterThanOrEqual(1)
    expect(stats.counts["dns-records"]?.total).toBeGreaterThanOrEqual(3)
  })

  it("owner tenant: set, reassign and clear", async () => {
    const t = await client.tenants.create({ payload: { brand_id: brandId as never } })
    const owned = await client.zones.setTenant({ path: { id: zone.id }, payload: { tenant_id: t.id } })
    expect(owned.tenant_id).toBe(t.id)
    const tB = await client.tenants.create({ payload: { brand_id: brandBId as never } })
    const wrong = await fail(client.zones.setTenant({ path: { id: zone.id }, payload: { tenant_id: tB.id } }))
    expect(wrong._tag).toBe("InvalidInput")
    expect((await client.zones.setTenant({ path: { id: zone.id }, payload: { tenant_id: null } })).tenant_id).toBeNull()
  })

  it("serves tenants' service hostnames under the base domain at their shard's web nodes", async () => {
    const SVC = "svc-dns.test"
    // the service label spells the tenant's underscore as a hyphen (no `_` in host names)
    const label = (tenantName: string) => tenantName.replace("_", "-")
    // the stack's node is the web node of the `local` web shard every tenant here is on
    await client.nodes.update({
      path: { id: stack.nodeId as never },
      payload: { addresses: ["192.0.2.31", "2001:db8::31"] },
    })
    const svc = await client.zones.create({ payload: { name: SVC, brand_id: brandId as never } })
    await settled("service zone", zoneGet(svc))
    // another brand's tenant, from before the base domain was set
    const earlier = await client.tenants.create({ payload: { brand_id: brandBId as never } })
    expect(earlier.service_hostname).toBeNull()
    // a user's record at that name, served until the platform serves the name
    const squatter = await addRecord(svc, { type: "A", name: label(earlier.name), address: "198.51.100.7" })
    await settled("user record", recordGet(squatter))
    await answers(`${label(earlier.name)}.${SVC}`, "A", ["198.51.100.7"])

    const t0 = Date.now()
    await client.platform.updateConfig({ payload: { base_domain: SVC } })
    await answers(`${label(earlier.name)}.${SVC}`, "A", ["192.0.2.31"])
    await answers(`${label(earlier.name)}.${SVC}`, "AAAA", ["2001:db8::31"])
    console.log(`service hostname answered ${Date.now() - t0} ms after the base domain was set`)
    // the platform's records win: the user's is left out, with the reason
    const left = await failedWith(recordGet(squatter))
    expect(left.status_message).toMatch(/service hostname/)
    // the planner's reason names the record it left out
    expect(left.status_details).toEqual({
      causes: [{ resource_type: "dns_record", resource_id: squatter.id, message: left.status_message }],
    })

    const t1 = Date.now()
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never } })
    expect(tenant.service_hostname).toBe(`${label(tenant.name)}.${SVC}`)
    await answers(`${label(tenant.name)}.${SVC}`, "A", ["192.0.2.31"])
    console.log(`new tenant's service hostname answered after ${Date.now() - t1} ms`)
    const served = await client.zones.rrsets({ path: { id: svc.id } })
    expect(served.rrsets.find((r) => r.name === `${label(tenant.name)}.${SVC}.` && r.type === "AAAA")).toEqual({
      name: `${label(tenant.name)}.${SVC}.`,
      type: "AAAA",
      ttl: 300,
      records: ["2001:db8::31"],
    })

    // a new address record at a live service hostname is refused up front, like one at a bound FQDN
    const refused = await fail(
      client.dnsRecords.create({
        path: { id: svc.id },
        payload: { type: "A", name: label(tenant.name), address: "198.51.100.9" },
      } as Parameters<PromiseClient["dnsRecords"]["create"]>[0]),
    )
    expect(refused).toMatchObject({ _tag: "Conflict", message: expect.stringMatching(/service hostname/) })

    // the node readdressed: the names follow without any tenant or zone change
    await client.nodes.update({ path: { id: stack.nodeId as never }, payload: { addresses: ["192.0.2.41"] } })
    await answers(`${label(tenant.name)}.${SVC}`, "A", ["192.0.2.41"])
    await answers(`${label(tenant.name)}.${SVC}`, "AAAA", [])

    const t2 = Date.now()
    expect((await client.tenants.delete({ path: { id: tenant.id } })).status).toBe("deleting")
    await answers(`${label(tenant.name)}.${SVC}`, "A", [])
    await answers(`${label(tenant.name)}.${SVC}`, "AAAA", [])
    console.log(`deleted tenant's service hostname gone after ${Date.now() - t2} ms`)

    // without a base domain the names go, and the user's record is served again
    await client.platform.updateConfig({ payload: { base_domain: null } })
    await answers(`${label(earlier.name)}.${SVC}`, "AAAA", [])
    await answers(`${label(earlier.name)}.${SVC}`, "A", ["198.51.100.7"])
    // it was `failed` until now: the round that serves it again marks it active just after
    await eventually("the user record active again", recordGet(squatter), (r) => r.status === "active", 45_000)
  }, 120_000)

  it("a brand without a DNS shard gets a failed zone that says why; retry re-sends it", async () => {
    const lonely = await client.brands.create({
      payload: { name: `no dns ${Date.now()}`, ns_hostnames: ["ns.x.example"] },
    })
    const z = await client.zones.create({ payload: { name: "lonely-dns.test", brand_id: lonely.id } })
    const failed = await failedWith(zoneGet(z))
    expect(failed.status_message).toBe(
      `no DNS shard serves brand ${lonely.id}: add a dns shard to a cluster the brand uses (PUT /api/v1/brands/${lonely.id}/clusters)`,
    )
    // the same reason as a cause, without node or resource (nothing was asked of a node)
    expect(failed.status_details).toEqual({ causes: [{ message: failed.status_message }] })
    await client.brands.setClusters({ path: { id: lonely.id }, payload: { cluster_ids: [clusterId as never] } })
    expect((await client.zones.retry({ path: { id: z.id } })).status).toBe("pending")
    await settled("retried zone", zoneGet(z))
    await answers("lonely-dns.test", "NS", ["ns.x.example."])
    await client.zones.delete({ path: { id: z.id } })
    await gone("lonely zone", zoneGet(z))
  })

  it("converging the dns shard pushes every zone and removes orphans: a lost zone comes back, a stray one goes", async () => {
    const apiKey = readFileSync(join(node.root, "pdns", "api-key"), "utf8").trim()
    const pdns = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${node.apiPort}/api/v1/servers/localhost${path}`, {
        method,
        headers: { "X-API-Key": apiKey, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    // a zone nobody asked for, made behind the platform's back
    const stray = await pdns("POST", "/zones", {
      name: "stray-dns.test.",
      kind: "Native",
      nameservers: [],
      rrsets: [{ name: "stray-dns.test.", type: "TXT", ttl: 60, records: [{ content: '"stray"', disabled: false }] }],
    })
    expect(stray.status).toBe(201)
    expect((await pdns("PUT", "/cache/flush?domain=stray-dns.test.")).status).toBe(200)
    await answers("stray-dns.test", "TXT", ['"stray"'])
    // drift behind the platform's back: the zone is gone from the node
    expect((await pdns("DELETE", `/zones/${ZONE}.`)).status).toBe(204)
    expect((await pdns("PUT", `/cache/flush?domain=${ZONE}.`)).status).toBe(200)
    await eventually(
      "the zone gone",
      async () => digStatus(node.dnsPort, ZONE, "NS"),
      (s) => s === "REFUSED",
    )
    const shards = await client.shards.list({ path: { id: clusterId as never }, urlParams: {} })
    const dnsShard = shards.items.find((x) => x.role === "dns")!
    const started = await client.shards.converge({ path: { id: dnsShard.id }, payload: {} })
    expect(started.shard.status).toBe("provisioning")
    await answers(ZONE, "NS", ["ns1.dns-brand.example.", "ns2.dns-brand.example."])
    await eventually(
      "the stray zone gone",
      async () => digStatus(node.dnsPort, "stray-dns.test", "TXT"),
      (x) => x === "REFUSED",
    )
    expect((await pdns("GET", "/zones/stray-dns.test.")).status).toBe(404)
    await eventually(
      "the converge recorded",
      () => client.shards.get({ path: { id: dnsShard.id } }),
      (x) => x.status === "active",
    )
    expect(await client.shards.get({ path: { id: dnsShard.id } })).toMatchObject({
      status: "active",
      status_message: null,
      status_details: null,
    })
  })

  it("deleting a zone removes it and its records from PowerDNS", async () => {
    expect((await client.zones.delete({ path: { id: zone.id } })).status).toBe("deleting")
    await gone("zone", zoneGet(zone))
    await eventually(
      "refused",
      async () => digStatus(node.dnsPort, `www.${ZONE}`, "A"),
      (s) => s === "REFUSED",
    )
  })
})
