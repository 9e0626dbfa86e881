import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Layer, Schema } from "effect"
import { type NodeLayout, PLACEHOLDER_PAGE, TenantSpec } from "../src/families/tenancy/plan.js"
import { AccountsConfig, AccountsManager } from "../src/managers/accounts.js"
import { CommandRecorder, MemoryFs } from "./support/node-fakes.js"

const layout: NodeLayout = {
  root: "/srv/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}
const config = {
  layout,
  webUser: "www-data",
  uidMin: 200_000,
  uidMax: 299_999,
  passwdFile: "/etc/passwd",
  keysDir: "/srv/node/ssh/keys",
}

/** A node whose useradd and userdel change the in-memory /etc/passwd as the real ones would. */
const node = () => {
  const fs = new MemoryFs()
    .file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n")
    .dir("/srv/node/home")
    .dir(config.keysDir)
    .file(`${config.keysDir}/operator`, "ssh-ed25519 AAAA operator\n")
  let next = config.uidMin
  const commands = new CommandRecorder((argv) => {
    const name = argv.at(-1)!
    if (argv[0] === "useradd") {
      const uid = next++
      fs.file("/etc/passwd", `${fs.read("/etc/passwd")}${name}:x:${uid}:${uid}::${argv[3]}:/usr/sbin/nologin\n`)
    }
    if (argv[0] === "userdel")
      fs.file(
        "/etc/passwd",
        fs
          .read("/etc/passwd")!
          .split("\n")
          .filter((l) => !l.startsWith(`${name}:`))
          .join("\n"),
      )
    return undefined
  })
  const layer = AccountsManager.Default.pipe(
    Layer.provide(Layer.mergeAll(fs.layer(), commands.layer(), Layer.succeed(AccountsConfig, config))),
  )
  return { fs, commands, layer }
}

const Specs = FastCheck.uniqueArray(
  Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 4 && s.ssh_keys.length < 3),
  { maxLength: 3, selector: (s) => s.name },
)

describe("AccountsManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes, and the plan before ensure named exactly what ensure changed",
    [Specs, Specs],
    ([before, after]) => {
      const { fs, commands, layer } = node()
      return Effect.gen(function* () {
        const m = yield* AccountsManager
        yield* m.ensure(before, true)
        const planned = yield* m.plan(after, true)
        const state = fs.snapshot()
        commands.calls.length = 0
        yield* m.plan(after, true)
        expect(fs.snapshot()).toEqual(state)
        expect(commands.calls).toEqual([])
        const done = yield* m.ensure(after, true)
        expect(done.errors).toEqual([])
        expect(done.changes).toEqual(planned.changes)
        const again = yield* m.plan(after, true)
        expect(again.changes).toEqual([])
        expect([...again.users.keys()].sort()).toEqual(after.map((s) => s.name).sort())
        expect(fs.read(`${config.keysDir}/operator`)).toBe("ssh-ed25519 AAAA operator\n")
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 40 } },
  )

  it.effect("a new tenant: user from the node's range, chroot home, webroots with nginx's ACLs, keys", () => {
    const { fs, commands, layer } = node()
    const spec = Schema.decodeUnknownSync(TenantSpec)({
      name: "t_aaaaaaaaaa",
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
        {
          name: "web_bbbbbbbbbb",
          runtime: "node",
          runtime_version: null,
          entrypoint: null,
          numprocs: 1,
          server_names: [],
        },
      ],
      ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgB+x4Ws8p2Bz7ahbTCwJvLoB6W5d9w6hFvWQcJbRgz me"],
    })
    const home = "/srv/node/home/t_aaaaaaaaaa"
    return Effect.gen(function* () {
      const m = yield* AccountsManager
      const report = yield* m.ensure([spec])
      expect(report.users.get("t_aaaaaaaaaa")).toEqual({ name: "t_aaaaaaaaaa", uid: 200_000, gid: 200_000 })
      expect(report.changes.map((c) => `${c.action} ${c.kind} ${c.target}`)).toEqual([
        "create user t_aaaaaaaaaa",
        `create directory ${home}`,
        `create directory ${home}/webroots`,
        `create directory ${home}/logs`,
        `create directory ${home}/tmp`,
        `create directory ${home}/webroots/web_aaaaaaaaaa`,
        `create directory ${home}/webroots/web_bbbbbbbbbb`,
        "update authorized_keys t_aaaaaaaaaa",
      ])
      expect(commands.calls.slice(1)).toEqual([
        ["setfacl", "-m", "u:www-data:x", home, `${home}/webroots`],
        [
          "setfacl",
          "-m",
          "u:www-data:rx,d:u:www-data:rX",
          `${home}/webroots/web_aaaaaaaaaa`,
          `${home}/webroots/web_bbbbbbbbbb`,
        ],
      ])
      expect(fs.entries.get(home)).toMatchObject({ uid: 0, gid: 200_000, mode: 0o750 })
      expect(fs.entries.get(`${home}/tmp`)).toMatchObject({ uid: 200_000, gid: 200_000, mode: 0o700 })
      // a placeholder for the PHP webroot only, owned by the tenant
      expect(fs.entries.get(`${home}/webroots/web_aaaaaaaaaa/index.html`)).toMatchObject({
        content: PLACEHOLDER_PAGE,
        uid: 200_000,
      })
      expect(fs.read(`${home}/webroots/web_bbbbbbbbbb/index.html`)).toBeUndefined()
      expect(fs.read(`${config.keysDir}/t_aaaaaaaaaa`)).toBe(`${spec.ssh_keys[0]}\n`)

      // suspended: no keys; a webroot gone from the spec loses its directory
      const suspended = yield* m.ensure([{ ...spec, suspended: true, webroots: spec.webroots.slice(0, 1) }])
      expect(suspended.changes.map((c) => `${c.action} ${c.kind} ${c.target}`)).toEqual([
        `delete directory ${home}/webroots/web_bbbbbbbbbb`,
        "update authorized_keys t_aaaaaaaaaa",
      ])
      expect(fs.read(`${config.keysDir}/t_aaaaaaaaaa`)).toBe("")

      expect(yield* m.remove("t_aaaaaaaaaa")).toBe(true)
      expect(fs.read("/etc/passwd")).not.toContain("t_aaaaaaaaaa")
      expect(fs.entries.has(home)).toBe(false)
      expect(fs.list(config.keysDir)).toEqual(["operator"])
      expect(yield* m.remove("t_aaaaaaaaaa")).toBe(false)
    }).pipe(Effect.provide(layer))
  })

  it.effect("one tenant's failure is reported and the others are still ensured", () => {
    const { fs, layer } = node()
    fs.file("/srv/node/home/t_bbbbbbbbbb", "a file where the home should be\n")
    const spec = (name: string) =>
      Schema.decodeUnknownSync(TenantSpec)({ name, suspended: false, webroots: [], ssh_keys: [] })
    return Effect.gen(function* () {
      const m = yield* AccountsManager
      const report = yield* m.ensure([spec("t_bbbbbbbbbb"), spec("t_cccccccccc")])
      expect(report.errors).toEqual([
        { tenant: "t_bbbbbbbbbb", message: "/srv/node/home/t_bbbbbbbbbb exists and is not a directory" },
      ])
      expect([...report.users.keys()]).toEqual(["t_cccccccccc"])
    }).pipe(Effect.provide(layer))
  })
})
