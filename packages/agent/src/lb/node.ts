import { NodeContext } from "@effect/platform-node"
import type { LbChangeReport } from "@hosting/core/node"
import { HaproxyConfig, HaproxyManager, type LbSpec } from "@hosting/core/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import { rejectedAs, runManaged, serialQueue } from "../run.js"
import type { LbNodeConfig } from "./config.js"
import { haproxyProcessLayer } from "./process.js"

/** Core's HaproxyManager over this node's HAProxy (its files, `haproxy -c`, its admin socket). */
export const lbManagersLayer = (config: LbNodeConfig): Layer.Layer<HaproxyManager> =>
  HaproxyManager.Default.pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(HaproxyConfig, { layout: config.layout, binary: config.binary }),
        haproxyProcessLayer(config),
        NodeContext.layer,
      ),
    ),
  )

/**
 * The LB role of one node: core's HaproxyManager over this node's HAProxy (its files, its admin
 * socket, `haproxy -c`). Operations run one at a time.
 */
export class LbNode {
  private readonly runtime: ManagedRuntime.ManagedRuntime<HaproxyManager, never>
  private readonly ownsRuntime: boolean
  private readonly locked = serialQueue()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(config: LbNodeConfig, runtime?: ManagedRuntime.ManagedRuntime<HaproxyManager, never>) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(lbManagersLayer(config))
  }

  private run<A>(effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, HaproxyManager>) {
    return runManaged(this.runtime, effect, rejectedAs("HaproxyConfigRejected", "HAProxy rejected the configuration: "))
  }

  /** Brings HAProxy up, or adopts the running one. */
  start(): Promise<void> {
    return this.locked(() => this.run(Effect.flatMap(HaproxyManager, (m) => m.start())))
  }

  /** HAProxy keeps serving when the agent stops. */
  async close(): Promise<void> {
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  /** Makes HAProxy serve exactly `spec` (with `plan`: reports what that would change). */
  apply(spec: LbSpec, plan: boolean): Promise<LbChangeReport> {
    return this.locked(() => this.run(Effect.flatMap(HaproxyManager, (m) => (plan ? m.plan(spec) : m.ensure(spec)))))
  }

  /** HAProxy's live map as `[host, backend]` pairs (tests and diagnostics). */
  routes(): Promise<ReadonlyArray<readonly [string, string]>> {
    return this.locked(() => this.run(Effect.flatMap(HaproxyManager, (m) => m.routes())))
  }
}
