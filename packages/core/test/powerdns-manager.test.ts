import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Option } from "effect"
import type { Rrset } from "../src/families/dns/domain.js"
import { PowerDnsApi, PowerDnsManager, type RrsetChange, type ServedRrset } from "../src/managers/powerdns.js"

/** A PowerDNS server's zones in memory; every call is recorded, SOA serials bumped as SOA-EDIT-API does. */
const server = () => {
  const zones = new Map<string, Array<ServedRrset>>()
  const calls: Array<string> = []
  const served = (r: Rrset): ServedRrset => ({
    ...r,
    records: r.records.map((content) => ({ content, disabled: false })),
  })
  const api = PowerDnsApi.of({
    getZone: (zone) => Effect.sync(() => Option.fromNullable(zones.get(zone))),
    createZone: (zone, rrsets) =>
      Effect.sync(() => {
        calls.push(`create ${zone}`)
        zones.set(zone, rrsets.map(served))
      }),
    patchZone: (zone, changes: ReadonlyArray<RrsetChange>) =>
      Effect.sync(() => {
        calls.push(`patch ${zone} ${changes.length}`)
        let sets = zones.get(zone)!
        for (const c of changes) {
          const [name, type] = c.changetype === "DELETE" ? [c.name, c.type] : [c.rrset.name, c.rrset.type]
          sets = sets.filter((r) => !(r.name === name && r.type === type))
          if (c.changetype === "REPLACE") sets.push(served(c.rrset))
        }
        zones.set(zone, sets)
      }),
    deleteZone: (zone) =>
      Effect.sync(() => {
        calls.push(`delete ${zone}`)
        return zones.delete(zone)
      }),
    flushCache: (zone) => Effect.sync(() => void calls.push(`flush ${zone}`)),
    listZones: () => Effect.sync(() => [...zones.keys()]),
  })
  return { zones, calls, layer: PowerDnsManager.Default.pipe(Layer.provide(Layer.succeed(PowerDnsApi, api))) }
}

const rrsetsArb: fc.Arbitrary<Array<Rrset>> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom("example.test.", "www.example.test.", "mail.example.test."),
      type: fc.constantFrom("A" as const, "TXT" as const),
      ttl: fc.constantFrom(300, 3600),
      n: fc.integer({ min: 1, max: 3 }),
    }),
    { selector: (r) => `${r.name} ${r.type}`, maxLength: 6 },
  )
  .map((sets) =>
    sets.map((s) => ({
      name: s.name,
      type: s.type,
      ttl: s.ttl,
      records: Array.from({ length: s.n }, (_, i) => (s.type === "A" ? `192.0.2.${i + 1}` : `"text ${i}"`)),
    })),
  )

describe("PowerDnsManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; the plan named what ensure did, in one PATCH at most",
    [rrsetsArb, rrsetsArb],
    ([before, after]) => {
      const { zones, calls, layer } = server()
      return Effect.gen(function* () {
        const m = yield* PowerDnsManager
        yield* m.ensureZone("example.test", before)
        calls.length = 0
        const planned = yield* m.planZone("example.test", after)
        expect(calls).toEqual([])
        expect(yield* m.ensureZone("example.test", after)).toEqual(planned)
        expect(calls).toEqual(planned.length === 0 ? [] : [`patch example.test. ${planned.length}`])
        expect(yield* m.planZone("example.test", after)).toEqual([])
        expect(zones.get("example.test.")!.length).toBe(after.length)
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 60 } },
  )

  it.effect("a missing zone is created with its data and the cache flushed; removing it twice is fine", () => {
    const { calls, layer } = server()
    const rrsets: Array<Rrset> = [{ name: "example.test.", type: "A", ttl: 300, records: ["192.0.2.1"] }]
    return Effect.gen(function* () {
      const m = yield* PowerDnsManager
      expect(yield* m.planZone("example.test", rrsets)).toEqual([
        { action: "create", kind: "zone", target: "example.test." },
      ])
      expect(calls).toEqual([])
      yield* m.ensureZone("example.test", rrsets)
      expect(calls).toEqual(["create example.test.", "flush example.test."])
      expect(yield* m.removeZone("example.test")).toEqual([{ action: "delete", kind: "zone", target: "example.test." }])
      expect(yield* m.removeZone("example.test")).toEqual([])
    }).pipe(Effect.provide(layer))
  })
})
