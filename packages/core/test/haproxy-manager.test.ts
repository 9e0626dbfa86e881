import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"
import { type LbSpec, lbBackendName, lbPaths, lbRoutes } from "../src/families/lb/plan.js"
import { HaproxyConfig, HaproxyManager, HaproxyProcess } from "../src/managers/haproxy.js"
import { CommandRecorder, MemoryFs } from "./support/node-fakes.js"

const layout = { root: "/srv/lb", listen: { host: "127.0.0.1", port: 8080 } }
const paths = lbPaths(layout.root)
const shard = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`

/**
 * HAProxy's runtime API as far as the manager uses it: a map of entries with references, map
 * versions (prepare/add/commit), and a start that loads the map file, as the real process does.
 */
class FakeHaproxy {
  running = false
  starts = 0
  entries: Array<{ ref: string; key: string; value: string }> = []
  private versions = new Map<string, Array<{ ref: string; key: string; value: string }>>()
  private next = 1
  constructor(private readonly fs: MemoryFs) {}

  private entry(key: string, value: string) {
    return { ref: `0x${(this.next++).toString(16)}`, key, value }
  }

  cli(request: string): string {
    const [head, ...payload] = request.split("\n")
    const rows = payload.filter((l) => l.trim() !== "").map((l) => l.split(" ") as [string, string])
    let out = ""
    for (const cmd of head!.replace(/ <<$/, "").split(";")) {
      const words = cmd.trim().split(" ")
      const version = words[2]?.startsWith("@") ? words[2].slice(1) : undefined
      const target = version === undefined ? this.entries : this.versions.get(version)!
      if (cmd.startsWith("show map ")) out += target.map((e) => `${e.ref} ${e.key} ${e.value}\n`).join("")
      else if (cmd.startsWith("del map ")) this.entries = this.entries.filter((e) => `#${e.ref}` !== words[3])
      else if (cmd.startsWith("set map ")) {
        for (const e of this.entries) if (`#${e.ref}` === words[3]) e.value = words[4]!
      } else if (cmd.startsWith("add map ")) target.push(...rows.map(([k, v]) => this.entry(k, v)))
      else if (cmd.startsWith("prepare map ")) {
        const v = String(this.versions.size + 1)
        this.versions.set(v, [])
        out += `New version created: ${v}\n`
      } else if (cmd.startsWith("commit map ")) this.entries = this.versions.get(version!)!
      else out += `Unknown command: ${cmd}\n`
    }
    return out
  }

  start() {
    this.running = true
    this.starts++
    this.entries = (this.fs.read(paths.map) ?? "")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => this.entry(...(l.split(" ") as [string, string])))
  }
}

const node = () => {
  const fs = new MemoryFs().dir(layout.root)
  const haproxy = new FakeHaproxy(fs)
  const commands = new CommandRecorder()
  const layer = HaproxyManager.Default.pipe(
    Layer.provide(
      Layer.mergeAll(
        fs.layer(),
        commands.layer(),
        Layer.succeed(HaproxyConfig, { layout, binary: "/usr/sbin/haproxy" }),
        Layer.succeed(HaproxyProcess, {
          running: Effect.sync(() => haproxy.running),
          cli: (request) => Effect.sync(() => haproxy.cli(request)),
          startOrReload: Effect.sync(() => haproxy.start()),
        }),
      ),
    ),
  )
  return { fs, haproxy, commands, layer }
}

const hosts = fc.constantFrom("a.test", "b.test", "c.example.test", "d.test", "xn--bcher-kva.test", "e.test")
const specArb: fc.Arbitrary<LbSpec> = fc
  .tuple(fc.uniqueArray(hosts, { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .map(([names, shards, pick]) => ({
    backends: Array.from({ length: shards }, (_, i) => ({
      name: lbBackendName(shard(i + 1)),
      servers: [{ name: `node-${shard(i + 11)}`, address: `10.0.0.${i + 1}`, port: 8000 }],
      hosts: names.filter((_, j) => (j + pick) % shards === i),
    })),
  }))

describe("HaproxyManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; the live map and the map file are the routes",
    [specArb, specArb],
    ([before, after]) => {
      const { fs, haproxy, layer } = node()
      return Effect.gen(function* () {
        const m = yield* HaproxyManager
        yield* m.start()
        yield* m.ensure(before)
        const planned = yield* m.plan(after)
        const starts = haproxy.starts
        const done = yield* m.ensure(after)
        expect(done.changes).toEqual(planned.changes)
        // only a changed backend set reloads; routes change through the runtime API
        const backendsChanged = planned.changes.some((c) => c.kind === "haproxy_config")
        expect(done.reloads.haproxy).toBe(backendsChanged ? 1 : 0)
        expect(haproxy.starts - starts).toBe(backendsChanged ? 1 : 0)
        expect(yield* m.plan(after)).toEqual({ changes: [], reloads: { haproxy: 0 } })
        const routes = lbRoutes(after)
        expect([...(yield* m.routes())].sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(routes)
        expect(fs.read(paths.map)).toBe(routes.map(([h, b]) => `${h} ${b}\n`).join(""))
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 60 } },
  )

  it.effect("more than 500 route changes replace the map as one committed version", () => {
    const { haproxy, layer } = node()
    const names = Array.from({ length: 600 }, (_, i) => `h${i}.test`)
    const spec = (n: number): LbSpec => ({
      backends: [{ name: lbBackendName(shard(1)), servers: [], hosts: names.slice(0, n) }],
    })
    return Effect.gen(function* () {
      const m = yield* HaproxyManager
      yield* m.ensure(spec(0))
      const requests: Array<string> = []
      const cli = haproxy.cli.bind(haproxy)
      haproxy.cli = (r) => {
        requests.push(r.split("\n")[0]!)
        return cli(r)
      }
      const report = yield* m.ensure(spec(600))
      expect(report.reloads.haproxy).toBe(0)
      expect(report.changes.filter((c) => c.kind === "lb_route")).toHaveLength(600)
      expect(requests[0]).toBe(`show map ${paths.map}`)
      expect(requests[1]).toBe(`prepare map ${paths.map}`)
      expect(requests.at(-1)).toBe(`commit map @1 ${paths.map}`)
      expect(haproxy.entries).toHaveLength(600)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a config haproxy -c refuses fails, changes nothing and starts nothing", () => {
    const { fs, haproxy, commands, layer } = node()
    commands.answer(() => ({ exitCode: 1, stderr: "[ALERT] parsing [haproxy.cfg.next:20]: unknown keyword" }))
    return Effect.gen(function* () {
      const m = yield* HaproxyManager
      const error = yield* Effect.flip(m.ensure({ backends: [] }))
      expect(error).toMatchObject({
        _tag: "HaproxyConfigRejected",
        message: "[ALERT] parsing [haproxy.cfg.next:20]: unknown keyword",
      })
      expect(commands.calls).toEqual([["/usr/sbin/haproxy", "-c", "-q", "-f", `${paths.config}.next`]])
      expect(fs.list(layout.root)).toEqual([])
      expect(haproxy.starts).toBe(0)
    }).pipe(Effect.provide(layer))
  })
})
