import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { PLATFORM_RECORD_TTL, RecordData, RecordInput, type Rrset } from "../src/domain/dns.js"
import {
  canonicalIpv6,
  diffRrsets,
  ipv6Groups,
  type PlannedRecord,
  planZone,
  renderContent,
  resolveRecordName,
  type ServiceTenant,
  serviceHostnames,
  TXT_CHUNK,
  txtChunks,
  withoutDot,
} from "../src/domain/dns-plan.js"
import { ResourceStatus } from "../src/domain/lifecycle.js"
import { TenantName } from "../src/domain/tenancy.js"
import { IpAddress } from "../src/domain/validation.js"

const ZONE = "example.test"

/** Parses presentation-format character-strings (`"a\"b" "c"`); undefined if malformed. */
const parseStrings = (content: string): Array<string> | undefined => {
  const out: Array<string> = []
  let i = 0
  while (i < content.length) {
    if (content[i] !== '"') return undefined
    let s = ""
    i++
    while (i < content.length && content[i] !== '"') {
      if (content[i] === "\\") i++
      if (i >= content.length) return undefined
      s += content[i]
      i++
    }
    if (content[i] !== '"') return undefined
    out.push(s)
    i++
    if (i < content.length) {
      if (content[i] !== " ") return undefined
      i++
    }
  }
  return out
}

const toPlanned = (input: RecordInput, name: string, id: string): PlannedRecord => {
  const { name: _n, ttl, ...data } = input
  const resolved = resolveRecordName(ZONE, name)
  return { id, name: Either.getOrThrow(resolved), ttl: ttl ?? 3600, data: data as RecordData }
}

const soa: PlannedRecord = {
  id: "00000000-0000-4000-8000-000000000001",
  name: ZONE,
  ttl: 3600,
  data: {
    type: "SOA",
    mname: "ns1.example.net",
    rname: "hostmaster@example.test",
    refresh: 10800,
    retry: 3600,
    expire: 604800,
    minimum: 3600,
  },
}

// a small pool of names, so records collide (CNAME exclusivity) often
const recordsArb = fc.array(
  fc.tuple(Arbitrary.make(RecordInput), fc.constantFrom("@", "www", "mail", "a.b", "_sip._tcp"), fc.uuid()),
  { maxLength: 25 },
)
const plannedOf = (rs: ReadonlyArray<readonly [RecordInput, string, string]>) =>
  rs.map(([r, name, id]) => toPlanned(r, r.type === "SRV" ? "_sip._tcp" : name, id))

describe("record rendering", () => {
  it.prop(
    "every content is printable ASCII on one line, and every string in it is quoted and escaped",
    [Arbitrary.make(RecordInput)],
    ([input]) => {
      const { name: _n, ttl: _t, ...data } = input
      const content = renderContent(data as RecordData)
      expect(content).toMatch(/^[\x20-\x7e]+$/)
      if (input.type === "TXT") {
        const strings = parseStrings(content)
        expect(strings).toBeDefined()
        expect(strings!.join("")).toBe(input.text)
        for (const s of strings!) expect(s.length).toBeLessThanOrEqual(TXT_CHUNK)
      }
      if (input.type === "CAA") {
        const [flags, tag, ...rest] = content.split(" ")
        expect(`${flags} ${tag}`).toBe(`${input.flags} ${input.tag}`)
        expect(parseStrings(rest.join(" "))).toEqual([input.value])
      }
      if (input.type === "MX" || input.type === "CNAME" || input.type === "NS" || input.type === "SRV") {
        expect(content.endsWith(".")).toBe(true)
      }
    },
  )

  it("chunks TXT over 255 bytes into quoted strings", () => {
    const text = `${"a".repeat(255)}${'"'.repeat(10)}${"\\".repeat(3)}b`
    expect(txtChunks(text).map((c) => c.length)).toEqual([255, 14])
    const content = renderContent({ type: "TXT", text })
    expect(content).toBe(`"${"a".repeat(255)}" "${'\\"'.repeat(10)}${"\\\\".repeat(3)}b"`)
    expect(renderContent({ type: "TXT", text: "v=spf1 -all" })).toBe('"v=spf1 -all"')
    expect(renderContent({ type: "TXT", text: "$(id); `x`" })).toBe('"$(id); `x`"')
  })

  it("renders every type as PowerDNS serves it", () => {
    expect(renderContent({ type: "MX", priority: 10, exchange: "mail.example.com" })).toBe("10 mail.example.com.")
    expect(renderContent({ type: "SRV", priority: 1, weight: 2, port: 5060, target: "sip.example.com." })).toBe(
      "1 2 5060 sip.example.com.",
    )
    expect(renderContent({ type: "CAA", flags: 0, tag: "issue", value: "letsencrypt.org" })).toBe(
      '0 issue "letsencrypt.org"',
    )
    expect(renderContent({ type: "AAAA", address: "2001:DB8:0:0::1" })).toBe("2001:db8::1")
    expect(renderContent(soa.data)).toBe("ns1.example.net. hostmaster.example.test. 1 10800 3600 604800 3600")
    expect(renderContent({ ...soa.data, rname: "host.master@example.test" } as RecordData)).toContain(
      "host\\.master.example.test.",
    )
  })
})

