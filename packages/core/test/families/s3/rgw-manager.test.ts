import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import type { BucketSpec } from "../../../src/families/s3/domain.js"
import { renderBucketPolicy } from "../../../src/families/s3/plan.js"
import { RgwManager } from "../../../src/managers/rgw.js"
import { FakeRgw } from "./fake-rgw.js"

const T1 = "t_aaaaaaaaa1"
const T2 = "t_bbbbbbbbb2"
const B1 = "s3_bucket0001"
const B2 = "s3_bucket0002"
const key = (n: number, access: "read_write" | "read_only" = "read_write") => ({
  access_key_id: `AK${String(n).padStart(18, "0")}`,
  secret: `${String(n).padStart(4, "0")}${"s".repeat(36)}`,
  access,
})
const spec = (over: Partial<BucketSpec> = {}): BucketSpec => ({
  tenant: T1,
  name: B1,
  public_read: false,
  quota: {},
  keys: [],
  suspended: false,
  ...over,
})

// one bucket's possible states; keys come from a pool of 4 ids owned by this bucket
const specArb = (tenant: string, name: string, pool: number): fc.Arbitrary<BucketSpec> =>
  fc
    .record({
      public_read: fc.boolean(),
      suspended: fc.boolean(),
      quota: fc.record(
        { max_size_bytes: fc.integer({ min: 1, max: 1 << 30 }), max_objects: fc.integer({ min: 1, max: 10_000 }) },
        { requiredKeys: [] },
      ),
      keys: fc.uniqueArray(
        fc.record({
          n: fc.integer({ min: pool, max: pool + 3 }),
          access: fc.constantFrom("read_write" as const, "read_only" as const),
          secret: fc.constantFrom("a", "b"),
        }),
        { selector: (k) => k.n, maxLength: 4 },
      ),
    })
    .map((r) => ({
      tenant,
      name,
      public_read: r.public_read,
      suspended: r.suspended,
      quota: r.quota,
      keys: r.keys.map((k) => ({ ...key(k.n, k.access), secret: k.secret.repeat(40) })),
    }))

