// The DNS planner's service hostnames: `<tenant label>.<base domain>` at the tenant's shard's web
// nodes, in the most specific zone covering it, winning over a user's address records.
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc } from "effect"
import { ResourceStatus } from "../../../src/domain/lifecycle.js"
import { IpAddress } from "../../../src/domain/validation.js"
import { PLATFORM_RECORD_TTL, type RecordData } from "../../../src/families/dns/domain.js"
import {
  canonicalIpv6,
  labelUnder,
  type PlannedRecord,
  planZone,
  type ServiceTenant,
  serviceHostnames,
  withoutDot,
} from "../../../src/families/dns/plan.js"
import { TenantName } from "../../../src/families/tenancy/domain.js"
import { soa, ZONE } from "./fixtures.js"

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

  it("finds the one label directly under the base domain, and nothing deeper or beside it", () => {
    expect(labelUnder("t-abc0000000.svc.example.test", "svc.example.test")).toBe("t-abc0000000")
    expect(labelUnder("t-abc0000000.svc.example.test.", "svc.example.test.")).toBe("t-abc0000000")
    expect(labelUnder("a.t-abc0000000.svc.example.test", "svc.example.test")).toBeUndefined()
    expect(labelUnder("svc.example.test", "svc.example.test")).toBeUndefined()
    expect(labelUnder("t-abc0000000.xsvc.example.test", "svc.example.test")).toBeUndefined()
  })
})
