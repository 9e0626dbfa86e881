import {
  BucketNotEmpty,
  ownerUid,
  platformBucket,
  RgwAdmin,
  type RgwBucket,
  type RgwKey,
  RgwRejected,
  RgwUnavailable,
  type RgwUser,
} from "@hosting/core/node"
import { Effect, Layer, Option } from "effect"
import { CommandFailed, run } from "../web/exec.js"
import type { S3NodeConfig } from "./config.js"
import { cephPaths, s3Endpoint } from "./daemons.js"
import { type S3Answer, s3ErrorCode, s3Request } from "./sigv4.js"

// radosgw-admin's exit codes the port tells apart: a missing user or bucket is data, not a failure;
// EEXIST/EINVAL/EBUSY-like refusals will be refused again; anything else (the cluster not answering)
// may pass, so the activity retries it.
const NOT_FOUND = /no user info saved|could not fetch user info|\(2002\)|NoSuchBucket|user not found|No such file/
const REFUSED = new Set([17, 22, 16])

const unavailable = (what: string, e: unknown) =>
  new RgwUnavailable({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` })

interface UserJson {
  readonly user_id: string
  readonly display_name: string
  readonly suspended: number
  readonly max_buckets: number
  readonly keys: ReadonlyArray<{ readonly user: string; readonly access_key: string; readonly secret_key: string }>
}

interface BucketJson {
  readonly bucket: string
  readonly owner: string
  readonly usage?: { readonly "rgw.main"?: { readonly size?: number; readonly num_objects?: number } }
  readonly bucket_quota: { readonly enabled: boolean; readonly max_size: number; readonly max_objects: number }
}

const bucketOf = (b: BucketJson): RgwBucket => ({
  name: b.bucket,
  owner: b.owner,
  quota: {
    enabled: b.bucket_quota.enabled,
    max_size: b.bucket_quota.max_size,
    max_objects: b.bucket_quota.max_objects,
  },
  bytes: b.usage?.["rgw.main"]?.size ?? 0,
  objects: b.usage?.["rgw.main"]?.num_objects ?? 0,
})

/**
 * The live RgwAdmin: `radosgw-admin` (argument arrays, JSON output) with the cluster's admin key,
 * and S3 requests signed as a bucket's owner for what radosgw-admin cannot do (create a bucket,
 * its policy). Every value reaching an argument is a uid, S3 bucket name or key the manager built
 * from an allow-listed spec.
 */
export const rgwAdminLayer = (c: S3NodeConfig): Layer.Layer<RgwAdmin> => {
  const conf = cephPaths(c.root).conf
  const endpoint = s3Endpoint(c)

  const cli = (args: ReadonlyArray<string>) =>
    Effect.tryPromise({
      try: () => run(`${c.binDir}/radosgw-admin`, ["-c", conf, ...args]),
      catch: (e) => e,
    })
  /** Runs radosgw-admin: its stdout, None when the user or bucket does not exist. */
  const admin = (args: ReadonlyArray<string>): Effect.Effect<Option.Option<string>, RgwRejected | RgwUnavailable> =>
    cli(args).pipe(
      Effect.map((r) => Option.some(r.stdout)),
      Effect.catchAll((e): Effect.Effect<Option.Option<string>, RgwRejected | RgwUnavailable> => {
        if (e instanceof CommandFailed && NOT_FOUND.test(e.stderr)) return Effect.succeed(Option.none<string>())
        if (e instanceof CommandFailed && typeof e.exitCode === "number" && REFUSED.has(e.exitCode))
          return Effect.fail(
            new RgwRejected({ message: `radosgw-admin ${args[0]} ${args[1]}: ${e.stderr.trim().slice(0, 500)}` }),
          )
        return Effect.fail(unavailable(`radosgw-admin ${args[0]} ${args[1]}`, e))
      }),
    )
  const adminJson = <A>(args: ReadonlyArray<string>) =>
    Effect.map(
      admin(args),
      Option.map((out) => JSON.parse(out) as A),
    )
  const adminDo = (args: ReadonlyArray<string>) => Effect.asVoid(admin(args))

  const getUser = (uid: string) =>
    Effect.map(
      adminJson<UserJson>(["user", "info", `--uid=${uid}`]),
      Option.map(
        (u): RgwUser => ({
          uid: u.user_id,
          display_name: u.display_name,
          suspended: u.suspended !== 0,
          max_buckets: u.max_buckets,
          keys: u.keys
            .filter((k) => k.user === u.user_id)
            .map((k) => ({ access_key: k.access_key, secret_key: k.secret_key })),
        }),
      ),
    )

  // Owners' keys never change (only the agent uses them), so each is read from RGW once; a key RGW
  // no longer knows (the owner removed and made again) is read again.
  const ownerKeys = new Map<string, RgwKey>()
  const ownerKey = (uid: string, bucket: string) =>
    Effect.gen(function* () {
      const cached = ownerKeys.get(uid)
      if (cached !== undefined) return cached
      const key = Option.getOrUndefined(yield* getUser(uid))?.keys[0]
      if (key === undefined) return yield* new RgwRejected({ message: `the owner of ${bucket} has no S3 key` })
      ownerKeys.set(uid, key)
      return key
    })

  /** A signed S3 request as the owner of a platform bucket. */
  const asOwner = (
    bucket: string,
    method: "GET" | "PUT" | "DELETE",
    subresource?: string,
    body?: string,
  ): Effect.Effect<S3Answer, RgwRejected | RgwUnavailable> =>
    Effect.gen(function* () {
      const ref = platformBucket(bucket)
      if (ref === undefined) return yield* new RgwRejected({ message: `${bucket} is not a platform bucket` })
      const uid = ownerUid(ref.tenant)
      const send = (key: RgwKey) =>
        Effect.tryPromise({
          try: () =>
            s3Request({
              endpoint,
              region: c.region,
              accessKey: key.access_key,
              secretKey: key.secret_key,
              method,
              bucket,
              ...(subresource === undefined ? {} : { subresource }),
              ...(body === undefined ? {} : { body }),
            }),
          catch: (e) => unavailable(`S3 ${method} ${bucket}`, e),
        })
      const answer = yield* send(yield* ownerKey(uid, bucket))
      if (answer.status !== 403 || !/InvalidAccessKeyId|SignatureDoesNotMatch/.test(s3ErrorCode(answer))) return answer
      ownerKeys.delete(uid)
      return yield* send(yield* ownerKey(uid, bucket))
    })
  const expect =
    (what: string, ok: ReadonlyArray<number>) =>
    (a: S3Answer): Effect.Effect<S3Answer, RgwRejected | RgwUnavailable> =>
      ok.includes(a.status)
        ? Effect.succeed(a)
        : a.status >= 400 && a.status < 500
          ? Effect.fail(new RgwRejected({ message: `RGW refused to ${what}: ${s3ErrorCode(a)}` }))
          : Effect.fail(new RgwUnavailable({ message: `RGW could not ${what} (${a.status}): ${s3ErrorCode(a)}` }))

  const getBucket = (name: string) =>
    Effect.map(adminJson<BucketJson>(["bucket", "stats", `--bucket=${name}`]), Option.map(bucketOf))

  return Layer.succeed(
    RgwAdmin,
    RgwAdmin.of({
      listUsers: () =>
        Effect.map(
          adminJson<ReadonlyArray<string>>(["metadata", "list", "user"]),
          Option.getOrElse(() => []),
        ),
      getUser,
      createUser: (u) =>
        adminDo([
          "user",
          "create",
          `--uid=${u.uid}`,
          `--display-name=${u.display_name}`,
          `--max-buckets=${u.max_buckets}`,
          ...(u.key === undefined ? [] : [`--access-key=${u.key.access_key}`, `--secret-key=${u.key.secret_key}`]),
        ]),
      setMaxBuckets: (uid, max) => adminDo(["user", "modify", `--uid=${uid}`, `--max-buckets=${max}`]),
      setSuspended: (uid, suspended) => adminDo(["user", suspended ? "suspend" : "enable", `--uid=${uid}`]),
      setKey: (uid, key: RgwKey) =>
        Effect.gen(function* () {
          const user = Option.getOrUndefined(yield* getUser(uid))
          if (user === undefined) return yield* new RgwRejected({ message: `no user ${uid}` })
          for (const k of user.keys)
            if (k.access_key !== key.access_key || k.secret_key !== key.secret_key)
              yield* adminDo(["key", "rm", `--uid=${uid}`, "--key-type=s3", `--access-key=${k.access_key}`])
          if (!user.keys.some((k) => k.access_key === key.access_key && k.secret_key === key.secret_key))
            yield* adminDo([
              "key",
              "create",
              `--uid=${uid}`,
              "--key-type=s3",
              `--access-key=${key.access_key}`,
              `--secret-key=${key.secret_key}`,
            ])
        }),
      removeUser: (uid) =>
        Effect.tap(adminDo(["user", "rm", `--uid=${uid}`]), () => Effect.sync(() => ownerKeys.delete(uid))),
      listBuckets: () =>
        Effect.map(adminJson<ReadonlyArray<BucketJson>>(["bucket", "stats"]), (o) =>
          Option.getOrElse(o, () => []).map(bucketOf),
        ),
      getBucket,
      createBucket: (name) =>
        Effect.flatMap(asOwner(name, "PUT"), (a) =>
          // BucketAlreadyOwnedByYou: an earlier attempt made it
          a.status === 409 && s3ErrorCode(a) === "BucketAlreadyOwnedByYou"
            ? Effect.void
            : Effect.asVoid(expect(`create bucket ${name}`, [200])(a)),
        ),
      getPolicy: (bucket) =>
        Effect.flatMap(asOwner(bucket, "GET", "policy"), (a) =>
          a.status === 404 && s3ErrorCode(a) === "NoSuchBucketPolicy"
            ? Effect.succeed(Option.none<string>())
            : Effect.map(expect(`read the policy of ${bucket}`, [200])(a), (x) => Option.some(x.body)),
        ),
      putPolicy: (bucket, policy) =>
        Effect.asVoid(
          Effect.flatMap(asOwner(bucket, "PUT", "policy", policy), expect(`set the policy of ${bucket}`, [200, 204])),
        ),
      deletePolicy: (bucket) =>
        Effect.asVoid(
          Effect.flatMap(asOwner(bucket, "DELETE", "policy"), expect(`delete the policy of ${bucket}`, [200, 204])),
        ),
      setQuota: (bucket, q) =>
        Effect.gen(function* () {
          yield* adminDo([
            "quota",
            "set",
            "--quota-scope=bucket",
            `--bucket=${bucket}`,
            `--max-size=${q.max_size}`,
            `--max-objects=${q.max_objects}`,
          ])
          yield* adminDo(["quota", q.enabled ? "enable" : "disable", "--quota-scope=bucket", `--bucket=${bucket}`])
        }),
      removeBucket: (bucket, purge) =>
        Effect.gen(function* () {
          if (Option.isNone(yield* getBucket(bucket))) return
          yield* adminDo(["bucket", "rm", `--bucket=${bucket}`, ...(purge ? ["--purge-objects"] : [])])
          // radosgw-admin exits 0 when it refuses a non-empty bucket: look again
          const left = Option.getOrUndefined(yield* getBucket(bucket))
          if (left === undefined) return
          if (!purge)
            return yield* new BucketNotEmpty({
              bucket,
              objects: left.objects,
              message: `bucket ${bucket} is not empty; remove it with force to empty it first`,
            })
          return yield* new RgwUnavailable({ message: `bucket ${bucket} is still there after its removal` })
        }),
    }),
  )
}
