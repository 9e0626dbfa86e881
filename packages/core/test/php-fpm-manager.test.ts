import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Layer, Schema } from "effect"
import { type NodeLayout, planTenantPools, TenantSpec, tenantPoolPrefix } from "../src/families/tenancy/plan.js"
import { PhpFpmConfig, PhpFpmManager } from "../src/managers/php-fpm.js"
import { CommandRecorder, ensureThenPlanAgain, MemoryFs } from "./support/node-fakes.js"

const layout: NodeLayout = {
  root: "/srv/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}
const config = {
  binary: "/usr/sbin/php-fpm8.2",
  configFile: "/srv/node/php/php-fpm.conf",
  pidFile: "/srv/node/php/php-fpm.pid",
  poolDir: "/srv/node/php/pool.d",
  runDir: "/srv/node/php/run",
}

/** A node with a running php-fpm master: USR2 makes exactly the pool files' sockets exist. */
const node = () => {
  const fs = new MemoryFs()
    .dir(config.poolDir, 0o700)
    .dir(config.runDir)
    .file(config.pidFile, "4242\n")
    .file("/proc/4242/cmdline", "php-fpm: master process (/srv/node/php/php-fpm.conf)")
    .file(`${config.poolDir}/operator.conf`, "; the operator's own pool\n")
  const commands = new CommandRecorder((argv) => {
    if (argv[0] === "kill") {
      for (const s of fs.list(config.runDir)) fs.entries.delete(`${config.runDir}/${s}`)
      for (const f of fs.list(config.poolDir).filter((f) => f.startsWith("hp-")))
        fs.file(`${config.runDir}/${f.slice(3, -5)}.sock`, "")
    }
    return undefined
  })
  const layer = PhpFpmManager.Default.pipe(
    Layer.provide(Layer.mergeAll(fs.layer(), commands.layer(), Layer.succeed(PhpFpmConfig, config))),
  )
  return { fs, commands, layer }
}

// Few small specs keep a run fast; every field is still arbitrary.
const Specs = FastCheck.array(
  Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 5 && s.ssh_keys.length < 2),
  { maxLength: 3 },
)
const pools = (specs: ReadonlyArray<Schema.Schema.Type<typeof TenantSpec>>) =>
  specs.flatMap((s) => planTenantPools(layout, s))

describe("PhpFpmManager", () => {
  it.live.prop(
    "ensure, then plan again: no changes; one test and one reload per ensure that changed anything",
    [Specs, Specs],
    ([before, after]) => {
      const { fs, commands, layer } = node()
      return Effect.gen(function* () {
        const done = yield* ensureThenPlanAgain(yield* PhpFpmManager, pools(before), pools(after), commands)
        expect(commands.calls).toEqual(
          done.reloaded
            ? [
                ["/usr/sbin/php-fpm8.2", "-t", "-y", config.configFile],
                ["kill", "-USR2", "4242"],
              ]
            : [],
        )
        expect(fs.read(`${config.poolDir}/operator.conf`)).toBe("; the operator's own pool\n")
        for (const p of pools(after)) expect(fs.read(`${config.poolDir}/${p.file}`)).toBe(p.content)
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 50 } },
  )

  it.effect("a tenant's scope leaves other tenants' pools alone, and a plan changes nothing", () => {
    const { fs, commands, layer } = node()
    const spec = (name: string) =>
      Schema.decodeUnknownSync(TenantSpec)({
        name,
        suspended: false,
        webroots: [
          {
            name: "web_aaaaaaaaaa",
            runtime: "php",
            runtime_version: "8.2",
            entrypoint: null,
            numprocs: 1,
            server_names: [],
          },
        ],
        ssh_keys: [],
      })
    const [a, b] = [spec("t_aaaaaaaaaa"), spec("t_bbbbbbbbbb")]
    return Effect.gen(function* () {
      const m = yield* PhpFpmManager
      expect(yield* m.ensure(pools([a, b]))).toEqual({
        written: ["hp-t_aaaaaaaaaa-8.2.conf", "hp-t_bbbbbbbbbb-8.2.conf"],
        removed: [],
        reloaded: true,
      })
      expect(fs.list(config.runDir)).toEqual(["t_aaaaaaaaaa-8.2.sock", "t_bbbbbbbbbb-8.2.sock"])
      const state = fs.snapshot()
      const scope = tenantPoolPrefix("t_aaaaaaaaaa")
      expect(yield* m.plan([], scope)).toEqual({ written: [], removed: ["hp-t_aaaaaaaaaa-8.2.conf"], reloaded: false })
      expect(fs.snapshot()).toEqual(state)
      expect(yield* m.ensure([], scope)).toEqual({ written: [], removed: ["hp-t_aaaaaaaaaa-8.2.conf"], reloaded: true })
      expect(fs.list(config.poolDir)).toEqual(["hp-t_bbbbbbbbbb-8.2.conf", "operator.conf"])
      expect(fs.list(config.runDir)).toEqual(["t_bbbbbbbbbb-8.2.sock"])
      expect(commands.calls).toHaveLength(4)
    }).pipe(Effect.provide(layer))
  })

  it.effect("pools php-fpm refuses are rolled back and fail with its message, without a reload", () => {
    const { fs, commands, layer } = node()
    commands.answer((argv) => (argv[1] === "-t" ? { exitCode: 78, stderr: "ERROR: [pool x] bad value\n" } : undefined))
    const file = { file: "hp-t_cccccccccc-8.2.conf", content: "[broken\n" }
    return Effect.gen(function* () {
      const m = yield* PhpFpmManager
      const error = yield* Effect.flip(m.ensure([file]))
      expect(error).toMatchObject({ _tag: "PhpFpmConfigRejected", message: "ERROR: [pool x] bad value" })
      expect(fs.list(config.poolDir)).toEqual(["operator.conf"])
      expect(commands.calls).toEqual([["/usr/sbin/php-fpm8.2", "-t", "-y", config.configFile]])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a master that is not running is an outage (retried), not a rejection", () => {
    const { fs, layer } = node()
    fs.entries.delete("/proc/4242/cmdline")
    return Effect.gen(function* () {
      const m = yield* PhpFpmManager
      const error = yield* Effect.flip(m.ensure([{ file: "hp-t_dddddddddd-8.2.conf", content: "[t]\n" }]))
      expect(error).toMatchObject({ _tag: "PhpFpmUnavailable", message: "php-fpm is not running" })
    }).pipe(Effect.provide(layer))
  })
})
