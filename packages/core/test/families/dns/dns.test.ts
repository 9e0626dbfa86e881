import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { RecordData, RecordInput, type Rrset } from "../../../src/families/dns/domain.js"
import {
  canonicalIpv6,
  diffRrsets,
  ipv6Groups,
  type PlannedRecord,
  planZone,
  renderContent,
  resolveRecordName,
  TXT_CHUNK,
  txtChunks,
  withoutDot,
} from "../../../src/families/dns/plan.js"
import { soa, ZONE } from "./fixtures.js"

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