describe("record input", () => {
  const valid = { type: "TXT", name: "www", text: "hello" }
  const refused = (over: Record<string, unknown>) => !Schema.is(RecordInput)({ ...valid, ...over })

  it("refuses line breaks, control characters, non-ASCII and injection in names and data", () => {
    for (const text of ["a\nb", "a\rb", "\u0000", "ехample", "a".repeat(4001), ""]) expect(refused({ text })).toBe(true)
    for (const name of [
      "www;",
      "www example",
      "ехample",
      "$origin",
      "a\nb",
      '"x"',
      "WWW",
      "a..b",
      "-a",
      "www.*",
      "../x",
    ])
      expect(refused({ name }), name).toBe(true)
    expect(refused({ type: "CNAME", name: "www", target: "x.example.com; rm", text: undefined })).toBe(true)
    expect(Schema.is(RecordInput)({ type: "CNAME", name: "www", target: "x.example.com." })).toBe(true)
    expect(Schema.is(RecordInput)({ type: "CAA", name: "@", flags: 0, tag: "issue", value: 'a"b' })).toBe(false)
    expect(Schema.is(RecordInput)({ type: "CAA", name: "@", flags: 0, tag: "issue", value: "letsencrypt.org" })).toBe(
      true,
    )
    expect(Schema.is(RecordInput)({ type: "CAA", name: "@", flags: 0, tag: "iodef", value: "letsencrypt.org" })).toBe(
      false,
    )
    expect(Schema.is(RecordInput)({ type: "SRV", name: "sip", priority: 0, weight: 0, port: 1, target: "a.b" })).toBe(
      false,
    )
    expect(Schema.is(RecordInput)({ type: "MX", name: "@", priority: 65536, exchange: "mail.example.com" })).toBe(false)
    expect(Schema.is(RecordInput)({ type: "A", name: "@", address: "::1" })).toBe(false)
    expect(Schema.is(RecordInput)({ type: "AAAA", name: "@", address: "192.0.2.1" })).toBe(false)
    expect(Schema.is(RecordInput)({ ...valid, extra: 1 })).toBe(false)
    expect(Either.isLeft(Schema.decodeUnknownEither(RecordInput)({ ...valid, extra: 1 }))).toBe(true)
  })

  it("resolves names against the zone", () => {
    const r = (n: string) => resolveRecordName(ZONE, n)
    expect(r("@")).toEqual(Either.right(ZONE))
    expect(r("www")).toEqual(Either.right(`www.${ZONE}`))
    expect(r(`www.${ZONE}`)).toEqual(Either.right(`www.${ZONE}`))
    expect(r(`www.${ZONE}.`)).toEqual(Either.right(`www.${ZONE}`))
    expect(r(`${ZONE}.`)).toEqual(Either.right(ZONE))
    expect(r("*.dev")).toEqual(Either.right(`*.dev.${ZONE}`))
    expect(Either.isLeft(r("www.other.test."))).toBe(true)
    expect(Either.isLeft(r("xexample.test."))).toBe(true)
  })
})

