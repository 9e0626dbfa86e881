import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Context, Data, Effect, Schedule } from "effect"
import { PLATFORM_FILE_PREFIX, type PlannedFile } from "../families/tenancy/plan-layout.js"
import { runCommand } from "./command.js"
import { type FileScope, scopeList } from "./nginx.js"
import { applyOwnedFiles, diffOwnedFiles, type FileChanges } from "./owned-files.js"

/** Where this node's PHP-FPM master lives; configuration of the agent. */
export class PhpFpmConfig extends Context.Tag("@hosting/PhpFpmConfig")<
  PhpFpmConfig,
  {
    /** php-fpm executable (for `-t`). */
    readonly binary: string
    /** The master's config file, which includes `poolDir/*.conf`. */
    readonly configFile: string
    /** The master's pid file. */
    readonly pidFile: string
    /** Pool files; only `hp-` files are the platform's. */
    readonly poolDir: string
    /** Where pools' sockets appear: `{pool file name without hp- and .conf}.sock`. */
    readonly runDir: string
  }
>() {}

/** php-fpm refused the pools; `message` is what `php-fpm -t` said. Nothing was changed. */
export class PhpFpmConfigRejected extends Data.TaggedError("PhpFpmConfigRejected")<{ readonly message: string }> {}

/** php-fpm could not be run or signalled (not running, a file unreadable); retrying may help. */
export class PhpFpmUnavailable extends Data.TaggedError("PhpFpmUnavailable")<{ readonly message: string }> {}

/** What an ensure of pools did (a plan: would do). */
export interface PoolChanges extends FileChanges {
  readonly reloaded: boolean
}

// USR2 is asynchronous: nginx must not be pointed at a socket before it exists. 200 × 25 ms.
const SOCKET_WAIT = Schedule.spaced("25 millis").pipe(Schedule.intersect(Schedule.recurs(200)))

/**
 * Makes the master's platform-owned pools exactly the planned ones: only differing files are
 * written, the result is checked with `php-fpm -t` (a refused one is rolled back), the master is
 * reloaded once (USR2: running requests finish) and the call returns when the new pools'
 * sockets exist and the removed ones' are gone.
 */
export class PhpFpmManager extends Effect.Service<PhpFpmManager>()("@hosting/PhpFpmManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const config = yield* PhpFpmConfig
    // what the shared file and command helpers need, provided to every method (no leaked requirements)
    const capabilities = yield* Effect.context<FileSystem.FileSystem | CommandExecutor>()

    const unavailable = (e: { readonly message: string }) => new PhpFpmUnavailable({ message: e.message })
    const diff = (planned: ReadonlyArray<PlannedFile>, scope: FileScope) => {
      const scopes = scopeList(scope)
      if (scopes === undefined)
        return Effect.die(new Error(`scope ${String(scope)} is not a platform-owned file prefix`))
      return diffOwnedFiles(config.poolDir, planned, (f) => scopes.some((s) => f.startsWith(s)) && f.endsWith(".conf"))
    }
    const socket = (file: string) => `${config.runDir}/${file.slice(PLATFORM_FILE_PREFIX.length, -".conf".length)}.sock`

    /** The master's PID if it runs (a recycled PID of another program does not count). */
    const masterPid = Effect.gen(function* () {
      const pid = Number((yield* fs.readFileString(config.pidFile)).trim())
      const cmdline = yield* fs.readFileString(`/proc/${pid}/cmdline`)
      return Number.isInteger(pid) && pid > 1 && cmdline.includes("php-fpm") ? pid : undefined
    }).pipe(Effect.orElseSucceed(() => undefined))

    /** The changes ensure would make, without making them. */
    const plan = Effect.fn("PhpFpmManager.plan")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: FileScope = PLATFORM_FILE_PREFIX) {
        const { written, removed } = yield* diff(planned, scope)
        return { written, removed, reloaded: false } satisfies PoolChanges
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /**
     * Makes the pools whose file names start with `scope` (or any prefix of a list: several
     * tenants, one test and one reload) the planned ones; others are not touched.
     */
    const ensure = Effect.fn("PhpFpmManager.ensure")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: FileScope = PLATFORM_FILE_PREFIX) {
        const d = yield* diff(planned, scope)
        if (d.written.length === 0 && d.removed.length === 0)
          return { written: [], removed: [], reloaded: false } satisfies PoolChanges
        const restore = yield* applyOwnedFiles(d, () => 0o644)
        const test = yield* runCommand(config.binary, ["-t", "-y", config.configFile])
        if (test.exitCode !== 0) {
          yield* restore
          return yield* new PhpFpmConfigRejected({ message: test.stderr })
        }
        const pid = yield* masterPid
        if (pid === undefined) return yield* new PhpFpmUnavailable({ message: "php-fpm is not running" })
        const reload = yield* runCommand("kill", ["-USR2", String(pid)])
        if (reload.exitCode !== 0)
          return yield* new PhpFpmUnavailable({ message: `kill -USR2 ${pid}: ${reload.stderr}` })
        const up = planned.map((p) => socket(p.file))
        const down = d.removed.map(socket)
        const settled = Effect.gen(function* () {
          for (const s of up) if (!(yield* fs.exists(s))) return false
          for (const s of down) if (yield* fs.exists(s)) return false
          return true
        })
        // bounded: a pool php-fpm could not start shows up in nginx's 502s, not as a hung activity
        yield* settled.pipe(Effect.repeat({ schedule: SOCKET_WAIT, until: (ok) => ok }))
        return { written: d.written, removed: d.removed, reloaded: true } satisfies PoolChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    return { plan, ensure } as const
  }),
}) {}
