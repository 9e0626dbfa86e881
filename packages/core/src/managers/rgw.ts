import { Context, Data, Effect, Option } from "effect"
import type { BucketRef, BucketSpec, BucketUsage } from "../families/s3/domain.js"
import { platformBucket, s3BucketName } from "../families/s3/domain.js"
import {
  KEY_USER_MAX_BUCKETS,
  keyUid,
  keyUidPrefix,
  OWNER_MAX_BUCKETS,
  ownerUid,
  parseUid,
  planQuota,
  type RgwQuota,
  renderBucketPolicy,
  samePolicy,
  sameQuota,
} from "../families/s3/plan.js"
import { type NodeChange, nodeChange } from "./changes.js"

/** RGW (or the cluster under it) could not be reached or failed; retrying may help. */
export class RgwUnavailable extends Data.TaggedError("RgwUnavailable")<{ readonly message: string }> {}

/** RGW refused the request or the state is not the platform's to change; the same request fails again. */
export class RgwRejected extends Data.TaggedError("RgwRejected")<{ readonly message: string }> {}

/** A bucket still holds objects and the removal was not forced. */
export class BucketNotEmpty extends Data.TaggedError("BucketNotEmpty")<{
  readonly bucket: string
  readonly objects: number
  readonly message: string
}> {}

/** One S3 key pair of an RGW user. */
export interface RgwKey {
  readonly access_key: string
  readonly secret_key: string
}

/** An RGW user as the admin interface shows it. */
export interface RgwUser {
  readonly uid: string
  readonly display_name: string
  readonly suspended: boolean
  readonly max_buckets: number
  readonly keys: ReadonlyArray<RgwKey>
}

/** A bucket as the admin interface shows it. */
export interface RgwBucket {
  readonly name: string
  readonly owner: string
  readonly quota: RgwQuota
  /** Sum of the objects' sizes, and their number, from the bucket index. */
  readonly bytes: number
  readonly objects: number
}

type Fails = RgwUnavailable | RgwRejected

/**
 * Narrow port to one RGW's administration: users and their keys, buckets (created as their owner
 * through S3), bucket policies and quotas. The live implementation is the agent's
 * (`radosgw-admin` with argument arrays and JSON output, plus signed S3 calls as the owner where
 * radosgw-admin cannot: creating a bucket, its policy); tests use an in-memory RGW.
 */
export class RgwAdmin extends Context.Tag("@hosting/RgwAdmin")<
  RgwAdmin,
  {
    readonly listUsers: () => Effect.Effect<ReadonlyArray<string>, Fails>
    readonly getUser: (uid: string) => Effect.Effect<Option.Option<RgwUser>, Fails>
    /** Creates a user; with `key`, exactly that S3 key, else RGW generates one. */
    readonly createUser: (user: {
      readonly uid: string
      readonly display_name: string
      readonly max_buckets: number
      readonly key?: RgwKey
    }) => Effect.Effect<void, Fails>
    readonly setMaxBuckets: (uid: string, max: number) => Effect.Effect<void, Fails>
    readonly setSuspended: (uid: string, suspended: boolean) => Effect.Effect<void, Fails>
    /** Makes `key` the user's only S3 key. */
    readonly setKey: (uid: string, key: RgwKey) => Effect.Effect<void, Fails>
    readonly removeUser: (uid: string) => Effect.Effect<void, Fails>
    /** Every bucket with its owner, quota and usage. */
    readonly listBuckets: () => Effect.Effect<ReadonlyArray<RgwBucket>, Fails>
    readonly getBucket: (name: string) => Effect.Effect<Option.Option<RgwBucket>, Fails>
    /** Creates a bucket as its owner (who must exist). */
    readonly createBucket: (name: string, owner: string) => Effect.Effect<void, Fails>
    readonly getPolicy: (bucket: string) => Effect.Effect<Option.Option<string>, Fails>
    readonly putPolicy: (bucket: string, policy: string) => Effect.Effect<void, Fails>
    readonly deletePolicy: (bucket: string) => Effect.Effect<void, Fails>
    readonly setQuota: (bucket: string, quota: RgwQuota) => Effect.Effect<void, Fails>
    /** Removes a bucket; `purge` removes its objects first, else a non-empty bucket is BucketNotEmpty. */
    readonly removeBucket: (bucket: string, purge: boolean) => Effect.Effect<void, Fails | BucketNotEmpty>
  }
