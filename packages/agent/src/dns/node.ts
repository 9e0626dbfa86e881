import { readFile } from "node:fs/promises"
import type { DnsChangeReport } from "@hosting/core/node"
import { PowerDnsManager, type Rrset } from "@hosting/core/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import { rejectedAs, runManaged, serialQueue } from "../run.js"
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
  private readonly locked = serialQueue()

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

  private run<A>(
    effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, PowerDnsManager>,
  ): Promise<A> {
    return runManaged(this.runtime, effect, rejectedAs("PowerDnsRejected"))
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
