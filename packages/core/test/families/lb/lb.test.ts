import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import {
  type LbClusterFacts,
  LbHost,
  LbServer,
  LbSpec,
  lbBackendName,
  lbRoutes,
  type MapEntry,
  mapChangeCount,
  parseShowMap,
  planLbSpec,
  planMapChanges,
  renderHaproxyConfig,
  renderLbMap,
  UNKNOWN_HOST_BACKEND,
} from "../../../src/families/lb/plan.js"

const layout = { root: "/var/lib/hosting/lb", listen: { host: "127.0.0.1", port: 8080 } }
const shard = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const node = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, "0")}`

const hosts = fc.constantFrom("a.test", "b.test", "c.example.test", "d.test", "xn--bcher-kva.test", "e.test")
const backends = fc.constantFrom(lbBackendName(shard(1)), lbBackendName(shard(2)), lbBackendName(shard(3)))
/** A map as HAProxy may hold it: any keys, duplicates included, each entry with its own reference. */
const liveMap = fc
  .array(fc.tuple(fc.oneof(hosts, fc.constant("not;a host")), backends), { maxLength: 12 })
  .map((es) => es.map(([key, value], i): MapEntry => ({ ref: `0x${(i + 1).toString(16)}`, key, value })))
const desired = fc
  .uniqueArray(fc.tuple(hosts, backends), { selector: ([h]) => h, maxLength: 6 })
  .map((rs) => rs.sort(([a], [b]) => (a < b ? -1 : 1)))

/** What HAProxy does with the planned commands (deletes and sets by reference, adds appended). */
const applyTo = (current: ReadonlyArray<MapEntry>, routes: ReadonlyArray<readonly [string, string]>) => {
  const c = planMapChanges(current, routes)
  const gone = new Set(c.del.map((d) => d.ref))
  const set = new Map(c.set.map((s) => [s.ref, s.value]))
  const next = current.filter((e) => !gone.has(e.ref)).map((e) => ({ ...e, value: set.get(e.ref) ?? e.value }))
  return [...next, ...c.add.map(([key, value], i) => ({ ref: `0xa${i}`, key, value }))]
}

describe("LB map planner", () => {
  it.prop(
    "applying the planned changes gives exactly the routes; planning again gives none",
    [liveMap, desired],
    ([current, routes]) => {
      const after = applyTo(current, routes)
      expect(after.map((e) => [e.key, e.value]).sort()).toEqual(routes.map(([h, b]) => [h, b]).sort())
      expect(mapChangeCount(planMapChanges(after, routes))).toBe(0)
    },
  )

  it.prop("changes only what differs: a route already in place is neither deleted nor set", [desired], ([routes]) => {
    const current = routes.map(([key, value], i) => ({ ref: `0x${i + 1}`, key, value }))
    expect(planMapChanges(current, routes)).toEqual({ add: [], set: [], del: [] })
  })

  it("collapses a duplicated key to one entry and fixes its value by reference", () => {
    const b1 = lbBackendName(shard(1))
    const b2 = lbBackendName(shard(2))
    const current = [
      { ref: "0x1", key: "a.test", value: b1 },
      { ref: "0x2", key: "a.test", value: b1 },
      { ref: "0x3", key: "gone.test", value: b2 },
    ]
    expect(planMapChanges(current, [["a.test", b2]])).toEqual({
      add: [],
      set: [{ ref: "0x1", key: "a.test", value: b2 }],
      del: [
        { ref: "0x2", key: "a.test" },
        { ref: "0x3", key: "gone.test" },
      ],
    })
  })

  it.prop("`show map` output parses back to its entries", [liveMap], ([entries]) => {
    const clean = entries.filter((e) => !e.key.includes(" "))
    const output = `${clean.map((e) => `${e.ref} ${e.key} ${e.value}`).join("\n")}\n\n`
    expect(parseShowMap(output)).toEqual(clean)
  })
})

const specArb = fc
  .uniqueArray(
    fc.record({
      shard: fc.integer({ min: 1, max: 50 }),
      servers: fc.uniqueArray(
        fc.tuple(fc.integer({ min: 1, max: 50 }), Arbitrary.make(LbServer)).map(([n, s]) => ({
          ...s,
          name: `node-${node(n)}`,
        })),
        { selector: (s) => s.name, maxLength: 4 },
      ),
      hosts: fc.uniqueArray(Arbitrary.make(LbHost), { maxLength: 5 }),
    }),
    { selector: (b) => b.shard, maxLength: 4 },
  )
  .map((bs) => {
    const seen = new Set<string>()
    return {
      backends: bs.map((b) => ({
        name: lbBackendName(shard(b.shard)),
        servers: b.servers,
        hosts: b.hosts.filter((h) => !seen.has(h) && seen.add(h)),
      })),
    }
  })

describe("HAProxy config planner", () => {
  it.prop(
    "one backend per shard with consistent Host hashing, only allow-listed lines, any order",
    [specArb],
    ([spec]) => {
      expect(Schema.is(LbSpec)(spec)).toBe(true)
      const config = renderHaproxyConfig(layout, spec.backends)
      expect(config).toBe(renderHaproxyConfig(layout, [...spec.backends].reverse()))
      for (const b of spec.backends) {
        const block = config.split(`backend ${b.name}\n`)[1]!.split(/\nbackend /)[0]!
        expect(block).toContain("balance hdr(host)\n  hash-type consistent")
        expect(block.match(/ server /g)?.length ?? 0).toBe(b.servers.length)
      }
      expect(config.match(/^backend /gm)).toHaveLength(spec.backends.length + 1)
      expect(config).toContain(`backend ${UNKNOWN_HOST_BACKEND}\n  http-request return status 404`)
      // routes never reach the config: binding a name cannot need a reload
      expect(
        renderHaproxyConfig(
          layout,
          spec.backends.map((b) => ({ ...b, hosts: ["other.test"] })),
        ),
      ).toBe(config)
      for (const line of config.split("\n").filter((l) => l.startsWith("  server "))) {
        expect(line).toMatch(/^ {2}server node-[0-9a-f-]{36} (\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):\d+ check$/)
      }
    },
  )

  it.prop("the map file lists every route once, sorted, and nothing else", [specArb], ([spec]) => {
    const routes = lbRoutes(spec)
    const text = renderLbMap(routes)
    const lines = text.split("\n").filter((l) => l !== "")
    expect(lines).toEqual([...lines].sort())
    expect(lines.length).toBe(spec.backends.reduce((n, b) => n + b.hosts.length, 0))
    for (const l of lines) expect(l).toMatch(/^[a-z0-9.-]+ shard-[0-9a-f-]{36}$/)
  })

  it("refuses what HAProxy would read as syntax or misroute", () => {
    const ok = { name: lbBackendName(shard(1)), servers: [], hosts: ["a.test"] }
    const bad = [
      { backends: [ok, { ...ok, hosts: ["b.test"] }] },
      { backends: [ok, { ...ok, name: lbBackendName(shard(2)) }] },
      { backends: [{ ...ok, name: "shard-x\n  server evil 1.2.3.4:80" }] },
      { backends: [{ ...ok, hosts: ["a.test b"] }] },
      { backends: [{ ...ok, hosts: ["A.TEST"] }] },
      { backends: [{ ...ok, hosts: ["a.test."] }] },
      { backends: [{ ...ok, servers: [{ name: `node-${node(1)}`, address: "1.2.3.4 backup", port: 80 }] }] },
      { backends: [{ ...ok, servers: [{ name: `node-${node(1)}`, address: "1.2.3.4", port: 0 }] }] },
    ]
    for (const spec of bad) expect(Schema.is(LbSpec)(spec), JSON.stringify(spec)).toBe(false)
    expect(Schema.is(LbSpec)({ backends: [ok] })).toBe(true)
  })

  it("brackets IPv6 servers and listen addresses", () => {
    const config = renderHaproxyConfig({ root: "/lb", listen: { host: "::", port: 80 } }, [
      { name: lbBackendName(shard(1)), servers: [{ name: `node-${node(1)}`, address: "2001:db8::1", port: 8000 }] },
    ])
    expect(config).toContain("  bind [::]:80\n")
    expect(config).toContain(`  server node-${node(1)} [2001:db8::1]:8000 check\n`)
  })
})

describe("cluster → LB spec", () => {
  const factsArb = fc
    .record({
      shards: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
      nodes: fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.boolean()), { maxLength: 6 }),
      names: fc.uniqueArray(Arbitrary.make(LbHost), { maxLength: 8 }),
    })
    .map(
      ({ shards, nodes, names }): LbClusterFacts => ({
        webShards: shards.map((s) => ({
          shardId: shard(s),
          nodes: nodes
            .filter(([n]) => n % shards.length === shards.indexOf(s))
            .map(([n, addressed], i) => ({ nodeId: node(n * 10 + i), addresses: addressed ? [`10.0.0.${n}`] : [] })),
        })),
        routes: names.map((hostname, i) => ({ hostname, shardId: shard(shards[i % shards.length]!) })),
      }),
    )

  it.prop("routes every name to its tenant's shard and reaches every addressed node", [factsArb], ([facts]) => {
    const spec = planLbSpec(facts, 8000)
    expect(Schema.is(LbSpec)(spec)).toBe(true)
    expect(planLbSpec({ ...facts, routes: [...facts.routes].reverse() }, 8000)).toEqual(spec)
    const routed = new Map(lbRoutes(spec))
    for (const r of facts.routes) expect(routed.get(r.hostname)).toBe(lbBackendName(r.shardId))
    for (const s of facts.webShards) {
      const b = spec.backends.find((x) => x.name === lbBackendName(s.shardId))!
      expect(b.servers.map((x) => x.address).sort()).toEqual(s.nodes.flatMap((n) => n.addresses.slice(0, 1)).sort())
      for (const server of b.servers) expect(server.port).toBe(8000)
    }
  })

  it("leaves out names of shards outside the cluster's web shards", () => {
    const spec = planLbSpec(
      { webShards: [{ shardId: shard(1), nodes: [] }], routes: [{ hostname: "x.test", shardId: shard(2) }] },
      80,
    )
    expect(spec).toEqual({ backends: [{ name: lbBackendName(shard(1)), servers: [], hosts: [] }] })
  })
})
