import { Command, FileSystem, Path } from "@effect/platform"
import { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Context, Data, Effect, Stream } from "effect"
import { PLATFORM_FILE_PREFIX, type PlannedFile } from "../domain/web.js"

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
  }
>() {}

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
 * `nginx -t` and reloads once. If the test fails, every file is put back as it was.
 */
export class NginxManager extends Effect.Service<NginxManager>()("@hosting/NginxManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const config = yield* NginxConfig
    const executor = yield* CommandExecutor

    const run = (...args: Array<string>) =>
      Effect.scoped(
        Effect.gen(function* () {
          const proc = yield* executor.start(
            Command.make(config.binary, "-p", config.prefix, "-c", config.configFile, ...args),
          )
          const [stderr, exitCode] = yield* Effect.all(
            [
              proc.stderr.pipe(
                Stream.decodeText(),
                Stream.runFold("", (a, b) => a + b),
              ),
              proc.exitCode,
            ],
            { concurrency: 2 },
          )
          return { exitCode: Number(exitCode), stderr: stderr.trim() }
        }),
      ).pipe(Effect.mapError((e) => new NginxUnavailable({ message: `could not run ${config.binary}: ${e.message}` })))

    const ownedFiles = (scope: string) =>
      Effect.map(fs.readDirectory(config.sitesDir), (names) =>
        names.filter((n) => n.startsWith(scope) && n.endsWith(".conf")).sort(),
      )

    /** What ensure would change, and the current content of every owned file in scope. */
    const diff = (planned: ReadonlyArray<PlannedFile>, scope: string) =>
      Effect.gen(function* () {
        if (!scope.startsWith(PLATFORM_FILE_PREFIX) || scope.includes("/")) {
          return yield* Effect.die(new Error(`scope ${scope} is not a platform-owned file prefix`))
        }
        for (const p of planned) {
          if (!p.file.startsWith(scope) || p.file.includes("/")) {
            return yield* Effect.die(new Error(`planned file ${p.file} is not a platform-owned file name in ${scope}`))
          }
        }
        const wanted = new Map(planned.map((p) => [p.file, p.content]))
        const current = new Map<string, string>()
        for (const name of yield* ownedFiles(scope))
          current.set(name, yield* fs.readFileString(path.join(config.sitesDir, name)))
        const written = [...wanted].filter(([f, c]) => current.get(f) !== c).map(([f]) => f)
        const removed = [...current.keys()].filter((f) => !wanted.has(f))
        return { wanted, current, written, removed }
      })

    /** The changes ensure would make, without making them. */
    const plan = Effect.fn("NginxManager.plan")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: string = PLATFORM_FILE_PREFIX) {
        const { written, removed } = yield* diff(planned, scope)
        return { written, removed, reloaded: false } satisfies NginxChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(new NginxUnavailable({ message: e.message }))),
    )

    /**
     * Makes the platform-owned files whose names start with `scope` (all of them by default) the
     * planned ones; files outside the scope are neither read nor touched. `force` tests and
     * reloads even when no site file changed (a file they name, such as a certificate, did).
     */
    const ensure = Effect.fn("NginxManager.ensure")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: string = PLATFORM_FILE_PREFIX, force = false) {
        const { wanted, current, written, removed } = yield* diff(planned, scope)
        if (written.length === 0 && removed.length === 0 && !force)
          return { written, removed, reloaded: false } satisfies NginxChanges

        const restore = Effect.gen(function* () {
          for (const f of written) {
            const before = current.get(f)
            const target = path.join(config.sitesDir, f)
            if (before === undefined) yield* fs.remove(target, { force: true })
            else yield* fs.writeFileString(target, before)
          }
          for (const f of removed) yield* fs.writeFileString(path.join(config.sitesDir, f), current.get(f)!)
        })

        // write to a temporary name and rename, so nginx never reads a half-written file
        for (const f of written) {
          const target = path.join(config.sitesDir, f)
          const tmp = `${target}.tmp-${globalThis.crypto.randomUUID()}`
          yield* fs.writeFileString(tmp, wanted.get(f)!)
          yield* fs.rename(tmp, target)
        }
        for (const f of removed) yield* fs.remove(path.join(config.sitesDir, f), { force: true })

        const test = yield* run("-t")
        if (test.exitCode !== 0) {
          yield* restore
          return yield* Effect.fail(new NginxConfigRejected({ message: test.stderr }))
        }
        const reload = yield* run("-s", "reload")
        if (reload.exitCode !== 0)
          return yield* Effect.fail(new NginxUnavailable({ message: `nginx -s reload: ${reload.stderr}` }))
        return { written, removed, reloaded: true } satisfies NginxChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(new NginxUnavailable({ message: e.message }))),
    )

    return { ensure, plan } as const
  }),
}) {}