describe("IPv6 spelling", () => {
  it.prop("canonical text names the same address and is stable", [fc.ipV6()], ([a]) => {
    const canonical = canonicalIpv6(a, false)
    expect(ipv6Groups(canonical)).toEqual(ipv6Groups(a))
    expect(canonicalIpv6(canonical, false)).toBe(canonical)
    expect(canonical).toMatch(/^[0-9a-f:]+$/)
  })

  it("matches what PowerDNS prints", () => {
    expect(canonicalIpv6("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1")
    expect(canonicalIpv6("0:0:0:0:0:0:0:1")).toBe("::1")
    expect(canonicalIpv6("::ffff:c000:201")).toBe("::ffff:192.0.2.1")
    expect(canonicalIpv6("::ffff:192.0.2.1", false)).toBe("::ffff:c000:201")
    expect(canonicalIpv6("2001:db8:0:1:0:0:0:1")).toBe("2001:db8:0:1::1")
    expect(canonicalIpv6("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1")
  })
})

const namesAndTypes = (rrsets: ReadonlyArray<Rrset>) => {
  const m = new Map<string, Array<string>>()
  for (const r of rrsets) m.set(r.name, [...(m.get(r.name) ?? []), r.type])
  return m
}

describe("zone planner", () => {
  it.prop("never serves a CNAME next to other data, and serves only names in the zone", [recordsArb], ([rs]) => {
    const plan = planZone({ zone: ZONE, records: [soa, ...plannedOf(rs)], bound: [], otherZones: [] })
    for (const [name, types] of namesAndTypes(plan.rrsets)) {
      if (types.includes("CNAME")) expect(types, name).toEqual(["CNAME"])
      expect(withoutDot(name) === ZONE || name.endsWith(`.${ZONE}.`)).toBe(true)
    }
    for (const r of plan.rrsets) {
      if (r.type === "CNAME") expect(r.records).toHaveLength(1)
      expect(new Set(r.records).size).toBe(r.records.length)
      expect(Schema.is(Schema.Struct({ records: Schema.Array(Schema.String) }))(r)).toBe(true)
    }
    expect(plan.rrsets.filter((r) => r.type === "SOA")).toHaveLength(1)
    // every record is served or rejected with a reason
    const served = new Set(plan.rrsets.flatMap((r) => r.records.map((c) => `${r.name} ${r.type} ${c}`)))
    const rejected = new Set(plan.rejected.map((x) => x.id))
    for (const p of plannedOf(rs))
      expect(rejected.has(p.id) || served.has(`${p.name}. ${p.data.type} ${renderContent(p.data)}`)).toBe(true)
  })

  it.prop("is deterministic: the order of rows does not matter", [recordsArb], ([rs]) => {
    const records = [soa, ...plannedOf(rs)]
    const a = planZone({ zone: ZONE, records, bound: [], otherZones: [] })
    const b = planZone({ zone: ZONE, records: [...records].reverse(), bound: [], otherZones: [] })
    expect(b).toEqual(a)
  })

  it.prop("planning after applying changes nothing", [recordsArb, recordsArb], ([before, after]) => {
    const desired = planZone({ zone: ZONE, records: [soa, ...plannedOf(after)], bound: [], otherZones: [] }).rrsets
    const actual = planZone({ zone: ZONE, records: [soa, ...plannedOf(before)], bound: [], otherZones: [] }).rrsets
    expect(diffRrsets(desired, desired)).toEqual({ replace: [], remove: [] })
    const { replace, remove } = diffRrsets(desired, actual)
    const key = (r: { name: string; type: string }) => `${r.name} ${r.type}`
    const gone = new Set([...remove, ...replace].map(key))
    const applied = [...actual.filter((r) => !gone.has(key(r))), ...replace]
    expect(diffRrsets(desired, applied)).toEqual({ replace: [], remove: [] })
  })

  it("ignores the SOA serial and IPv6 spelling when comparing with what the server has", () => {
    const desired = planZone({
      zone: ZONE,
      records: [soa, { id: "x", name: `v6.${ZONE}`, ttl: 300, data: { type: "AAAA", address: "::ffff:c000:201" } }],
      bound: [],
      otherZones: [],
    }).rrsets
    const served: Array<Rrset> = desired.map((r) =>
      r.type === "SOA"
        ? { ...r, records: [r.records[0]!.replace(" 1 ", " 2026112701 ")] }
        : r.type === "AAAA"
          ? { ...r, records: ["::ffff:192.0.2.1"] }
          : r,
    )
    expect(diffRrsets(desired, served)).toEqual({ replace: [], remove: [] })
    expect(
      diffRrsets(desired, [...served, { name: `old.${ZONE}.`, type: "A", ttl: 60, records: ["192.0.2.9"] }]),
    ).toEqual({ replace: [], remove: [{ name: `old.${ZONE}.`, type: "A" }] })
    expect(
      diffRrsets(
        desired,
        served.map((r) => ({ ...r, ttl: r.ttl + 1 })),
      ).replace,
    ).toHaveLength(2)
  })

  it("serves bound FQDNs at their clusters' LB addresses; the most specific zone wins", () => {
    const user = (id: string, name: string, data: RecordData): PlannedRecord => ({ id, name, ttl: 3600, data })
    const plan = planZone({
      zone: ZONE,
      records: [
        soa,
        user("a", `shop.${ZONE}`, { type: "A", address: "198.51.100.1" }),
        user("c", `shop.${ZONE}`, { type: "CNAME", target: "elsewhere.example.net" }),
        user("t", `shop.${ZONE}`, { type: "TXT", text: "kept" }),
        user("d", `x.sub.${ZONE}`, { type: "A", address: "198.51.100.2" }),
        user("n", `sub.${ZONE}`, { type: "NS", nameserver: "ns.sub.example.test" }),
        user("apex", ZONE, { type: "CNAME", target: "x.example.net" }),
      ],
      bound: [
        { hostname: `shop.${ZONE}`, addresses: ["192.0.2.10", "2001:DB8::10", "192.0.2.11"] },
        { hostname: `www.sub.${ZONE}`, addresses: ["192.0.2.10"] },
        { hostname: "www.other.test", addresses: ["192.0.2.10"] },
      ],
      otherZones: [`sub.${ZONE}`, "other.test"],
    })
    const at = (name: string, type: string) => plan.rrsets.find((r) => r.name === name && r.type === type)
    expect(at(`shop.${ZONE}.`, "A")).toEqual({
      name: `shop.${ZONE}.`,
      type: "A",
      ttl: 300,
      records: ["192.0.2.10", "192.0.2.11"],
    })
    expect(at(`shop.${ZONE}.`, "AAAA")?.records).toEqual(["2001:db8::10"])
    expect(at(`shop.${ZONE}.`, "TXT")?.records).toEqual(['"kept"'])
    expect(at(`sub.${ZONE}.`, "NS")?.records).toEqual(["ns.sub.example.test."])
    expect(plan.rrsets.some((r) => r.name.endsWith(`.sub.${ZONE}.`))).toBe(false)
    expect(plan.rrsets.some((r) => r.name.includes("other.test"))).toBe(false)
    expect(Object.fromEntries(plan.rejected.map((r) => [r.id, r.reason]))).toEqual({
      a: expect.stringContaining("bound to a webroot"),
      c: expect.stringContaining("bound to a webroot"),
      d: expect.stringContaining(`belongs to the zone sub.${ZONE}`),
      apex: expect.stringContaining("apex"),
    })
  })

  it("rejects a CNAME beside other data and a second CNAME", () => {
    const r = (id: string, data: RecordData): PlannedRecord => ({ id, name: `w.${ZONE}`, ttl: 60, data })
    const both = planZone({
      zone: ZONE,
      records: [
        soa,
        r("1", { type: "CNAME", target: "a.example.net" }),
        r("2", { type: "MX", priority: 1, exchange: "m.example.net" }),
      ],
      bound: [],
      otherZones: [],
    })
    expect(both.rejected.map((x) => x.id)).toEqual(["1"])
    const two = planZone({
      zone: ZONE,
      records: [
        soa,
        r("2", { type: "CNAME", target: "b.example.net" }),
        r("1", { type: "CNAME", target: "a.example.net" }),
      ],
      bound: [],
      otherZones: [],
    })
    expect(two.rejected.map((x) => x.id)).toEqual(["2"])
    expect(two.rrsets.find((x) => x.type === "CNAME")?.records).toEqual(["a.example.net."])
  })

  it("serves an rrset at its smallest TTL, each content once", () => {
    const r = (id: string, ttl: number): PlannedRecord => ({
      id,
      name: `w.${ZONE}`,
      ttl,
      data: { type: "A", address: "192.0.2.1" },
    })
    const plan = planZone({ zone: ZONE, records: [soa, r("1", 600), r("2", 60)], bound: [], otherZones: [] })
    expect(plan.rrsets.find((x) => x.type === "A")).toEqual({
      name: `w.${ZONE}.`,
      type: "A",
      ttl: 60,
      records: ["192.0.2.1"],
    })
  })

  it("round-trips record data through its schema", () => {
    for (const d of [
      soa.data,
      { type: "TXT", text: "x" },
      { type: "CAA", flags: 128, tag: "iodef", value: "mailto:a@b.test" },
    ])
      expect(Schema.decodeUnknownSync(RecordData)(d)).toEqual(d)
  })
})

describe("service hostnames", () => {
  const SHARDS = ["shard-a", "shard-b", "shard-c"] as const
  const tenantsArb = fc.uniqueArray(
    fc.record({
      name: Arbitrary.make(TenantName),
      status: Arbitrary.make(ResourceStatus),
      shardId: fc.constantFrom(...SHARDS),
      migrateTo: fc.option(fc.constantFrom(...SHARDS), { nil: null }),
    }),
    { selector: (t) => t.name, maxLength: 8 },
  )
  // shard-c sometimes has no nodes (or none with addresses)
  const webNodesArb = fc
    .tuple(
      fc.array(Arbitrary.make(IpAddress), { minLength: 1, maxLength: 4 }),
      fc.array(Arbitrary.make(IpAddress), { minLength: 1, maxLength: 4 }),
      fc.option(fc.array(Arbitrary.make(IpAddress), { maxLength: 4 }), { nil: undefined }),
    )
    .map(
      ([a, b, c]) =>
        new Map<string, ReadonlyArray<string>>([
          ["shard-a", a],
          ["shard-b", b],
          ...(c === undefined ? [] : [["shard-c", c] as const]),
        ]),
    )
  const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort()
  const plan = (
    base: string | null,
    tenants: ReadonlyArray<ServiceTenant>,
    webNodes: ReadonlyMap<string, ReadonlyArray<string>>,
    zone = ZONE,
    otherZones: ReadonlyArray<string> = [],
  ) =>
    planZone({
      zone,
      records: [{ ...soa, name: zone }],
      bound: [],
      services: serviceHostnames(base, tenants, webNodes),
      otherZones,
    })

  it.prop(
    "points a live tenant's service hostname at its shard's web nodes; none while deleting or without a base domain",
    [tenantsArb, webNodesArb, fc.constantFrom(null, ZONE, `svc.${ZONE}`, `svc.${ZONE}.`)],
    ([tenants, webNodes, base]) => {
      const { rrsets, rejected } = plan(base, tenants, webNodes)
      expect(rejected).toEqual([])
      const derived = rrsets.filter((r) => r.type === "A" || r.type === "AAAA")
      if (base === null) expect(derived).toEqual([])
      for (const t of tenants) {
        if (base === null) continue
        const name = `${t.name.replace("_", "-")}.${withoutDot(base)}.`
        const at = (type: string) => derived.find((r) => r.name === name && r.type === type)
        // the migration target's nodes only count once the move flips the shard
        const addresses = t.status === "deleting" ? [] : (webNodes.get(t.shardId) ?? [])
        const v4 = sorted(addresses.filter((a) => !a.includes(":")))
        const v6 = sorted(addresses.filter((a) => a.includes(":")).map((a) => canonicalIpv6(a, false)))
        expect(at("A")?.records ?? [], name).toEqual(v4)
        expect(at("AAAA")?.records ?? [], name).toEqual(v6)
        for (const r of [at("A"), at("AAAA")]) if (r !== undefined) expect(r.ttl).toBe(PLATFORM_RECORD_TTL)
      }
      expect(derived.length).toBeLessThanOrEqual(2 * tenants.length)
    },
  )

  const tenant = (name: string, over: Partial<ServiceTenant> = {}): ServiceTenant => ({
    name,
    status: "active",
    shardId: "shard-a",
    migrateTo: null,
    ...over,
  })
  const webNodes = new Map([
    ["shard-a", ["192.0.2.31", "2001:db8::31"]],
    ["shard-b", ["192.0.2.32"]],
  ])
  const answer = (p: ReturnType<typeof plan>, name: string, type = "A") =>
    p.rrsets.find((r) => r.name === `${name}.` && r.type === type)?.records

  it("keeps a migrating tenant on its source shard's web nodes", () => {
    const p = plan(ZONE, [tenant("t_moving0000", { migrateTo: "shard-b" })], webNodes)
    expect(answer(p, `t-moving0000.${ZONE}`)).toEqual(["192.0.2.31"])
    expect(answer(p, `t-moving0000.${ZONE}`, "AAAA")).toEqual(["2001:db8::31"])
  })

  it("lands in the most specific zone covering the name", () => {
    const base = `svc.${ZONE}`
    const child = `t-child00000.${base}`
    const tenants = [tenant("t_child00000"), tenant("t_plain00000", { shardId: "shard-b" })]
    const zones = [ZONE, base, child, "other.test"]
    const others = (zone: string) => zones.filter((z) => z !== zone)
    // the parent of the base domain: its zone below takes every name
    expect(plan(base, tenants, webNodes, ZONE, others(ZONE)).rrsets.filter((r) => r.type === "A")).toEqual([])
    // the base domain's zone: all but the name with a zone of its own
    const atBase = plan(base, tenants, webNodes, base, others(base))
    expect(atBase.rrsets.filter((r) => r.type === "A").map((r) => r.name)).toEqual([`t-plain00000.${base}.`])
    expect(answer(atBase, `t-plain00000.${base}`)).toEqual(["192.0.2.32"])
    // a zone named after the tenant serves it at its apex
    expect(answer(plan(base, tenants, webNodes, child, others(child)), child)).toEqual(["192.0.2.31"])
    // a zone beside the base domain serves none
    expect(
      plan(base, tenants, webNodes, "other.test", others("other.test")).rrsets.filter((r) => r.type === "A"),
    ).toEqual([])
    // without a zone below it, the parent serves them
    expect(answer(plan(base, tenants, webNodes, ZONE, ["other.test"]), child)).toEqual(["192.0.2.31"])
  })

  it("wins over a user's address records at the name, as for a bound FQDN (other types are kept)", () => {
    const name = `t-taken00000.${ZONE}`
    const user = (id: string, data: RecordData): PlannedRecord => ({ id, name, ttl: 3600, data })
    const p = planZone({
      zone: ZONE,
      records: [
        soa,
        user("a", { type: "A", address: "198.51.100.1" }),
        user("aaaa", { type: "AAAA", address: "2001:db8::99" }),
        user("c", { type: "CNAME", target: "elsewhere.example.net" }),
        user("t", { type: "TXT", text: "kept" }),
      ],
      bound: [],
      services: serviceHostnames(ZONE, [tenant("t_taken00000")], webNodes),
      otherZones: [],
    })
    expect(answer(p, name)).toEqual(["192.0.2.31"])
    expect(answer(p, name, "AAAA")).toEqual(["2001:db8::31"])
    expect(answer(p, name, "TXT")).toEqual(['"kept"'])
    expect(Object.fromEntries(p.rejected.map((r) => [r.id, r.reason]))).toEqual({
      a: expect.stringContaining("service hostname"),
      aaaa: expect.stringContaining("service hostname"),
      c: expect.stringContaining("service hostname"),
    })
    // once the tenant is being deleted the user's records are served again
    const gone = planZone({
      zone: ZONE,
      records: [soa, user("a", { type: "A", address: "198.51.100.1" })],
      bound: [],
      services: serviceHostnames(ZONE, [tenant("t_taken00000", { status: "deleting" })], webNodes),
      otherZones: [],
    })
    expect(gone.rejected).toEqual([])
    expect(answer(gone, name)).toEqual(["198.51.100.1"])
  })
})
