import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Context, Data, Effect } from "effect"
import { PLATFORM_FILE_PREFIX, type PlannedFile } from "../families/tenancy/plan-layout.js"
import { runCommand } from "./command.js"
import { applyOwnedFiles, diffOwnedFiles } from "./owned-files.js"

/** Where this node's nginx lives; configuration of the agent, so tests run a private nginx. */
export class NginxConfig extends Context.Tag("@hosting/NginxConfig")<
  NginxConfig,
  {
    /** nginx executable. */
    readonly binary: string
    /** `-p` prefix. */
    readonly prefix: string
    /** `-c` main config file, which includes `sitesDir/*.conf`. */
    readonly configFile: string
    /** Directory of site files; only files starting with PLATFORM_FILE_PREFIX are ours. */
    readonly sitesDir: string
    /** The master's pid file (the config's `pid`), which a reload signals. */
    readonly pidFile: string
  }
>() {}

/** Which platform-owned files a call may touch: those starting with the prefix, or with any of a list. */
export type FileScope = string | ReadonlyArray<string>

/** The prefixes of a scope; undefined when one is not a platform-owned file prefix. */
export const scopeList = (scope: FileScope): ReadonlyArray<string> | undefined => {
  const scopes = typeof scope === "string" ? [scope] : scope
  return scopes.every((s) => s.startsWith(PLATFORM_FILE_PREFIX) && !s.includes("/")) ? scopes : undefined
}

/** nginx refused the configuration; `message` is what `nginx -t` said. Nothing was changed. */
export class NginxConfigRejected extends Data.TaggedError("NginxConfigRejected")<{ readonly message: string }> {}

/** nginx could not be run at all. */
export class NginxUnavailable extends Data.TaggedError("NginxUnavailable")<{ readonly message: string }> {}

/** What an ensure did. */
export interface NginxChanges {
  readonly written: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  readonly reloaded: boolean
}

/**
 * Makes nginx's platform-owned site files exactly the planned ones: writes a file only if its
 * content differs, removes only platform-owned files that are not planned, tests the result with
 * `nginx -t` and reloads once (HUP to the master). If the test fails, every file is put back as it was.
 */
export class NginxManager extends Effect.Service<NginxManager>()("@hosting/NginxManager", {
  effect: Effect.gen(function* () {
    const config = yield* NginxConfig
    const capabilities = yield* Effect.context<FileSystem.FileSystem | CommandExecutor>()
    const unavailable = (e: { readonly message: string }) => new NginxUnavailable({ message: e.message })
    const fs = yield* FileSystem.FileSystem

    const run = (...args: Array<string>) =>
      runCommand(config.binary, ["-p", config.prefix, "-c", config.configFile, ...args]).pipe(
        Effect.mapError((e) => new NginxUnavailable({ message: `could not run ${config.binary}: ${e.message}` })),
      )

    /** The master's PID if it runs (a recycled PID of another program does not count). */
    const masterPid = Effect.gen(function* () {
      const pid = Number((yield* fs.readFileString(config.pidFile)).trim())
      const cmdline = yield* fs.readFileString(`/proc/${pid}/cmdline`)
      return Number.isInteger(pid) && pid > 1 && cmdline.includes("nginx") ? pid : undefined
    }).pipe(Effect.orElseSucceed(() => undefined))

    /** The one comparison plan reports and ensure applies: owned files in scope against the planned ones. */
    const diff = (planned: ReadonlyArray<PlannedFile>, scope: FileScope) => {
      const scopes = scopeList(scope)
      return scopes === undefined
        ? Effect.die(new Error(`scope ${String(scope)} is not a platform-owned file prefix`))
        : diffOwnedFiles(config.sitesDir, planned, (f) => scopes.some((s) => f.startsWith(s)) && f.endsWith(".conf"))
    }

    /** The changes ensure would make, without making them. */
    const plan = Effect.fn("NginxManager.plan")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: FileScope = PLATFORM_FILE_PREFIX) {
        const { written, removed } = yield* diff(planned, scope)
        return { written, removed, reloaded: false } satisfies NginxChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /**
     * Makes the platform-owned files whose names start with `scope` (all of them by default; a list:
     * any of those prefixes, several tenants tested and reloaded at once) the planned ones; files
     * outside the scope are neither read nor touched. `force` tests and
     * reloads even when no site file changed (a file they name, such as a certificate, did).
     */
    const ensure = Effect.fn("NginxManager.ensure")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: FileScope = PLATFORM_FILE_PREFIX, force = false) {
        const d = yield* diff(planned, scope)
        const { written, removed } = d
        if (written.length === 0 && removed.length === 0 && !force)
          return { written, removed, reloaded: false } satisfies NginxChanges
        // written through a temporary name and a rename, so nginx never reads a half-written file
        const restore = yield* applyOwnedFiles(d, () => 0o644)
        const test = yield* run("-t")
        if (test.exitCode !== 0) {
          yield* restore
          return yield* new NginxConfigRejected({ message: test.stderr })
        }
        // HUP to the master is what `nginx -s reload` sends, without a second nginx parsing the
        // whole configuration again only to find the pid file (a third of a reload's time)
        const pid = yield* masterPid
        if (pid === undefined) return yield* new NginxUnavailable({ message: "nginx is not running" })
        const reload = yield* runCommand("kill", ["-HUP", String(pid)])
        if (reload.exitCode !== 0) return yield* new NginxUnavailable({ message: `kill -HUP ${pid}: ${reload.stderr}` })
        return { written, removed, reloaded: true } satisfies NginxChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    return { ensure, plan } as const
  }),
}) {}
