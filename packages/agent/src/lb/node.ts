import { mkdir, rename, rm } from "node:fs/promises"
import type { LbChangeReport } from "@hosting/core/node"
import {
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
} from "@hosting/core/node"
import { ConfigRejected } from "../roles.js"
import { readIfExists, writeIfChanged } from "../web/files.js"
import type { LbNodeConfig } from "./config.js"
import { checkHaproxyConfig, haproxyPid, startOrReloadHaproxy } from "./daemon.js"
import { commandLines, haproxyCli, payloadRequests } from "./socket.js"

type Change = LbChangeReport["changes"][number]

// Above this many entry changes the whole map is replaced atomically (prepare/commit) instead of
// entry by entry: as fast for big changes, and requests never see a half-applied map.
const REPLACE_ABOVE = 500
// A report lists this many route changes; the rest are summed up in one line (activity results
// go through the workflow's history).
const LISTED_ROUTES = 1000

const routeChanges = (c: MapChanges): Array<Change> => {
  const all: Array<Change> = [
    ...c.add.map(([h, b]): Change => ({ action: "create", kind: "lb_route", target: h, detail: b })),
    ...c.set.map((e): Change => ({ action: "update", kind: "lb_route", target: e.key, detail: e.value })),
    ...c.del.map((e): Change => ({ action: "delete", kind: "lb_route", target: e.key })),
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
 * The LB role of one node: a HAProxy under the node's root whose `fqdn → backend` map is changed
 * through the runtime API on its admin socket, never by a reload; the map file is rewritten
 * alongside so a restart or reload loads the same routes. The config (backends and their servers)
 * is rewritten and reloaded only when it differs. Operations run one at a time.
 */
export class LbNode {
  private readonly paths
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly config: LbNodeConfig) {
    this.paths = lbPaths(config.layout.root)
  }

  private locked<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => {})
    return next
  }

  /**
   * Brings HAProxy up: a running one is adopted as it is (it keeps routing while the agent
   * restarts); otherwise it starts on the config and map files left by the last run, or on an
   * empty config answering 404 for every host.
   */
  start(): Promise<void> {
    return this.locked(async () => {
      await mkdir(this.config.layout.root, { recursive: true, mode: 0o750 })
      if (haproxyPid(this.config.layout.root) !== undefined) return
      if ((await readIfExists(this.paths.map)) === undefined) await writeIfChanged(this.paths.map, "", 0o640)
      // the config of the last run, backends and all, until the control plane sends its spec
      if ((await readIfExists(this.paths.config)) === undefined)
        await writeIfChanged(this.paths.config, renderHaproxyConfig(this.config.layout, []), 0o640)
      await startOrReloadHaproxy(this.config)
    })
  }

  /** Nothing to release: HAProxy keeps serving when the agent stops. */
  async close(): Promise<void> {}

  private async showMap(version?: string): Promise<ReadonlyArray<MapEntry>> {
    const at = version === undefined ? "" : `@${version} `
    return parseShowMap(await haproxyCli(this.paths.socket, `show map ${at}${this.paths.map}`))
  }

  /** Runs runtime-API command lines; any answer but an empty one (or an ignorable one) is an error. */
  private async cli(requests: ReadonlyArray<string>, ignorable?: RegExp): Promise<void> {
    for (const r of requests) {
      const out = await haproxyCli(this.paths.socket, r)
      const bad = out
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !(ignorable?.test(l) ?? false))
      if (bad.length > 0) throw new Error(`HAProxy refused a map change: ${bad.slice(0, 3).join("; ")}`)
    }
  }

  /** Entry-by-entry changes: deletes and value changes by reference, additions in payload batches. */
  private async applyChanges(c: MapChanges): Promise<void> {
    const map = this.paths.map
    // an entry already gone is what a delete wants
    await this.cli(commandLines(c.del.map((e) => `del map ${map} #${e.ref}`)), /not found/i)
    await this.cli(commandLines(c.set.map((e) => `set map ${map} #${e.ref} ${e.value}`)))
    await this.cli(
      payloadRequests(
        `add map ${map}`,
        c.add.map(([h, b]) => `${h} ${b}`),
      ),
    )
  }

  /** Replaces the whole map atomically: a new version filled, checked, then committed. */
  private async replaceMap(routes: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const map = this.paths.map
    const answer = await haproxyCli(this.paths.socket, `prepare map ${map}`)
    const version = /New version created: (\d+)/.exec(answer)?.[1]
    if (version === undefined) throw new Error(`HAProxy did not prepare a map version: ${answer.trim()}`)
    await this.cli(
      payloadRequests(
        `add map @${version} ${map}`,
        routes.map(([h, b]) => `${h} ${b}`),
      ),
    )
    // a payload HAProxy dropped leaves no trace but a short version: never commit one
    const filled = await this.showMap(version)
    if (filled.length !== routes.length)
      throw new Error(`HAProxy's new map version has ${filled.length} entries, not ${routes.length}`)
    await this.cli([`commit map @${version} ${map}`])
  }

  /** Fails unless HAProxy's map is exactly the routes. */
  private async verify(routes: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const left = planMapChanges(await this.showMap(), routes)
    if (mapChangeCount(left) > 0)
      throw new Error(`HAProxy's map differs from the routes after the update (${mapChangeCount(left)} entries)`)
  }

  /**
   * Makes HAProxy serve exactly `spec`. Routes change through the runtime API (no reload) and
   * the map file is rewritten; a changed config is checked with `haproxy -c` (a refused one fails
   * without retries and changes nothing) and then reloaded once. With `dryRun`, only reports.
   */
  apply(spec: LbSpec, dryRun: boolean): Promise<LbChangeReport> {
    return this.locked(async () => {
      const routes = lbRoutes(spec)
      const config = renderHaproxyConfig(this.config.layout, spec.backends)
      const mapFile = renderLbMap(routes)
      const running = haproxyPid(this.config.layout.root) !== undefined
      const configChanged = (await readIfExists(this.paths.config)) !== config
      const mapFileChanged = (await readIfExists(this.paths.map)) !== mapFile
      // what HAProxy routes now: its live map, or (stopped) what it would load from the file
      const current = running ? await this.showMap() : fileEntries((await readIfExists(this.paths.map)) ?? "")
      const planned = planMapChanges(current, routes)
      const changes: Array<Change> = [
        ...(configChanged ? [{ action: "update" as const, kind: "haproxy_config", target: this.paths.config }] : []),
        ...routeChanges(planned),
        ...(mapFileChanged ? [{ action: "update" as const, kind: "lb_map_file", target: this.paths.map }] : []),
      ]
      if (dryRun) return { changes, reloads: { haproxy: 0 } }

      if (configChanged || !running) {
        const next = `${this.paths.config}.next`
        await writeIfChanged(next, config, 0o640)
        try {
          await checkHaproxyConfig(this.config, next)
        } catch (e) {
          await rm(next, { force: true })
          throw new ConfigRejected(`HAProxy rejected the configuration: ${(e as Error).message}`)
        }
        // the (re)started process loads its routes from the file
        await writeIfChanged(this.paths.map, mapFile, 0o640)
        await rename(next, this.paths.config)
        await startOrReloadHaproxy(this.config)
        await this.verify(routes)
        return { changes, reloads: { haproxy: 1 } }
      }
      // a replaced map was checked before its commit; entry-by-entry changes are checked after
      if (mapChangeCount(planned) > REPLACE_ABOVE) await this.replaceMap(routes)
      else if (mapChangeCount(planned) > 0) {
        await this.applyChanges(planned)
        await this.verify(routes)
      }
      await writeIfChanged(this.paths.map, mapFile, 0o640)
      return { changes, reloads: { haproxy: 0 } }
    })
  }

  /** HAProxy's live map as `[host, backend]` pairs (tests and diagnostics). */
  routes(): Promise<ReadonlyArray<readonly [string, string]>> {
    return this.locked(async () => (await this.showMap()).map((e) => [e.key, e.value] as const))
  }
}
