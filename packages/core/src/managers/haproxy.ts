import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import { Context, Data, Effect } from "effect"
import {
  type LbLayout,
  type LbSpec,
  lbPaths,
  lbRoutes,
  type MapChanges,
  type MapEntry,
  mapChangeCount,
  parseShowMap,
  planMapChanges,
  renderHaproxyConfig,
  renderLbMap,
} from "../families/lb/plan.js"
import { commandLines, payloadRequests } from "../families/lb/plan-cli.js"
import { runCommand } from "./command.js"
import { replaceFile } from "./owned-files.js"

/** Where this node's HAProxy lives; configuration of the agent. */
export class HaproxyConfig extends Context.Tag("@hosting/HaproxyConfig")<
  HaproxyConfig,
  {
    readonly layout: LbLayout
    /** haproxy executable (for `-c`). */
    readonly binary: string
  }
>() {}

/** HAProxy refused the configuration (`haproxy -c`); nothing was changed. */
export class HaproxyConfigRejected extends Data.TaggedError("HaproxyConfigRejected")<{ readonly message: string }> {}

/** HAProxy could not be reached, started or changed; retrying may help. */
export class HaproxyUnavailable extends Data.TaggedError("HaproxyUnavailable")<{ readonly message: string }> {}

/**
 * Narrow port to the node's HAProxy process: whether it runs, one exchange with its runtime API
 * on the admin socket, and a start (or seamless reload) on the config file that returns once the
 * new process answers. The live implementation is the agent's; tests use an emulation.
 */
export class HaproxyProcess extends Context.Tag("@hosting/HaproxyProcess")<
  HaproxyProcess,
  {
    readonly running: Effect.Effect<boolean>
    readonly cli: (request: string) => Effect.Effect<string, HaproxyUnavailable>
    readonly startOrReload: Effect.Effect<void, HaproxyUnavailable>
  }
>() {}

/** One change to an LB node (`detail`: a route's backend). */
export interface LbChange {
  readonly action: "create" | "update" | "delete"
  readonly kind: string
  readonly target: string
  readonly detail?: string
}

/** What an ensure changed (a plan: would change). */
export interface LbChanges {
  readonly changes: Array<LbChange>
  readonly reloads: { readonly haproxy: number }
}

// Above this many entry changes the whole map is replaced atomically (prepare/commit) instead of
// entry by entry: as fast for big changes, and requests never see a half-applied map.
const REPLACE_ABOVE = 500
// A report lists this many route changes; the rest are summed up in one line (activity results
// go through the workflow's history).
const LISTED_ROUTES = 1000

const routeChanges = (c: MapChanges): Array<LbChange> => {
  const all: Array<LbChange> = [
    ...c.add.map(([h, b]): LbChange => ({ action: "create", kind: "lb_route", target: h, detail: b })),
    ...c.set.map((e): LbChange => ({ action: "update", kind: "lb_route", target: e.key, detail: e.value })),
    ...c.del.map((e): LbChange => ({ action: "delete", kind: "lb_route", target: e.key })),
  ]
  if (all.length <= LISTED_ROUTES) return all
  return [
    ...all.slice(0, LISTED_ROUTES),
    { action: "update", kind: "lb_routes", target: `${all.length - LISTED_ROUTES} more route changes` },
  ]
}

/** Entries of a map file, as a stopped HAProxy would load them. */
const fileEntries = (text: string): ReadonlyArray<MapEntry> =>
  text.split("\n").flatMap((line, i) => {
    const [key, value] = line.trim().split(/\s+/)
    return key && value && !key.startsWith("#") ? [{ ref: `line${i + 1}`, key, value }] : []
  })

/**
 * An LB node's HAProxy: its `fqdn → backend` map is changed through the runtime API, never by a
 * reload, and the map file is rewritten alongside so a restart loads the same routes; the config
 * (backends and their servers) is rewritten, checked with `haproxy -c` and reloaded only when it
 * differs. `plan` and `ensure` share one comparison.
 */
