import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Context, Data, Effect } from "effect"
import type { PlannedApp } from "../families/tenancy/plan-accounts.js"
import { type NodeLayout, tenantHome, webrootDir } from "../families/tenancy/plan-layout.js"
import { replaceFile } from "./owned-files.js"

/** What the supervisor remembers of one app process, in `{dir}/{user}.{id}.json`. */
export interface AppState {
  readonly user: string
  readonly id: string
  readonly uid: number
  readonly gid: number
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly home: string
  readonly logFile: string
  readonly port: number | null
  readonly pid: number | null
  readonly restarts: number
  readonly lastStart: number
}

/** A change the supervisor made (or would make) to one app process. */
export interface AppChange {
  readonly action: "create" | "update" | "delete"
  readonly id: string
}

/** An app process could not be started or its state not kept. */
export class AppsUnavailable extends Data.TaggedError("AppsUnavailable")<{ readonly message: string }> {}

/** Where the supervisor keeps its state files, and the interpreters apps run with. */
export class AppsConfig extends Context.Tag("@hosting/AppsConfig")<
  AppsConfig,
  {
    readonly layout: NodeLayout
    /** Root-only directory of state files. */
    readonly dir: string
    readonly interpreters: Readonly<Record<PlannedApp["interpreter"], string>>
  }
>() {}

/**
 * Narrow port to the machine's processes for supervised apps; the live one is the agent's
 * (detached children as the tenant, /proc, signals).
 */
export class AppProcesses extends Context.Tag("@hosting/AppProcesses")<
  AppProcesses,
  {
    /** Whether `pid` runs as `uid` and is not a zombie (a recycled PID of another user does not count). */
    readonly runsAs: (pid: number | null, uid: number) => Effect.Effect<boolean>
    /** Starts the app detached as its user (output appended to its log); its PID, if it got one. */
    readonly launch: (app: AppState) => Effect.Effect<number | null, AppsUnavailable>
    /** Stops the process group of `pid` if it runs as `uid` (TERM, then KILL). */
    readonly stop: (pid: number | null, uid: number) => Effect.Effect<void>
    /** A free loopback port for an HTTP app. */
    readonly freePort: Effect.Effect<number, AppsUnavailable>
  }
>() {}

/** The account an app runs as. */
export interface AppUser {
  readonly name: string
  readonly uid: number
  readonly gid: number
}

/**
 * Tenants' app processes (node/python/ruby webroots and workers): each runs detached as the
 * tenant, so it survives an agent restart, and its state file lets the restarted agent adopt it.
 * `plan` and `ensure` share one comparison; `restartDead` is the watchdog's round.
 */