describe("RgwManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; the plan named exactly what ensure did",
    [specArb(T1, B1, 1), specArb(T1, B1, 1)],
    ([before, after]) => {
      const rgw = new FakeRgw()
      return Effect.gen(function* () {
        const m = yield* RgwManager
        yield* m.ensureBucket(before)
        expect(yield* m.planBucket(before)).toEqual([])
        rgw.calls.length = 0
        const planned = yield* m.planBucket(after)
        expect(rgw.calls).toEqual([])
        expect(yield* m.ensureBucket(after)).toEqual(planned)
        expect(rgw.calls).toHaveLength(planned.length)
        expect(yield* m.planBucket(after)).toEqual([])
        // the keys are exactly the spec's, suspended with it
        const keyUsers = [...rgw.users.values()].filter((u) => u.uid.includes(`-${B1}-`))
        expect(keyUsers.map((u) => u.keys[0]!.access_key).sort()).toEqual(after.keys.map((k) => k.access_key_id).sort())
        expect(keyUsers.every((u) => u.suspended === after.suspended && u.max_buckets === -1)).toBe(true)
        expect(rgw.policies.get("t-aaaaaaaaa1--s3-bucket0001")).toBe(renderBucketPolicy(after))
      }).pipe(Effect.provide(rgw.layer()))
    },
    { timeout: 30_000, fastCheck: { numRuns: 50 } },
  )

  it.effect("a new bucket: owner, bucket, keys, policy and quota, in that order", () => {
    const rgw = new FakeRgw()
    const s = spec({
      keys: [key(1), key(2, "read_only")],
      public_read: true,
      quota: { max_size_bytes: 1000, max_objects: 3 },
    })
    return Effect.gen(function* () {
      const m = yield* RgwManager
      expect(yield* m.ensureBucket(s)).toEqual([
        { action: "create", kind: "s3_owner", target: "hp-t_aaaaaaaaa1" },
        { action: "create", kind: "s3_bucket", target: "t-aaaaaaaaa1--s3-bucket0001" },
        { action: "create", kind: "s3_key", target: "hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001" },
        { action: "create", kind: "s3_key", target: "hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000002" },
        { action: "create", kind: "s3_policy", target: "t-aaaaaaaaa1--s3-bucket0001" },
        { action: "update", kind: "s3_quota", target: "t-aaaaaaaaa1--s3-bucket0001" },
      ])
      // RGW keeps 1000 bytes as 1 KiB: still the same quota
      expect(rgw.buckets.get("t-aaaaaaaaa1--s3-bucket0001")!.quota).toEqual({
        enabled: true,
        max_size: 1024,
        max_objects: 3,
      })
      expect(yield* m.planBucket(s)).toEqual([])
    }).pipe(Effect.provide(rgw.layer()))
  })

  it.effect("a removed key's user goes before anything else changes; a new secret replaces the key", () => {
    const rgw = new FakeRgw()
    return Effect.gen(function* () {
      const m = yield* RgwManager
      yield* m.ensureBucket(spec({ keys: [key(1), key(2)] }))
      rgw.calls.length = 0
      yield* m.ensureBucket(spec({ keys: [{ ...key(2), secret: "n".repeat(40) }] }))
      expect(rgw.calls).toEqual([
        "remove-user hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001",
        "set-key hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000002",
        "put-policy t-aaaaaaaaa1--s3-bucket0001",
      ])
    }).pipe(Effect.provide(rgw.layer()))
  })

  it.effect("suspend suspends every key and withdraws public reading; unsuspend restores both", () => {
    const rgw = new FakeRgw()
    const s = spec({ keys: [key(1)], public_read: true })
    return Effect.gen(function* () {
      const m = yield* RgwManager
      yield* m.ensureBucket(s)
      yield* m.ensureBucket({ ...s, suspended: true })
      expect(rgw.users.get("hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001")!.suspended).toBe(true)
      expect(rgw.policies.get("t-aaaaaaaaa1--s3-bucket0001")).not.toContain('"Principal":"*"')
      yield* m.ensureBucket(s)
      expect(rgw.users.get("hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001")!.suspended).toBe(false)
      expect(rgw.policies.get("t-aaaaaaaaa1--s3-bucket0001")).toContain('"Principal":"*"')
    }).pipe(Effect.provide(rgw.layer()))
  })

  it.effect("a non-empty bucket is removed only with force; the tenant's owner leaves with its last bucket", () => {
    const rgw = new FakeRgw()
    return Effect.gen(function* () {
      const m = yield* RgwManager
      yield* m.ensureBucket(spec({ keys: [key(1)] }))
      yield* m.ensureBucket(spec({ name: B2, keys: [key(2)] }))
      rgw.fill("t-aaaaaaaaa1--s3-bucket0001", 2, 10)
      const refused = yield* Effect.either(m.removeBucket({ tenant: T1, name: B1 }, false))
      expect(Either.isLeft(refused) && refused.left._tag).toBe("BucketNotEmpty")
      expect(rgw.buckets.has("t-aaaaaaaaa1--s3-bucket0001")).toBe(true)
      expect(rgw.users.has("hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001")).toBe(true)
      expect(yield* m.removeBucket({ tenant: T1, name: B1 }, true)).toEqual([
        { action: "delete", kind: "s3_key", target: "hp-t_aaaaaaaaa1-s3_bucket0001-AK000000000000000001" },
        { action: "delete", kind: "s3_bucket", target: "t-aaaaaaaaa1--s3-bucket0001" },
      ])
      expect(yield* m.removeBucket({ tenant: T1, name: B2 }, false)).toEqual([
        { action: "delete", kind: "s3_key", target: "hp-t_aaaaaaaaa1-s3_bucket0002-AK000000000000000002" },
        { action: "delete", kind: "s3_bucket", target: "t-aaaaaaaaa1--s3-bucket0002" },
        { action: "delete", kind: "s3_owner", target: "hp-t_aaaaaaaaa1" },
      ])
      expect(yield* m.removeBucket({ tenant: T1, name: B2 }, false)).toEqual([])
      expect([...rgw.users.keys()]).toEqual([])
    }).pipe(Effect.provide(rgw.layer()))
  })

  it.effect("a bucket of the platform's name owned by someone else is refused, not taken over", () => {
    const rgw = new FakeRgw()
    rgw.users.set("alice", { uid: "alice", display_name: "Alice", suspended: false, max_buckets: 0, keys: [] })
    rgw.buckets.set("t-aaaaaaaaa1--s3-bucket0001", {
      name: "t-aaaaaaaaa1--s3-bucket0001",
      owner: "alice",
      quota: { enabled: false, max_size: -1, max_objects: -1 },
      bytes: 0,
      objects: 0,
    })
    return Effect.gen(function* () {
      const m = yield* RgwManager
      const r = yield* Effect.either(m.ensureBucket(spec()))
      expect(Either.isLeft(r) && r.left.message).toBe(
        "bucket t-aaaaaaaaa1--s3-bucket0001 belongs to alice, not hp-t_aaaaaaaaa1",
      )
    }).pipe(Effect.provide(rgw.layer()))
  })

  it.effect.prop(
    "converge: the platform's buckets become exactly the specs, orphans of the platform go, nothing else does",
    [fc.subarray([0, 1, 2, 3]), fc.subarray([0, 1, 2, 3]), fc.boolean()],
    ([before, after, plan]) => {
      const rgw = new FakeRgw()
      const specs = [
        spec({ keys: [key(1)] }),
        spec({ name: B2, keys: [key(5, "read_only")], public_read: true }),
        spec({ tenant: T2, keys: [key(9)], quota: { max_objects: 5 } }),
        spec({ tenant: T2, name: B2 }),
      ]
      // not the platform's: a user and a bucket made by hand, and a hand user under the platform's prefix
      rgw.users.set("alice", { uid: "alice", display_name: "Alice", suspended: false, max_buckets: 0, keys: [] })
      rgw.buckets.set("photos", {
        name: "photos",
        owner: "alice",
        quota: { enabled: false, max_size: -1, max_objects: -1 },
        bytes: 5,
        objects: 1,
      })
      rgw.users.set("hp-admin", { uid: "hp-admin", display_name: "", suspended: false, max_buckets: 0, keys: [] })
      return Effect.gen(function* () {
        const m = yield* RgwManager
        yield* m.converge(
          before.map((i) => specs[i]!),
          false,
        )
        for (const i of before)
          rgw.fill(`${specs[i]!.tenant.replace("_", "-")}--${specs[i]!.name.replace("_", "-")}`, 1, 7)
        const want = after.map((i) => specs[i]!)
        const planned = yield* m.converge(want, true)
        const done = yield* m.converge(want, plan)
        expect(done).toEqual(planned)
        expect(done.errors).toEqual([])
        if (plan) return
        expect(yield* m.converge(want, true)).toEqual({ changes: [], errors: [] })
        expect([...rgw.buckets.keys()].sort()).toEqual(
          ["photos", ...want.map((s) => `${s.tenant.replace("_", "-")}--${s.name.replace("_", "-")}`)].sort(),
        )
        const owners = new Set(want.map((s) => `hp-${s.tenant}`))
        const keys = want.flatMap((s) => s.keys.map((k) => `hp-${s.tenant}-${s.name}-${k.access_key_id}`))
        expect([...rgw.users.keys()].sort()).toEqual(["alice", "hp-admin", ...owners, ...keys].sort())
      }).pipe(Effect.provide(rgw.layer()))
    },
    { timeout: 30_000, fastCheck: { numRuns: 60 } },
  )

  it.effect("usage reports the buckets that exist, with their index's bytes and objects", () => {
    const rgw = new FakeRgw()
    return Effect.gen(function* () {
      const m = yield* RgwManager
      yield* m.ensureBucket(spec())
      rgw.fill("t-aaaaaaaaa1--s3-bucket0001", 3, 12_345)
      expect(
        yield* m.usage([
          { tenant: T1, name: B1 },
          { tenant: T1, name: B2 },
        ]),
      ).toEqual([{ tenant: T1, name: B1, bytes: 12_345, objects: 3 }])
    }).pipe(Effect.provide(rgw.layer()))
  })
})
