// An in-memory RGW behind the RgwAdmin port, with the rules of the real one the manager relies on
// (checked against radosgw 16 in test/integration/s3-node*.test.ts): access keys are unique across
// users, a bucket needs an existing owner, a user that owns buckets cannot be removed, a non-empty
// bucket is removed only with purge, and size quotas are kept in whole KiB. Every change is recorded.
import { Effect, Layer, Option } from "effect"
import type { RgwQuota } from "../../../src/families/s3/plan.js"
import {
  BucketNotEmpty,
  RgwAdmin,
  type RgwBucket,
  type RgwKey,
  RgwManager,
  RgwRejected,
  type RgwUser,
} from "../../../src/managers/rgw.js"

export class FakeRgw {
  readonly users = new Map<string, RgwUser>()
  readonly buckets = new Map<string, RgwBucket>()
  readonly policies = new Map<string, string>()
  /** Every change, as `verb target`. */
  readonly calls: Array<string> = []

  /** Seeds a bucket holding objects (as a customer's uploads would). */
  fill(bucket: string, objects: number, bytes: number): void {
    const b = this.buckets.get(bucket)!
    this.buckets.set(bucket, { ...b, objects, bytes })
  }

  private keyTaken(access: string, except: string): boolean {
    return [...this.users.values()].some((u) => u.uid !== except && u.keys.some((k) => k.access_key === access))
  }

  private user(uid: string) {
    const u = this.users.get(uid)
    return u === undefined ? Effect.fail(new RgwRejected({ message: `no user ${uid}` })) : Effect.succeed(u)
  }

  private bucket(name: string) {
    const b = this.buckets.get(name)
    return b === undefined ? Effect.fail(new RgwRejected({ message: `no bucket ${name}` })) : Effect.succeed(b)
  }

  private generated = 0

  layer(): Layer.Layer<RgwManager> {
    const rec = (s: string) => Effect.sync(() => void this.calls.push(s))
    const admin = RgwAdmin.of({
      listUsers: () => Effect.sync(() => [...this.users.keys()].sort()),
      getUser: (uid) => Effect.sync(() => Option.fromNullable(this.users.get(uid))),
      createUser: (u) =>
        Effect.gen(this, function* () {
          if (this.users.has(u.uid)) return yield* new RgwRejected({ message: `user ${u.uid} exists` })
          const key: RgwKey = u.key ?? {
            access_key: `GENERATED${String(++this.generated).padStart(11, "0")}`,
            secret_key: "g".repeat(40),
          }
          if (this.keyTaken(key.access_key, u.uid)) return yield* new RgwRejected({ message: "access key taken" })
          this.users.set(u.uid, {
            uid: u.uid,
            display_name: u.display_name,
            suspended: false,
            max_buckets: u.max_buckets,
            keys: [key],
          })
          yield* rec(`create-user ${u.uid}`)
        }),
      setMaxBuckets: (uid, max) =>
        Effect.gen(this, function* () {
          this.users.set(uid, { ...(yield* this.user(uid)), max_buckets: max })
          yield* rec(`max-buckets ${uid} ${max}`)
        }),
      setSuspended: (uid, suspended) =>
        Effect.gen(this, function* () {
          this.users.set(uid, { ...(yield* this.user(uid)), suspended })
          yield* rec(`${suspended ? "suspend" : "enable"} ${uid}`)
        }),
      setKey: (uid, key) =>
        Effect.gen(this, function* () {
          const u = yield* this.user(uid)
          if (this.keyTaken(key.access_key, uid)) return yield* new RgwRejected({ message: "access key taken" })
          this.users.set(uid, { ...u, keys: [key] })
          yield* rec(`set-key ${uid}`)
        }),
      removeUser: (uid) =>
        Effect.gen(this, function* () {
          if ([...this.buckets.values()].some((b) => b.owner === uid))
            return yield* new RgwRejected({ message: `${uid} owns buckets` })
          this.users.delete(uid)
          yield* rec(`remove-user ${uid}`)
        }),
      listBuckets: () => Effect.sync(() => [...this.buckets.values()].sort((a, b) => a.name.localeCompare(b.name))),
      getBucket: (name) => Effect.sync(() => Option.fromNullable(this.buckets.get(name))),
      createBucket: (name, owner) =>
        Effect.gen(this, function* () {
          yield* this.user(owner)
          if (this.buckets.has(name)) return yield* new RgwRejected({ message: "BucketAlreadyExists" })
          const quota: RgwQuota = { enabled: false, max_size: -1, max_objects: -1 }
          this.buckets.set(name, { name, owner, quota, bytes: 0, objects: 0 })
          yield* rec(`create-bucket ${name}`)
        }),
      getPolicy: (bucket) =>
        Effect.gen(this, function* () {
          yield* this.bucket(bucket)
          return Option.fromNullable(this.policies.get(bucket))
        }),
      putPolicy: (bucket, policy) =>
        Effect.gen(this, function* () {
          yield* this.bucket(bucket)
          JSON.parse(policy)
          this.policies.set(bucket, policy)
          yield* rec(`put-policy ${bucket}`)
        }),
      deletePolicy: (bucket) =>
        Effect.gen(this, function* () {
          yield* this.bucket(bucket)
          this.policies.delete(bucket)
          yield* rec(`delete-policy ${bucket}`)
        }),
      setQuota: (bucket, quota) =>
        Effect.gen(this, function* () {
          const b = yield* this.bucket(bucket)
          const kib = (n: number) => (n < 0 ? -1 : Math.ceil(n / 1024) * 1024)
          this.buckets.set(bucket, { ...b, quota: { ...quota, max_size: kib(quota.max_size) } })
          yield* rec(`quota ${bucket}`)
        }),
      removeBucket: (bucket, purge) =>
        Effect.gen(this, function* () {
          const b = this.buckets.get(bucket)
          if (b === undefined) return
          if (b.objects > 0 && !purge)
            return yield* new BucketNotEmpty({ bucket, objects: b.objects, message: `${bucket} is not empty` })
          this.buckets.delete(bucket)
          this.policies.delete(bucket)
          yield* rec(`remove-bucket ${bucket}`)
        }),
    })
    return RgwManager.Default.pipe(Layer.provide(Layer.succeed(RgwAdmin, admin)))
  }
}
