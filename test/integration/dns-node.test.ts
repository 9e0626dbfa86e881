// The node side of DNS against a real PowerDNS (gpgsql on the test PostgreSQL): DnsNode starts or
// adopts pdns_server and makes zones exactly the planned rrsets through its HTTP API, as the
// agent's ensureZone/removeZone activities drive it; answers are checked with dig.
import { readFileSync } from "node:fs"
import { DnsNode, dnsNodeConfigFromEnv, dnsPaths } from "@hosting/agent"
import { planZone, type RecordData, type Rrset, renderContent } from "@hosting/core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { dig, digStatus, makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { eventually } from "../support/web-node.js"

let node: TestDnsNode
let dns: DnsNode
const ZONE = "node.example.test"

const soa: RecordData = {
  type: "SOA",
  mname: "ns1.example.net",
  rname: "host.master@example.test",
  refresh: 10800,
  retry: 3600,
  expire: 604800,
  minimum: 3600,
}
const plan = (records: ReadonlyArray<readonly [string, RecordData]>): ReadonlyArray<Rrset> =>
  planZone({
    zone: ZONE,
    records: [[ZONE, soa] as const, [ZONE, { type: "NS", nameserver: "ns1.example.net" }] as const, ...records].map(
      ([name, data], i) => ({ id: String(i).padStart(4, "0"), name, ttl: 300, data }),
    ),
    bound: [],
    otherZones: [],
  }).rrsets

beforeAll(async () => {
  node = await makeTestDnsNode(inject("postgresAdminUrl"))
  dns = new DnsNode(dnsNodeConfigFromEnv(node.env))
  const started = Date.now()
  await dns.start()
  console.log(`pdns_server (schema load + start) ready in ${Date.now() - started} ms`)
}, 60_000)

afterAll(async () => {
  await dns?.close()
  await node?.cleanup()
})

describe("a DNS node", () => {
  it("creates a zone, changes only differing rrsets, is idempotent, and removes it", async () => {
    const long = `v=DKIM1; k=rsa; p=${"A".repeat(400)}`
    const first = plan([
      [`www.${ZONE}`, { type: "A", address: "192.0.2.10" }],
      [`www.${ZONE}`, { type: "AAAA", address: "::ffff:c000:20a" }],
      [ZONE, { type: "TXT", text: 'v=spf1 -all "quoted" \\ $x; `y`' }],
      [`dkim._domainkey.${ZONE}`, { type: "TXT", text: long }],
      [ZONE, { type: "MX", priority: 10, exchange: "mail.example.net" }],
      [ZONE, { type: "CAA", flags: 0, tag: "issue", value: "letsencrypt.org" }],
      [`_sip._tcp.${ZONE}`, { type: "SRV", priority: 1, weight: 2, port: 5060, target: "sip.example.net" }],
      [`alias.${ZONE}`, { type: "CNAME", target: "www.node.example.test" }],
      [`sub.${ZONE}`, { type: "NS", nameserver: "ns.sub.example.net" }],
    ])
    const created = await dns.ensureZone(ZONE, first)
    expect(created.changes).toEqual([{ action: "create", kind: "zone", target: `${ZONE}.` }])
    await eventually(
      "A answer",
      async () => dig(node.dnsPort, `www.${ZONE}`, "A"),
      (a) => a.join() === "192.0.2.10",
    )
    expect(dig(node.dnsPort, `www.${ZONE}`, "AAAA")).toEqual(["::ffff:192.0.2.10"])
    expect(dig(node.dnsPort, ZONE, "TXT")).toEqual(['"v=spf1 -all \\"quoted\\" \\\\ $x; `y`"'])
    const dkim = dig(node.dnsPort, `dkim._domainkey.${ZONE}`, "TXT")[0]!
    expect(dkim).toBe(renderContent({ type: "TXT", text: long }))
    expect(dkim.split('" "')).toHaveLength(2)
    expect(dig(node.dnsPort, ZONE, "MX")).toEqual(["10 mail.example.net."])
    expect(dig(node.dnsPort, ZONE, "CAA")).toEqual(['0 issue "letsencrypt.org"'])
    expect(dig(node.dnsPort, `_sip._tcp.${ZONE}`, "SRV")).toEqual(["1 2 5060 sip.example.net."])
    expect(dig(node.dnsPort, `alias.${ZONE}`, "CNAME")).toEqual([`www.${ZONE}.`])
    expect(dig(node.dnsPort, ZONE, "SOA")[0]).toMatch(/^ns1\.example\.net\. host\\\.master\.example\.test\. \d+ 10800/)

    // the same data again: nothing to change (SOA serial and IPv6 spelling are PowerDNS's own)
    expect((await dns.ensureZone(ZONE, first)).changes).toEqual([])

    const second = plan([
      [`www.${ZONE}`, { type: "A", address: "192.0.2.11" }],
      [ZONE, { type: "TXT", text: 'v=spf1 -all "quoted" \\ $x; `y`' }],
    ])
    const changed = await dns.ensureZone(ZONE, second)
    expect(changed.changes).toContainEqual({ action: "update", kind: "rrset", target: `www.${ZONE}. A` })
    expect(changed.changes).toContainEqual({ action: "delete", kind: "rrset", target: `www.${ZONE}. AAAA` })
    expect(changed.changes.filter((c) => c.target.includes("TXT") && c.target.startsWith(ZONE))).toEqual([])
    expect(dig(node.dnsPort, `www.${ZONE}`, "A")).toEqual(["192.0.2.11"])
    expect(dig(node.dnsPort, `www.${ZONE}`, "AAAA")).toEqual([])
    expect(dig(node.dnsPort, `_sip._tcp.${ZONE}`, "SRV")).toEqual([])
    expect((await dns.ensureZone(ZONE, second)).changes).toEqual([])

    expect((await dns.removeZone(ZONE)).changes).toEqual([{ action: "delete", kind: "zone", target: `${ZONE}.` }])
    expect(digStatus(node.dnsPort, `www.${ZONE}`, "A")).toBe("REFUSED")
    expect((await dns.removeZone(ZONE)).changes).toEqual([])
  })

  it("fails without retries when PowerDNS refuses the data, and changes nothing", async () => {
    await dns.ensureZone(ZONE, plan([[`www.${ZONE}`, { type: "A", address: "192.0.2.10" }]]))
    const bad: ReadonlyArray<Rrset> = [
      ...plan([]),
      { name: `x.${ZONE}.`, type: "CNAME", ttl: 60, records: [`www.${ZONE}.`] },
      { name: `x.${ZONE}.`, type: "A", ttl: 60, records: ["192.0.2.1"] },
    ]
    const err = await dns.ensureZone(ZONE, bad).catch((e: unknown) => e)
    expect((err as Error).constructor.name).toBe("ConfigRejected")
    expect((err as Error).message).toMatch(/PowerDNS refused/)
    expect(dig(node.dnsPort, `www.${ZONE}`, "A")).toEqual(["192.0.2.10"])
    await dns.removeZone(ZONE)
  })

  it("adopts the running pdns_server after an agent restart", async () => {
    const pid = readFileSync(dnsPaths(node.root).pid, "utf8").trim()
    await dns.close()
    dns = new DnsNode(dnsNodeConfigFromEnv(node.env))
    await dns.start()
    expect(readFileSync(dnsPaths(node.root).pid, "utf8").trim()).toBe(pid)
    expect((await dns.ensureZone(ZONE, plan([]))).changes).toHaveLength(1)
    expect(dig(node.dnsPort, ZONE, "NS")).toEqual(["ns1.example.net."])
    await dns.removeZone(ZONE)
  })
})
