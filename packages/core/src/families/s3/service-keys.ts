import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schedule } from "effect"
import { Conflict, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import type { Principal } from "../access/domain-api-key.js"
import { getScoped, tenantBeingDeleted } from "../tenancy/service-rows.js"
import { MAX_KEYS_PER_BUCKET } from "./domain.js"
import { type CreateS3AccessKey, S3AccessKeyCreated, type S3AccessKeyId, type S3BucketId } from "./domain-resource.js"
import { bucketSpec, decodeKey, keySpec, lockLiveBucket, markS3 } from "./service-rows.js"

const KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** `n` characters of `alphabet`, each equally likely (rejection sampling over random bytes). */
const randomOf = (alphabet: string, n: number): string => {
  const limit = 256 - (256 % alphabet.length)
  const out: Array<string> = []
  while (out.length < n)
    for (const b of globalThis.crypto.getRandomValues(new Uint8Array(64)))
      if (b < limit && out.length < n) out.push(alphabet[b % alphabet.length]!)
  return out.join("")
}

const KEY_ATTEMPTS = 5

/**
 * Access keys of S3 buckets: AWS-shaped (a 20-character id, a 40-character secret), each reaching
 * only its bucket. The secret is answered once, by the create; lists and reads never hold it, and
 * the audit log stores request bodies only (the create's body is `{access}`).
 */
export class S3AccessKeys extends Effect.Service<S3AccessKeys>()("@hosting/S3AccessKeys", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const withParents = (row: unknown) =>
      Effect.map(decodeKey(row), (key) => {
        const r = row as { bucket_status: unknown; tenant_status: unknown; tenant_id: unknown }
        return {
          key,
          tenantId: String(r.tenant_id),
          bucketStatus: String(r.bucket_status),
          tenantStatus: String(r.tenant_status),
        }
      })
    const current = (principal: Principal, id: S3AccessKeyId) =>
      getScoped(sql, keySpec, principal, id, "s3 access key", withParents)

    const get = Effect.fn("S3AccessKeys.get")(function* (principal: Principal, id: S3AccessKeyId) {
      return yield* getScoped(sql, keySpec, principal, id, "s3 access key", decodeKey)
    })

    /** The bucket a key belongs to, or NotFound when it does not exist or its brand is not the caller's. */
    const visibleBucket = (principal: Principal, bucketId: S3BucketId) =>
      sql<{ id: string; tenant_id: string }>`SELECT t.id, t.tenant_id FROM ${sql.literal(bucketSpec.from)}
        WHERE ${sql.and(filters(sql`t.id = ${bucketId}`, brandFilter(sql, bucketSpec.brandColumn, principal)))}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined ? Effect.fail(notFound("s3 bucket", bucketId)) : Effect.succeed(rows[0]),
        ),
      )

    const list = Effect.fn("S3AccessKeys.list")(function* (
      principal: Principal,
      bucketId: S3BucketId,
      query: ListQuery,
    ) {
      yield* visibleBucket(principal, bucketId)
      return yield* listPage(
        sql,
        keySpec,
        query,
        filters(sql`t.bucket_id = ${bucketId}`, brandFilter(sql, keySpec.brandColumn, principal)),
        decodeKey,
      )
    })

    const create = Effect.fn("S3AccessKeys.create")(function* (
      principal: Principal,
      bucketId: S3BucketId,
      input: typeof CreateS3AccessKey.Type,
    ) {
      const bucket = yield* visibleBucket(principal, bucketId)
      const id = randomUuid()
      const secret = randomOf(SECRET_ALPHABET, 40)
      const clash = new Conflict({ message: "could not generate a unique access key id; try again" })
      yield* Effect.suspend(() =>
        sql.withTransaction(
          Effect.gen(function* () {
            yield* lockLiveBucket(sql, bucketId)
            const [{ n }] = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM s3_access_keys
              WHERE bucket_id = ${bucketId}`.pipe(Effect.orDie)
            if (Number(n) >= MAX_KEYS_PER_BUCKET)
              return yield* Effect.fail(
                new Conflict({ message: `a bucket has at most ${MAX_KEYS_PER_BUCKET} access keys; delete one first` }),
              )
            yield* sql`INSERT INTO s3_access_keys (id, bucket_id, access_key_id, secret, access, status)
              VALUES (${id}, ${bucketId}, ${randomOf(KEY_ID_ALPHABET, 20)}, ${secret},
                ${input.access ?? "read_write"}, 'pending')`
          }),
        ),
      ).pipe(
        onConstraint({ unique: () => clash }),
        Effect.retry(
          Schedule.recurWhile<unknown>((e) => e === clash).pipe(Schedule.intersect(Schedule.recurs(KEY_ATTEMPTS - 1))),
        ),
      )
      yield* reactions.changed({
        kind: "s3-bucket.changed",
        tenantId: bucket.tenant_id,
        bucketId,
        written: [["s3_access_keys", [id]]],
      })
      const key = yield* get(principal, id as S3AccessKeyId)
      return S3AccessKeyCreated.make({ ...key, secret_access_key: secret })
    })

    /** Deletes a key: its RGW user goes with the bucket's next round, and with it every request it signs. */
    const remove = Effect.fn("S3AccessKeys.remove")(function* (principal: Principal, id: S3AccessKeyId) {
      const { key, tenantId, bucketStatus, tenantStatus } = yield* current(principal, id)
      // deleting again sends the delete again; anything else under a bucket or tenant being deleted is refused
      if (key.status !== "deleting" && (tenantStatus === "deleting" || bucketStatus === "deleting"))
        return yield* Effect.fail(
          tenantStatus === "deleting"
            ? tenantBeingDeleted()
            : new Conflict({ message: "the S3 bucket is being deleted" }),
        )
      yield* sql`UPDATE s3_access_keys SET ${markS3(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "s3-bucket.changed",
        tenantId,
        bucketId: key.bucket_id,
        written: [["s3_access_keys", [id]]],
      })
      return answer
    })

    const retry = Effect.fn("S3AccessKeys.retry")(function* (principal: Principal, id: S3AccessKeyId) {
      const { key, tenantId, bucketStatus, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting" || bucketStatus === "deleting")
        return yield* Effect.fail(new Conflict({ message: "the S3 bucket or its tenant is being deleted" }))
      const rows = yield* sql`UPDATE s3_access_keys SET ${markS3(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0)
        return yield* Effect.fail(
          new Conflict({ message: `only a failed S3 access key can be retried; this one is ${key.status}` }),
        )
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "s3-bucket.changed",
        tenantId,
        bucketId: key.bucket_id,
        written: [["s3_access_keys", [id]]],
      })
      return answer
    })

    return { list, get, create, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
