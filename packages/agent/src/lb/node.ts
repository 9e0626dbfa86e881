import { NodeContext } from "@effect/platform-node"
import type { LbChangeReport } from "@hosting/core/node"
import { HaproxyConfig, HaproxyManager, type LbSpec } from "@hosting/core/node"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import { ConfigRejected } from "../roles.js"
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
  private queue: Promise<unknown> = Promise.resolve()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(config: LbNodeConfig, runtime?: ManagedRuntime.ManagedRuntime<HaproxyManager, never>) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(lbManagersLayer(config))
  }

  private locked<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => {})
    return next
  }

  // unwrapped so the activity can tell a refused config (never retried) from an outage (retried)
  private async run<A>(effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, HaproxyManager>) {
    const exit = await this.runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) throw new Error(Cause.pretty(exit.cause))
    if (failure.value._tag === "HaproxyConfigRejected")
      throw new ConfigRejected(`HAProxy rejected the configuration: ${failure.value.message}`)
    throw new Error(failure.value.message)
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
