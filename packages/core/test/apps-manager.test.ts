import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Layer, TestClock } from "effect"
import { type NodeLayout, planTenantApps, TenantSpec } from "../src/families/tenancy/plan.js"
import { AppProcesses, type AppState, AppsConfig, AppsManager } from "../src/managers/apps.js"
import { MemoryFs } from "./support/node-fakes.js"

const layout: NodeLayout = {
  root: "/srv/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}
const dir = "/srv/node/apps"
const interpreters = { node: "/usr/bin/node", python: "/usr/bin/python3", ruby: "/usr/bin/ruby" }

/** Processes as a table of live PIDs and their UIDs; ports handed out in order. */
const node = () => {
  const fs = new MemoryFs().dir(dir, 0o700)
  const alive = new Map<number, number>()
  const launched: Array<AppState> = []
  let pid = 100
  let port = 30_000
  const layer = AppsManager.Default.pipe(
    Layer.provide(
      Layer.mergeAll(
        fs.layer(),
        Layer.succeed(AppsConfig, { layout, dir, interpreters }),
        Layer.succeed(AppProcesses, {
          runsAs: (p, uid) => Effect.sync(() => p !== null && alive.get(p) === uid),
          launch: (app) =>
            Effect.sync(() => {
              launched.push(app)
              alive.set(++pid, app.uid)
              return pid
            }),
          stop: (p) => Effect.sync(() => void (p !== null && alive.delete(p))),
          freePort: Effect.sync(() => port++),
        }),
      ),
    ),
  )
  return { fs, alive, launched, layer }
}

const user = { name: "t_aaaaaaaaaa", uid: 200_000, gid: 200_000 }
const Spec = Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 5 && s.ssh_keys.length < 2)

describe("AppsManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; exactly the planned apps run, each once",
    [Spec, Spec],
    ([before, after]) => {
      const { alive, layer } = node()
      return Effect.gen(function* () {
        const m = yield* AppsManager
        yield* m.ensure(user, planTenantApps(before))
        const planned = yield* m.plan(user, planTenantApps(after))
        expect(yield* m.ensure(user, planTenantApps(after))).toEqual(planned)
        expect(yield* m.plan(user, planTenantApps(after))).toEqual([])
        expect(alive.size).toBe(planTenantApps(after).length)
        const http = planTenantApps(after).filter((a) => a.http)
        expect([...(yield* m.ports(user.name)).keys()].sort()).toEqual(http.map((a) => a.id).sort())
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 50 } },
  )

  it.effect("a dead app is restarted by the watchdog with a doubling backoff, on its old port", () => {
    const { alive, launched, layer } = node()
    const app = {
      id: "web_aaaaaaaaaa",
      webroot: "web_aaaaaaaaaa",
      interpreter: "node",
      entrypoint: "server.js",
      http: true,
    } as const
    return Effect.gen(function* () {
      const m = yield* AppsManager
      yield* TestClock.setTime(1_000_000)
      expect(yield* m.ensure(user, [app])).toEqual([{ action: "create", id: "web_aaaaaaaaaa" }])
      expect(launched[0]).toMatchObject({
        command: "/usr/bin/node",
        args: ["server.js"],
        cwd: "/srv/node/home/t_aaaaaaaaaa/webroots/web_aaaaaaaaaa",
        logFile: "/srv/node/home/t_aaaaaaaaaa/logs/web_aaaaaaaaaa.log",
        port: 30_000,
      })
      alive.clear() // it died
      expect(yield* m.restartDead()).toBe(0) // started less than 1 s ago
      yield* TestClock.adjust("1 second")
      expect(yield* m.restartDead()).toBe(1)
      alive.clear()
      yield* TestClock.adjust("1 second")
      expect(yield* m.restartDead()).toBe(0) // second restart waits 2 s
      yield* TestClock.adjust("1 second")
      expect(yield* m.restartDead()).toBe(1)
      expect(launched.map((l) => [l.port, l.restarts])).toEqual([
        [30_000, 0],
        [30_000, 1],
        [30_000, 2],
      ])
      yield* m.stopUser(user.name)
      expect(alive.size).toBe(0)
      expect(yield* m.users()).toEqual(new Set())
    }).pipe(Effect.provide(layer))
  })
})
