import { readFile } from "node:fs/promises"
import type { DnsChangeReport } from "@hosting/core/node"
import { PowerDnsManager, type Rrset } from "@hosting/core/node"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import { ConfigRejected } from "../roles.js"
import { powerDnsHttpApi } from "./api.js"
import type { DnsNodeConfig } from "./config.js"
import { dnsPaths, ensurePdns } from "./daemon.js"

/** Core's PowerDnsManager over this node's PowerDNS HTTP API. */
export const dnsManagersLayer = (config: DnsNodeConfig): Layer.Layer<PowerDnsManager> => {
  let key: Promise<string> | undefined
  const apiKey = () => {
    if (key === undefined) {
      key = readFile(dnsPaths(config.root).apiKey, "utf8").then((k) => k.trim())
      // a failed read is tried again at the next call
      key.catch(() => {
        key = undefined
      })
    }
    return key
  }
  return PowerDnsManager.Default.pipe(Layer.provide(powerDnsHttpApi({ port: config.apiPort, apiKey })))
}

/**
 * The DNS role of one node: a PowerDNS authoritative server on its own PostgreSQL database,
 * started (or adopted) at agent start, whose zones are ensured through its HTTP API by core's
 * PowerDnsManager. Operations on one node run one at a time.
 */
export class DnsNode {
  private readonly runtime: ManagedRuntime.ManagedRuntime<PowerDnsManager, never>
  private readonly ownsRuntime: boolean
  private queue: Promise<unknown> = Promise.resolve()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(
    private readonly config: DnsNodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<PowerDnsManager, never>,
  ) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(dnsManagersLayer(config))
  }

  /** Starts or adopts pdns_server (and generates its API key on first start). */
  async start(): Promise<void> {
    await ensurePdns(this.config)
  }

  /** Leaves PowerDNS running (it keeps answering while the agent restarts). */
  async close(): Promise<void> {
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  private locked<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => {})
    return next
  }

  // runPromise would wrap failures in a FiberFailure: unwrap them so the activity can tell a
  // refusal (never retried) from an unreachable server (retried)
  private async run<A>(
    effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, PowerDnsManager>,
  ): Promise<A> {
    const exit = await this.runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const e = failure.value
      throw e._tag === "PowerDnsRejected" ? new ConfigRejected(e.message) : new Error(e.message)
    }
    throw new Error(Cause.pretty(exit.cause))
  }

  /** Makes the zone exactly these rrsets (created if missing, only differing rrsets patched). */
  ensureZone(zone: string, rrsets: ReadonlyArray<Rrset>, plan = false): Promise<DnsChangeReport> {
    return this.locked(() =>
      this.run(
        Effect.flatMap(PowerDnsManager, (m) => (plan ? m.planZone(zone, rrsets) : m.ensureZone(zone, rrsets))),
      ).then((changes) => ({
        changes,
      })),
    )
  }

  /** The zones this PowerDNS holds (names without the trailing dot). */
  listZones(): Promise<ReadonlyArray<string>> {
    return this.run(Effect.flatMap(PowerDnsManager, (m) => m.zones()))
  }

  /** Removes the zone if it exists. */
  removeZone(zone: string): Promise<DnsChangeReport> {
    return this.locked(() =>
      this.run(Effect.flatMap(PowerDnsManager, (m) => m.removeZone(zone))).then((changes) => ({ changes })),
    )
  }
}