export class AppsManager extends Effect.Service<AppsManager>()("@hosting/AppsManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppsConfig
    const processes = yield* AppProcesses
    const capabilities = yield* Effect.context<FileSystem.FileSystem>()
    const unavailable = (e: PlatformError) => new AppsUnavailable({ message: e.message })
    const stateFile = (user: string, id: string) => `${config.dir}/${user}.${id}.json`
    const save = (s: AppState) => replaceFile(stateFile(s.user, s.id), `${JSON.stringify(s)}\n`, 0o600)

    /** Every state file (of one user): a torn one is skipped. */
    const states = (user?: string) =>
      Effect.gen(function* () {
        if (!(yield* fs.exists(config.dir))) return []
        const names = (yield* fs.readDirectory(config.dir))
          .filter((f) => f.endsWith(".json") && (user === undefined || f.startsWith(`${user}.`)))
          .sort()
        const out: Array<AppState> = []
        for (const f of names) {
          const text = yield* fs.readFileString(`${config.dir}/${f}`)
          try {
            out.push(JSON.parse(text) as AppState)
          } catch {
            // a torn state file: the app is started again
          }
        }
        return out
      })

    const launch = (s: AppState) =>
      Effect.gen(function* () {
        const pid = yield* processes.launch(s)
        const next = { ...s, pid, lastStart: yield* Clock.currentTimeMillis }
        yield* save(next)
        return next
      })

    /** The one comparison: for each planned app, whether it runs as planned; stale ones. */
    const diff = (user: AppUser, apps: ReadonlyArray<PlannedApp>) =>
      Effect.gen(function* () {
        const current = new Map((yield* states(user.name)).map((s) => [s.id, s]))
        const steps: Array<{ app: PlannedApp; before: AppState | undefined; same: boolean; command: string }> = []
        for (const app of apps) {
          const command = config.interpreters[app.interpreter]
          const before = current.get(app.id)
          current.delete(app.id)
          const same =
            before !== undefined &&
            before.command === command &&
            before.cwd === webrootDir(config.layout, user.name, app.webroot) &&
            JSON.stringify(before.args) === JSON.stringify([app.entrypoint]) &&
            before.uid === user.uid &&
            (before.port !== null) === app.http
          if (same && (yield* processes.runsAs(before.pid, user.uid))) continue
          steps.push({ app, before, same, command })
        }
        const changes: Array<AppChange> = [
          ...steps.map((s): AppChange => ({ action: s.before === undefined ? "create" : "update", id: s.app.id })),
          ...[...current.values()].map((s): AppChange => ({ action: "delete", id: s.id })),
        ]
        return { steps, stale: [...current.values()], changes }
      })

    /** What ensure would change, without changing it. */
    const plan = Effect.fn("AppsManager.plan")(
      function* (user: AppUser, apps: ReadonlyArray<PlannedApp>) {
        return (yield* diff(user, apps)).changes
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /**
     * Makes the user's supervised processes exactly `apps`: starts missing ones, restarts ones
     * whose command changed or that died, stops the rest.
     */
    const ensure = Effect.fn("AppsManager.ensure")(
      function* (user: AppUser, apps: ReadonlyArray<PlannedApp>) {
        const d = yield* diff(user, apps)
        const home = tenantHome(config.layout, user.name)
        for (const { app, before, same, command } of d.steps) {
          if (before !== undefined) yield* processes.stop(before.pid, before.uid)
          const kept = same && before !== undefined ? before.port : null
          const port = app.http ? (kept ?? (yield* processes.freePort)) : null
          yield* launch({
            user: user.name,
            id: app.id,
            uid: user.uid,
            gid: user.gid,
            command,
            args: [app.entrypoint],
            cwd: webrootDir(config.layout, user.name, app.webroot),
            home,
            logFile: `${home}/logs/${app.id}.log`,
            port,
            pid: null,
            restarts: 0,
            lastStart: 0,
          })
        }
        for (const s of d.stale) {
          yield* processes.stop(s.pid, s.uid)
          yield* fs.remove(stateFile(s.user, s.id), { force: true })
        }
        return d.changes
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /** Stops every process of a user (tenant deletion). */
    const stopUser = Effect.fn("AppsManager.stopUser")(
      function* (user: string) {
        for (const s of yield* states(user)) {
          yield* processes.stop(s.pid, s.uid)
          yield* fs.remove(stateFile(s.user, s.id), { force: true })
        }
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /** Ports of a user's HTTP apps, by webroot. */
    const ports = Effect.fn("AppsManager.ports")(
      function* (user: string) {
        const out = new Map<string, number>()
        for (const s of yield* states(user)) if (s.port !== null) out.set(s.id, s.port)
        return out
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /** Users with any supervised app. */
    const users = Effect.fn("AppsManager.users")(
      function* () {
        return new Set((yield* states()).map((s) => s.user))
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /**
     * One watchdog round: restarts dead processes; one that keeps dying is retried with a doubling
     * backoff up to once a minute, so a broken app costs little. Returns how many it started.
     */
    const restartDead = Effect.fn("AppsManager.restartDead")(
      function* () {
        const now = yield* Clock.currentTimeMillis
        let started = 0
        for (const s of yield* states()) {
          if (yield* processes.runsAs(s.pid, s.uid)) continue
          const backoff = Math.min(60_000, 1000 * 2 ** Math.min(s.restarts, 6))
          if (now - s.lastStart < backoff) continue
          yield* launch({ ...s, restarts: s.restarts + 1 })
          started++
        }
        return started
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    return { plan, ensure, stopUser, ports, users, restartDead } as const
  }),
}) {}
