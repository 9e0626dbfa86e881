import type { BucketRef, BucketSpec, BucketUsage, S3ChangeReport, S3Endpoint } from "@hosting/core/node"
import { RgwManager } from "@hosting/core/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import { rejectedAs, runManaged, serialQueue } from "../run.js"
import { rgwAdminLayer } from "./admin.js"
import type { S3NodeConfig } from "./config.js"
import { type CephStart, ensureCeph, s3Endpoint } from "./daemons.js"

/** A bucket that still holds objects, removed without force: never retried, the control plane answers 409. */
export class S3BucketNotEmpty extends Error {
  override readonly name = "BucketNotEmpty"
}

/** Core's RgwManager over this node's radosgw-admin and RGW. */
export const s3ManagersLayer = (config: S3NodeConfig): Layer.Layer<RgwManager> =>
  RgwManager.Default.pipe(Layer.provide(rgwAdminLayer(config)))

/**
 * The s3 role of one node: a one-node Ceph (mon, one BlueStore OSD, radosgw) bootstrapped once
 * and started or adopted at agent start, whose buckets, keys, policies and quotas core's
 * RgwManager ensures. Changes on one node run one at a time.
 */
export class S3Node {
  private readonly runtime: ManagedRuntime.ManagedRuntime<RgwManager, never>
  private readonly ownsRuntime: boolean
  private readonly locked = serialQueue()
  /** How the last start went (bootstrapped, started from its data, or adopted), and how long it took. */
  lastStart: CephStart | undefined

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(
    private readonly config: S3NodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<RgwManager, never>,
  ) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(s3ManagersLayer(config))
  }

  /** Bootstraps Ceph on first start, else starts it from its data or adopts the running daemons. */
  async start(): Promise<CephStart> {
    this.lastStart = await ensureCeph(this.config)
    return this.lastStart
  }

  /** Leaves Ceph running (S3 keeps answering while the agent restarts). */
  async close(): Promise<void> {
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  private run<A>(
    effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, RgwManager>,
  ): Promise<A> {
    return runManaged(this.runtime, effect, (e) =>
      e._tag === "BucketNotEmpty" ? new S3BucketNotEmpty(e.message) : rejectedAs("RgwRejected")(e),
    )
  }

  /** Makes one bucket exactly its spec. */
  ensureBucket(spec: BucketSpec, plan = false): Promise<S3ChangeReport> {
    return this.locked(() =>
      this.run(Effect.flatMap(RgwManager, (m) => (plan ? m.planBucket(spec) : m.ensureBucket(spec)))).then(
        (changes) => ({ changes, errors: [] }),
      ),
    )
  }

  /** Removes a bucket and its keys; a non-empty one only with `force` (else S3BucketNotEmpty). */
  removeBucket(ref: BucketRef, force: boolean): Promise<S3ChangeReport> {
    return this.locked(() =>
      this.run(Effect.flatMap(RgwManager, (m) => m.removeBucket(ref, force))).then((changes) => ({
        changes,
        errors: [],
      })),
    )
  }

  /** Makes the node's platform buckets exactly these (errors per bucket); with `plan`, only reports. */
  converge(buckets: ReadonlyArray<BucketSpec>, plan: boolean): Promise<S3ChangeReport> {
    return this.locked(() => this.run(Effect.flatMap(RgwManager, (m) => m.converge(buckets, plan))))
  }

  /** Bytes and objects of the buckets that exist here. */
  usage(buckets: ReadonlyArray<BucketRef>): Promise<ReadonlyArray<BucketUsage>> {
    return this.run(Effect.flatMap(RgwManager, (m) => m.usage(buckets)))
  }

  /** Where customers reach this node's buckets. */
  describe(): S3Endpoint {
    return { endpoint: s3Endpoint(this.config), region: this.config.region }
  }
}
