import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Layer } from "effect"
import { type NodeLayout, planTenantSites, TenantSpec, tenantSitePrefix } from "../src/families/tenancy/plan.js"
import { NginxConfig, NginxManager } from "../src/managers/nginx.js"
import { CommandRecorder, ensureThenPlanAgain, MemoryFs } from "./support/node-fakes.js"

const layout: NodeLayout = {
  root: "/srv/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}
const config = {
  binary: "/usr/sbin/nginx",
  prefix: "/srv/node/nginx",
  configFile: "/srv/node/nginx/nginx.conf",
  sitesDir: "/srv/node/nginx/sites",
  pidFile: "/srv/node/nginx/nginx.pid",
}
const nginx = (...args: Array<string>) => [config.binary, "-p", config.prefix, "-c", config.configFile, ...args]
// a reload is a HUP to the running master named by the pid file
const reload = ["kill", "-HUP", "4242"]

const node = () => {
  const fs = new MemoryFs()
    .dir(config.sitesDir)
    .file(`${config.sitesDir}/operator.conf`, "# not ours\n")
    .file(config.pidFile, "4242\n")
    .file("/proc/4242/cmdline", "nginx: master process /usr/sbin/nginx")
  const commands = new CommandRecorder()
  const layer = NginxManager.Default.pipe(
    Layer.provide(Layer.mergeAll(fs.layer(), commands.layer(), Layer.succeed(NginxConfig, config))),
  )
  return { fs, commands, layer }
}

const Specs = FastCheck.uniqueArray(
  Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 4 && s.ssh_keys.length < 2),
  { maxLength: 3, selector: (s) => s.name },
)
const sites = (specs: ReadonlyArray<TenantSpec>) => specs.flatMap((s) => planTenantSites(layout, s, new Map()))

describe("NginxManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; one test and one reload per ensure that changed anything",
    [Specs, Specs],
    ([before, after]) => {
      const { fs, commands, layer } = node()
      return Effect.gen(function* () {
        const done = yield* ensureThenPlanAgain(yield* NginxManager, sites(before), sites(after), commands)
        expect(commands.calls).toEqual(done.reloaded ? [nginx("-t"), reload] : [])
        expect(fs.read(`${config.sitesDir}/operator.conf`)).toBe("# not ours\n")
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 40 } },
  )

  it.effect("a configuration nginx -t refuses is rolled back and fails with its message", () => {
    const { fs, commands, layer } = node()
    const scope = tenantSitePrefix("t_aaaaaaaaaa")
    const before = { file: `${scope}web_aaaaaaaaaa.conf`, content: "server { }\n" }
    return Effect.gen(function* () {
      const m = yield* NginxManager
      yield* m.ensure([before], scope)
      commands.answer((argv) =>
        argv.includes("-t") ? { exitCode: 1, stderr: "nginx: [emerg] unknown directive" } : {},
      )
      const error = yield* Effect.flip(
        m.ensure(
          [
            { ...before, content: "bogus;\n" },
            { file: `${scope}web_bbbbbbbbbb.conf`, content: "x\n" },
          ],
          scope,
        ),
      )
      expect(error).toMatchObject({ _tag: "NginxConfigRejected", message: "nginx: [emerg] unknown directive" })
      expect(fs.list(config.sitesDir)).toEqual([before.file, "operator.conf"])
      expect(fs.read(`${config.sitesDir}/${before.file}`)).toBe("server { }\n")
      // a forced ensure (a certificate changed) tests and reloads with no site change
      commands.answer(() => undefined)
      commands.calls.length = 0
      expect(yield* m.ensure([before], scope, true)).toEqual({ written: [], removed: [], reloaded: true })
      expect(commands.calls).toEqual([nginx("-t"), reload])
    }).pipe(Effect.provide(layer))
  })
})