export class HaproxyManager extends Effect.Service<HaproxyManager>()("@hosting/HaproxyManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const config = yield* HaproxyConfig
    const haproxy = yield* HaproxyProcess
    const capabilities = yield* Effect.context<FileSystem.FileSystem | CommandExecutor>()
    const paths = lbPaths(config.layout.root)
    const unavailable = (e: PlatformError) => new HaproxyUnavailable({ message: e.message })
    const readIfExists = (file: string) =>
      Effect.flatMap(fs.exists(file), (yes) => (yes ? fs.readFileString(file) : Effect.succeed(undefined)))
    const writeIfChanged = (file: string, content: string) =>
      Effect.flatMap(readIfExists(file), (now) => (now === content ? Effect.void : replaceFile(file, content, 0o640)))

    const showMap = (version?: string) =>
      Effect.map(haproxy.cli(`show map ${version === undefined ? "" : `@${version} `}${paths.map}`), parseShowMap)

    /** Runs runtime-API requests; any answer but an empty one (or an ignorable one) is an error. */
    const cli = (requests: ReadonlyArray<string>, ignorable?: RegExp) =>
      Effect.forEach(requests, (r) =>
        Effect.flatMap(haproxy.cli(r), (out) => {
          const bad = out
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "" && !(ignorable?.test(l) ?? false))
          return bad.length === 0
            ? Effect.void
            : Effect.fail(
                new HaproxyUnavailable({ message: `HAProxy refused a map change: ${bad.slice(0, 3).join("; ")}` }),
              )
        }),
      )

    /** The one comparison: what HAProxy routes and holds now against the spec. */
    const diff = (spec: LbSpec) =>
      Effect.gen(function* () {
        const routes = lbRoutes(spec)
        const configText = renderHaproxyConfig(config.layout, spec.backends)
        const mapFile = renderLbMap(routes)
        const running = yield* haproxy.running
        const configChanged = (yield* readIfExists(paths.config)) !== configText
        const mapText = yield* readIfExists(paths.map)
        // what HAProxy routes now: its live map, or (stopped) what it would load from the file
        const current = running ? yield* showMap() : fileEntries(mapText ?? "")
        const planned = planMapChanges(current, routes)
        const changes: Array<LbChange> = [
          ...(configChanged ? [{ action: "update" as const, kind: "haproxy_config", target: paths.config }] : []),
          ...routeChanges(planned),
          ...(mapText !== mapFile ? [{ action: "update" as const, kind: "lb_map_file", target: paths.map }] : []),
        ]
        return { routes, configText, mapFile, running, configChanged, planned, changes }
      })

    /** Fails unless HAProxy's map is exactly the routes. */
    const verify = (routes: ReadonlyArray<readonly [string, string]>) =>
      Effect.flatMap(showMap(), (entries) => {
        const left = mapChangeCount(planMapChanges(entries, routes))
        return left === 0
          ? Effect.void
          : Effect.fail(
              new HaproxyUnavailable({
                message: `HAProxy's map differs from the routes after the update (${left} entries)`,
              }),
            )
      })

    /** Entry-by-entry changes: deletes and value changes by reference, additions in payload batches. */
    const applyChanges = (c: MapChanges) =>
      Effect.gen(function* () {
        // an entry already gone is what a delete wants
        yield* cli(commandLines(c.del.map((e) => `del map ${paths.map} #${e.ref}`)), /not found/i)
        yield* cli(commandLines(c.set.map((e) => `set map ${paths.map} #${e.ref} ${e.value}`)))
        yield* cli(
          payloadRequests(
            `add map ${paths.map}`,
            c.add.map(([h, b]) => `${h} ${b}`),
          ),
        )
      })

    /** Replaces the whole map atomically: a new version filled, checked, then committed. */
    const replaceMap = (routes: ReadonlyArray<readonly [string, string]>) =>
      Effect.gen(function* () {
        const answer = yield* haproxy.cli(`prepare map ${paths.map}`)
        const version = /New version created: (\d+)/.exec(answer)?.[1]
        if (version === undefined)
          return yield* new HaproxyUnavailable({ message: `HAProxy did not prepare a map version: ${answer.trim()}` })
        yield* cli(
          payloadRequests(
            `add map @${version} ${paths.map}`,
            routes.map(([h, b]) => `${h} ${b}`),
          ),
        )
        // a payload HAProxy dropped leaves no trace but a short version: never commit one
        const filled = yield* showMap(version)
        if (filled.length !== routes.length)
          return yield* new HaproxyUnavailable({
            message: `HAProxy's new map version has ${filled.length} entries, not ${routes.length}`,
          })
        yield* cli([`commit map @${version} ${paths.map}`])
      })

    /** What ensure would change, without changing it. */
    const plan = Effect.fn("HaproxyManager.plan")(
      function* (spec: LbSpec) {
        const { changes } = yield* diff(spec)
        return { changes, reloads: { haproxy: 0 } } satisfies LbChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /**
     * Makes HAProxy serve exactly `spec`: routes through the runtime API (no reload) and the map
     * file rewritten; a changed config is checked with `haproxy -c` (a refused one fails and
     * changes nothing) and then reloaded once.
     */
    const ensure = Effect.fn("HaproxyManager.ensure")(
      function* (spec: LbSpec) {
        const d = yield* diff(spec)
        if (d.configChanged || !d.running) {
          const next = `${paths.config}.next`
          yield* writeIfChanged(next, d.configText)
          const check = yield* runCommand(config.binary, ["-c", "-q", "-f", next])
          if (check.exitCode !== 0) {
            yield* fs.remove(next, { force: true })
            return yield* new HaproxyConfigRejected({ message: check.stderr || check.stdout.trim() })
          }
          // the (re)started process loads its routes from the file
          yield* writeIfChanged(paths.map, d.mapFile)
          yield* fs.rename(next, paths.config)
          yield* haproxy.startOrReload
          yield* verify(d.routes)
          return { changes: d.changes, reloads: { haproxy: 1 } } satisfies LbChanges
        }
        // a replaced map was checked before its commit; entry-by-entry changes are checked after
        if (mapChangeCount(d.planned) > REPLACE_ABOVE) yield* replaceMap(d.routes)
        else if (mapChangeCount(d.planned) > 0) {
          yield* applyChanges(d.planned)
          yield* verify(d.routes)
        }
        yield* writeIfChanged(paths.map, d.mapFile)
        return { changes: d.changes, reloads: { haproxy: 0 } } satisfies LbChanges
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /**
     * Brings HAProxy up: a running one is adopted as it is (it keeps routing while the agent
     * restarts); otherwise it starts on the config and map files left by the last run, or on an
     * empty config answering 404 for every host.
     */
    const start = Effect.fn("HaproxyManager.start")(
      function* () {
        yield* fs.makeDirectory(config.layout.root, { recursive: true, mode: 0o750 })
        if (yield* haproxy.running) return
        if ((yield* readIfExists(paths.map)) === undefined) yield* replaceFile(paths.map, "", 0o640)
        // the config of the last run, backends and all, until the control plane sends its spec
        if ((yield* readIfExists(paths.config)) === undefined)
          yield* replaceFile(paths.config, renderHaproxyConfig(config.layout, []), 0o640)
        yield* haproxy.startOrReload
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /** HAProxy's live map as `[host, backend]` pairs (tests and diagnostics). */
    const routes = Effect.fn("HaproxyManager.routes")(function* () {
      return (yield* showMap()).map((e) => [e.key, e.value] as const)
    })

    return { plan, ensure, start, routes } as const
  }),
}) {}