>() {}

/** One step of an ensure: what it changes, and how. */
interface Step {
  readonly change: NodeChange
  readonly apply: Effect.Effect<void, Fails | BucketNotEmpty>
}

/** Per-bucket failures of a converge. */
export interface S3BucketError {
  readonly tenant: string
  readonly name: string
  readonly message: string
}

const messageOf = (e: { readonly message: string }) => e.message

/**
 * Makes an RGW hold exactly the platform's buckets: per bucket its owner user, the bucket, one
 * user per access key (suspended with the tenant), the policy that is the keys' only grant, and
 * the quota. `plan*` and `ensure*` walk the same comparison, so ensuring the same specs twice
 * changes nothing the second time. Only platform-owned users (`hp-`) and buckets
 * (`t-…--s3-…` owned by their tenant's owner) are ever removed.
 */
export class RgwManager extends Effect.Service<RgwManager>()("@hosting/RgwManager", {
  effect: Effect.gen(function* () {
    const rgw = yield* RgwAdmin

    /** The one comparison for one bucket, with `users`: every uid RGW holds (read once per call). */
    const diffBucket = (spec: BucketSpec, users: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const bucket = s3BucketName(spec.tenant, spec.name)
        const owner = ownerUid(spec.tenant)
        const steps: Array<Step> = []
        const ownerUser = yield* rgw.getUser(owner)
        if (Option.isNone(ownerUser))
          steps.push({
            change: nodeChange("create", "s3_owner", owner),
            apply: rgw.createUser({
              uid: owner,
              display_name: `tenant ${spec.tenant}`,
              max_buckets: OWNER_MAX_BUCKETS,
            }),
          })
        const current = yield* rgw.getBucket(bucket)
        if (Option.isSome(current) && current.value.owner !== owner)
          return yield* new RgwRejected({ message: `bucket ${bucket} belongs to ${current.value.owner}, not ${owner}` })
        if (Option.isNone(current))
          steps.push({ change: nodeChange("create", "s3_bucket", bucket), apply: rgw.createBucket(bucket, owner) })

        // keys nobody wants go first, so a removed key stops working before anything else happens
        const wanted = new Set(spec.keys.map((k) => keyUid(spec.tenant, spec.name, k.access_key_id)))
        for (const uid of users
          .filter((u) => u.startsWith(keyUidPrefix(spec.tenant, spec.name)) && !wanted.has(u))
          .sort())
          steps.push({ change: nodeChange("delete", "s3_key", uid), apply: rgw.removeUser(uid) })
        for (const k of spec.keys) {
          const uid = keyUid(spec.tenant, spec.name, k.access_key_id)
          const key = { access_key: k.access_key_id, secret_key: k.secret }
          const user = yield* rgw.getUser(uid)
          if (Option.isNone(user)) {
            steps.push({
              change: nodeChange("create", "s3_key", uid),
              apply: rgw.createUser({ uid, display_name: bucket, max_buckets: KEY_USER_MAX_BUCKETS, key }),
            })
            if (spec.suspended)
              steps.push({ change: nodeChange("update", "s3_key_suspension", uid), apply: rgw.setSuspended(uid, true) })
            continue
          }
          const u = user.value
          const keyMatches =
            u.keys.length === 1 && u.keys[0]!.access_key === key.access_key && u.keys[0]!.secret_key === key.secret_key
          if (!keyMatches) steps.push({ change: nodeChange("update", "s3_key", uid), apply: rgw.setKey(uid, key) })
          if (u.max_buckets !== KEY_USER_MAX_BUCKETS)
            steps.push({
              change: nodeChange("update", "s3_key_max_buckets", uid),
              apply: rgw.setMaxBuckets(uid, KEY_USER_MAX_BUCKETS),
            })
          if (u.suspended !== spec.suspended)
            steps.push({
              change: nodeChange("update", "s3_key_suspension", uid),
              apply: rgw.setSuspended(uid, spec.suspended),
            })
        }

        const policy = renderBucketPolicy(spec)
        const currentPolicy = Option.isSome(current) ? Option.getOrUndefined(yield* rgw.getPolicy(bucket)) : undefined
        if (!samePolicy(currentPolicy, policy))
          steps.push(
            policy === undefined
              ? { change: nodeChange("delete", "s3_policy", bucket), apply: rgw.deletePolicy(bucket) }
              : {
                  change: nodeChange(currentPolicy === undefined ? "create" : "update", "s3_policy", bucket),
                  apply: rgw.putPolicy(bucket, policy),
                },
          )

        const quota = planQuota(spec)
        const currentQuota = Option.isSome(current)
          ? current.value.quota
          : { enabled: false, max_size: -1, max_objects: -1 }
        if (!sameQuota(currentQuota, quota))
          steps.push({ change: nodeChange("update", "s3_quota", bucket), apply: rgw.setQuota(bucket, quota) })
        return steps
      })

    const run = (steps: ReadonlyArray<Step>) =>
      Effect.as(
        Effect.forEach(steps, (s) => s.apply, { discard: true }),
        steps.map((s) => s.change),
      )

    /** What ensureBucket would change, without changing it. */
    const planBucket = Effect.fn("RgwManager.planBucket")(function* (spec: BucketSpec) {
      return (yield* diffBucket(spec, yield* rgw.listUsers())).map((s) => s.change)
    })

    const ensureBucket = Effect.fn("RgwManager.ensureBucket")(function* (spec: BucketSpec) {
      return yield* run(yield* diffBucket(spec, yield* rgw.listUsers()))
    })

    /** Steps that remove one bucket, its key users and (when it was its tenant's last) its owner. */
    const removal = (ref: BucketRef, force: boolean, buckets: ReadonlyArray<RgwBucket>, users: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const bucket = s3BucketName(ref.tenant, ref.name)
        const owner = ownerUid(ref.tenant)
        const steps: Array<Step> = []
        // a removed bucket's keys stop working first, so nothing is written while it is emptied
        for (const uid of users.filter((u) => u.startsWith(keyUidPrefix(ref.tenant, ref.name))).sort())
          steps.push({ change: nodeChange("delete", "s3_key", uid), apply: rgw.removeUser(uid) })
        const current = buckets.find((b) => b.name === bucket)
        if (current !== undefined) {
          if (current.owner !== owner)
            return yield* new RgwRejected({ message: `bucket ${bucket} belongs to ${current.owner}, not ${owner}` })
          if (current.objects > 0 && !force)
            return yield* new BucketNotEmpty({
              bucket,
              objects: current.objects,
              message: `bucket ${bucket} holds ${current.objects} objects; remove it with force to empty it first`,
            })
          steps.push({ change: nodeChange("delete", "s3_bucket", bucket), apply: rgw.removeBucket(bucket, force) })
        }
        const othersOfTenant = buckets.some((b) => b.name !== bucket && platformBucket(b.name)?.tenant === ref.tenant)
        if (!othersOfTenant && users.includes(owner))
          steps.push({ change: nodeChange("delete", "s3_owner", owner), apply: rgw.removeUser(owner) })
        return steps
      })

    /** Removes a bucket and its keys; a non-empty one only with `force` (emptied first). */
    const removeBucket = Effect.fn("RgwManager.removeBucket")(function* (ref: BucketRef, force: boolean) {
      const [buckets, users] = yield* Effect.all([rgw.listBuckets(), rgw.listUsers()])
      return yield* run(yield* removal(ref, force, buckets, users))
    })

    /**
     * Makes this RGW's platform buckets exactly `specs` (errors collected per bucket), then removes
     * the platform's buckets, key users and owners nobody wants (emptied: a bucket the platform
     * no longer knows has no one to ask). Other buckets and users are never touched.
     */
    const converge = Effect.fn("RgwManager.converge")(function* (specs: ReadonlyArray<BucketSpec>, plan: boolean) {
      const changes: Array<NodeChange> = []
      const errors: Array<S3BucketError> = []
      const users = yield* rgw.listUsers()
      for (const spec of specs) {
        const done = yield* Effect.either(
          Effect.flatMap(diffBucket(spec, users), (steps) =>
            plan ? Effect.succeed(steps.map((s) => s.change)) : run(steps),
          ),
        )
        if (done._tag === "Right") changes.push(...done.right)
        else errors.push({ tenant: spec.tenant, name: spec.name, message: messageOf(done.left) })
      }
      const wantedBuckets = new Set(specs.map((s) => s3BucketName(s.tenant, s.name)))
      const wantedKeys = new Set(specs.flatMap((s) => s.keys.map((k) => keyUid(s.tenant, s.name, k.access_key_id))))
      const tenants = new Set(specs.map((s) => s.tenant))
      const attempt = (change: NodeChange, apply: Effect.Effect<void, Fails | BucketNotEmpty>, who: BucketRef) =>
        Effect.gen(function* () {
          const done = yield* Effect.either(plan ? Effect.void : apply)
          if (done._tag === "Right") changes.push(change)
          else errors.push({ ...who, message: messageOf(done.left) })
        })
      // unwanted keys first (they stop working), then unwanted buckets (emptied), then owners left without buckets
      for (const uid of [...users].sort()) {
        const u = parseUid(uid)
        if (u?.kind === "key" && !wantedKeys.has(uid))
          yield* attempt(nodeChange("delete", "s3_key", uid), rgw.removeUser(uid), { tenant: u.tenant, name: u.bucket })
      }
      for (const b of yield* rgw.listBuckets()) {
        const ref = platformBucket(b.name)
        if (ref === undefined || wantedBuckets.has(b.name) || b.owner !== ownerUid(ref.tenant)) continue
        yield* attempt(nodeChange("delete", "s3_bucket", b.name), rgw.removeBucket(b.name, true), ref)
      }
      const owning = new Set((plan ? [] : yield* rgw.listBuckets()).map((b) => b.owner))
      for (const uid of [...users].sort()) {
        const u = parseUid(uid)
        if (u?.kind === "owner" && !tenants.has(u.tenant) && !owning.has(uid))
          yield* attempt(nodeChange("delete", "s3_owner", uid), rgw.removeUser(uid), { tenant: u.tenant, name: "" })
      }
      // a plan sees a tenant's missing owner once per bucket; ensure creates it once
      const seen = new Set<string>()
      const unique = changes.filter((c) => {
        const id = `${c.action} ${c.kind} ${c.target}`
        if (seen.has(id)) return false
        seen.add(id)
        return true
      })
      return { changes: unique, errors }
    })

    /** Bytes and objects of each of these buckets that exists. */
    const usage = Effect.fn("RgwManager.usage")(function* (refs: ReadonlyArray<BucketRef>) {
      const out: Array<BucketUsage> = []
      for (const ref of refs) {
        const b = yield* rgw.getBucket(s3BucketName(ref.tenant, ref.name))
        if (Option.isSome(b))
          out.push({ tenant: ref.tenant, name: ref.name, bytes: b.value.bytes, objects: b.value.objects })
      }
      return out
    })

    return { planBucket, ensureBucket, removeBucket, converge, usage } as const
  }),
}) {}
