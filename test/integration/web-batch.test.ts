// Ensures of several tenants arriving together on one node share one test and one reload of
// nginx and of php-fpm, against the real daemons; the commands the managers run are recorded on
// their way to the real executor, so reloads are counted where they happen.
import { type Command, CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { type WebManagers, WebNode, webManagersLayer, webNodeConfigFromEnv } from "@hosting/agent"
import { generateName, type TenantSpec } from "@hosting/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { eventually, httpGet, makeTestWebNode, type TestWebNode } from "../support/web-node.js"

let node: TestWebNode
let web: WebNode
let runtime: ManagedRuntime.ManagedRuntime<WebManagers, never>
const commands: Array<ReadonlyArray<string>> = []

// the live executor, with every command it starts written down first
const recordingPlatform = Layer.merge(
  NodeContext.layer,
  Layer.effect(
    CommandExecutor.CommandExecutor,
    Effect.map(CommandExecutor.CommandExecutor, (live) => ({
      ...live,
      start: (command: Command.Command) => {
        if (command._tag === "StandardCommand") commands.push([command.command, ...command.args])
        return live.start(command)
      },
    })),
  ).pipe(Layer.provide(NodeContext.layer)),
)

const count = (match: (c: ReadonlyArray<string>) => boolean) => commands.filter(match).length
const nginxReloads = () => count((c) => c[0] === "kill" && c[1] === "-HUP")
const nginxTests = () => count((c) => c[0]?.endsWith("nginx") === true && c.includes("-t"))
const phpReloads = () => count((c) => c[0] === "kill" && c[1] === "-USR2")
const phpTests = () => count((c) => c[0]?.includes("php-fpm") === true && c.includes("-t"))

const phpTenant = (host: string, over: Partial<TenantSpec> = {}): TenantSpec => ({
  name: generateName("tenant"),
  suspended: false,
  webroots: [
    {
      name: generateName("webroot"),
      runtime: "php",
      runtime_version: "8.2",
      entrypoint: null,
      numprocs: 1,
      server_names: [host],
    },
  ],
  ssh_keys: [],
  ...over,
})
const settle = <A>(p: Promise<A>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  )

beforeAll(async () => {
  node = await makeTestWebNode()
  const config = webNodeConfigFromEnv(node.env)
  runtime = ManagedRuntime.make(webManagersLayer(config, recordingPlatform))
  web = new WebNode(config, runtime)
  await web.start()
})

afterAll(async () => {
  await web?.close()
  await runtime?.dispose()
  await node?.cleanup()
})

beforeEach(() => {
  commands.length = 0
})

describe("ensures batched on a web node", () => {
  it("eight tenants ensured at once: one nginx test and reload, one php-fpm test and reload, each its own report", async () => {
    const tenants = Array.from({ length: 8 }, (_, i) => phpTenant(`b${i}.batch.test`))
    const reports = await Promise.all(tenants.map((t) => web.ensureTenant(t)))
    expect([nginxTests(), nginxReloads(), phpTests(), phpReloads()]).toEqual([1, 1, 1, 1])
    for (const [i, r] of reports.entries()) {
      expect(r.reloads).toEqual({ nginx: 1, php: 1 })
      expect(r.errors).toEqual([])
      // only its own changes: its user, directories in its home, one pool and one site
      const user = `${node.userPrefix}${tenants[i]!.name}`
      expect(r.changes.filter((c) => c.kind === "user")).toEqual([{ action: "create", kind: "user", target: user }])
      expect(r.changes.filter((c) => c.kind === "directory").every((c) => c.target.includes(`/home/${user}`))).toBe(
        true,
      )
      const files = r.changes.filter((c) => c.kind === "php_pool" || c.kind === "nginx_site")
      expect(files.map((c) => [c.kind, c.target.startsWith(`hp-${user}`)])).toEqual([
        ["php_pool", true],
        ["nginx_site", true],
      ])
    }
    // a new webroot's placeholder page, through the tenant's site
    for (const i of tenants.keys())
      await eventually(
        `b${i} served`,
        () => httpGet(node.httpPort, `b${i}.batch.test`, "/"),
        (a) => a.status === 200,
      )
    // each tenant's pool runs: its socket exists
    for (const t of tenants) expect(web.phpSocketExists(t.name, "8.2")).toBe(true)

    // ensured again together: nothing changes, nothing is tested or reloaded
    commands.length = 0
    const again = await Promise.all(tenants.map((t) => web.ensureTenant(t)))
    expect(again).toEqual(tenants.map(() => ({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })))
    expect([nginxTests(), nginxReloads(), phpTests(), phpReloads()]).toEqual([0, 0, 0, 0])
    await Promise.all(tenants.map((t) => web.removeTenant(t.name)))
  })

  it("a configuration nginx refuses in a batch fails only its own tenant; the others are served", async () => {
    const good = Array.from({ length: 5 }, (_, i) => phpTenant(`g${i}.batch.test`))
    // a certificate nginx cannot load: valid PEM armour around bytes that are no certificate
    const junk = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    const bad = phpTenant("bad.batch.test", {
      certificates: [{ hostname: "bad.batch.test", certificate_pem: junk, private_key_pem: junk }],
    })
    const batch = [good[0]!, good[1]!, bad, good[2]!, good[3]!, good[4]!]
    const outcomes = await Promise.all(batch.map((t) => settle(web.ensureTenant(t))))

    const refused = outcomes[2]!
    expect(refused.ok).toBe(false)
    expect(refused.ok ? "" : refused.error.constructor.name).toBe("ConfigRejected")
    expect(refused.ok ? "" : refused.error.message).toMatch(/^nginx rejected the configuration: /)
    for (const [i, o] of outcomes.entries())
      if (i !== 2) expect(o.ok ? o.value.reloads : o.error.message).toEqual({ nginx: 1, php: 1 })
    // the whole batch once, then halves until the bad tenant is alone: every test that passed
    // reloads once, and never once per good tenant
    expect(nginxTests()).toBe(1 + 2 + 2)
    expect(nginxReloads()).toBe(2)
    expect(phpReloads()).toBe(1)
    for (const t of good)
      await eventually(
        `${t.webroots[0]!.server_names[0]} served`,
        () => httpGet(node.httpPort, t.webroots[0]!.server_names[0]!, "/"),
        (a) => a.status === 200,
      )
    // no site for the refused tenant: the default server's 404
    expect((await httpGet(node.httpPort, "bad.batch.test", "/")).status).toBe(404)

    // the same tenant without its broken certificate is accepted on its own
    const fixed = await web.ensureTenant({ ...bad, certificates: [] })
    expect(fixed.reloads.nginx).toBe(1)
    await Promise.all(batch.map((t) => web.removeTenant(t.name)))
  })

  it("two ensures of one tenant never share a batch: the later one runs after the earlier", async () => {
    const t = phpTenant("twice.batch.test")
    const [first, second] = await Promise.all([web.ensureTenant(t), web.ensureTenant(t)])
    expect(first.reloads).toEqual({ nginx: 1, php: 1 })
    expect(second).toEqual({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })
    expect([nginxReloads(), phpReloads()]).toEqual([1, 1])
    await web.removeTenant(t.name)
  })
})
