import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schedule } from "effect"
import { Conflict, InvalidInput } from "../../domain/errors.js"
import { randomUuid, type TenantId } from "../../domain/ids.js"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../../domain/lifecycle.js"
import type { ListQuery } from "../../domain/list.js"
import { generateName } from "../../domain/names.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { isPlatformAdmin, type Principal } from "../access/domain-api-key.js"
import { getScoped, lockLiveTenant, tenantBeingDeleted, visibleTenant } from "../tenancy/service-rows.js"
import { agentTimeoutSeconds } from "../topology/service-node-probes.js"
import type { S3BucketUsageInput } from "./activities.js"
import type { BucketUsage } from "./domain.js"
import type { CreateS3Bucket, S3BucketId, UpdateS3Bucket } from "./domain-resource.js"
import { bucketBeingDeleted, bucketSpec, decodeBucket, markS3 } from "./service-rows.js"

/** How long a delete without force waits for the node to say whether the bucket is empty. */
const EMPTY_CHECK_SECONDS = 15

// Generated names carry ~52 random bits: one clash is rare, five in a row practically impossible.
const NAME_ATTEMPTS = 5

const mapClusters = (brandId: string) =>
  `map a cluster that has an s3 shard to the brand: PUT /api/v1/brands/${brandId}/clusters`

/**
 * S3 buckets of tenants. Writes mark the bucket for its sync (`s3-bucket:{id}:sync`), report the
 * change (Reactions) and answer 202; the sync makes it active or failed.
 */
export class S3Buckets extends Effect.Service<S3Buckets>()("@hosting/S3Buckets", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const engine = yield* WorkflowEngine
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds

    const withTenant = (row: unknown) =>
      Effect.map(decodeBucket(row), (bucket) => ({
        bucket,
        tenantName: String((row as { tenant_name: unknown }).tenant_name),
        tenantStatus: String((row as { tenant_status: unknown }).tenant_status),
      }))
    const current = (principal: Principal, id: S3BucketId) =>
      getScoped(sql, bucketSpec, principal, id, "s3 bucket", withTenant)

    const get = Effect.fn("S3Buckets.get")(function* (principal: Principal, id: S3BucketId) {
      return yield* getScoped(sql, bucketSpec, principal, id, "s3 bucket", decodeBucket)
    })

    const list = Effect.fn("S3Buckets.list")(function* (principal: Principal, tenantId: TenantId, query: ListQuery) {
      yield* visibleTenant(sql, principal, tenantId)
      return yield* listPage(
        sql,
        bucketSpec,
        query,
        filters(sql`t.tenant_id = ${tenantId}`, brandFilter(sql, bucketSpec.brandColumn, principal)),
        decodeBucket,
      )
    })

    /**
     * Where a new bucket goes: the admin's s3 shard, or the s3 shard with the fewest buckets (then
     * by name) among the clusters the tenant's brand may use.
     */
    const place = (brandId: string, shardId: string | undefined) =>
      Effect.gen(function* () {
        if (shardId !== undefined) {
          const rows = yield* sql<{ role: string }>`SELECT role FROM shards WHERE id = ${shardId}`
          if (rows[0]?.role !== "s3")
            return yield* Effect.fail(
              new InvalidInput({ message: `shard_id ${shardId} is not an s3 shard`, details: { shard_id: shardId } }),
            )
          return shardId
        }
        const rows = yield* sql<{ id: string }>`SELECT s.id FROM shards s WHERE s.role = 's3'
          AND s.cluster_id IN (SELECT cluster_id FROM brand_clusters WHERE brand_id = ${brandId})
          ORDER BY (SELECT count(*) FROM s3_buckets b WHERE b.shard_id = s.id), s.name, s.id LIMIT 1`
        if (rows[0] === undefined)
          return yield* Effect.fail(
            new InvalidInput({
              message: `no s3 shard to place the bucket on: the brand's clusters have none; ${mapClusters(brandId)}`,
            }),
          )
        return rows[0].id
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    const create = Effect.fn("S3Buckets.create")(function* (
      principal: Principal,
      tenantId: TenantId,
      input: typeof CreateS3Bucket.Type,
    ) {
      const tenant = yield* visibleTenant(sql, principal, tenantId)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (input.shard_id !== undefined && !isPlatformAdmin(principal))
        return yield* Effect.fail(new InvalidInput({ message: "only platform admins choose the shard" }))
      const [{ brand_id }] = yield* sql<{ brand_id: string }>`SELECT brand_id FROM tenants WHERE id = ${tenantId}`.pipe(
        Effect.orDie,
      )
      const shardId = yield* place(brand_id!, input.shard_id)
      const id = randomUuid()
      const clash = new Conflict({ message: "could not generate a unique bucket name; try again" })
      yield* Effect.suspend(() =>
        sql.withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, tenantId)
            yield* sql`INSERT INTO s3_buckets (id, tenant_id, shard_id, name, public_read, max_size_bytes, max_objects, status)
              VALUES (${id}, ${tenantId}, ${shardId}, ${generateName("s3")}, ${input.public_read ?? false},
                ${input.max_size_bytes ?? null}, ${input.max_objects ?? null}, 'pending')`
          }),
        ),
      ).pipe(
        onConstraint({ unique: () => clash }),
        Effect.retry(
          Schedule.recurWhile<unknown>((e) => e === clash).pipe(Schedule.intersect(Schedule.recurs(NAME_ATTEMPTS - 1))),
        ),
      )
      // the answer is the row as written: read after the hand-off, a quick round may have taken it
      const answer = yield* get(principal, id as S3BucketId)
      yield* reactions.changed({ kind: "s3-bucket.changed", tenantId, bucketId: id, written: [["s3_buckets", [id]]] })
      return answer
    })

    const update = Effect.fn("S3Buckets.update")(function* (
      principal: Principal,
      id: S3BucketId,
      patch: typeof UpdateS3Bucket.Type,
    ) {
      const { bucket, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const rows = yield* sql`UPDATE s3_buckets SET
          public_read = ${patch.public_read ?? bucket.public_read},
          max_size_bytes = ${patch.max_size_bytes === undefined ? bucket.max_size_bytes : patch.max_size_bytes},
          max_objects = ${patch.max_objects === undefined ? bucket.max_objects : patch.max_objects},
          ${markS3(sql, "pending")}
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(bucketBeingDeleted())
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "s3-bucket.changed",
        tenantId: bucket.tenant_id,
        bucketId: id,
        written: [["s3_buckets", [id]]],
      })
      return answer
    })

    /**
     * What the bucket's node holds now, or undefined when it cannot say within a few seconds
     * (no node, the node's agent down, the engine unreachable): then the removal itself decides.
     */
    const usageNow = (bucketId: string, shardId: string, ref: { tenant: string; name: string }) =>
      Effect.gen(function* () {
        const nodes = yield* sql<{ node_id: string }>`SELECT node_id::text FROM node_shards
          WHERE shard_id = ${shardId} ORDER BY node_id LIMIT 1`.pipe(Effect.orDie)
        if (nodes[0] === undefined) return undefined
        const input: S3BucketUsageInput = {
          nodeId: nodes[0].node_id,
          bucket: ref,
          nodeTimeoutSeconds: Math.min(nodeTimeoutSeconds, EMPTY_CHECK_SECONDS),
        }
        const found = yield* engine.execute({
          workflowType: "S3BucketUsageWorkflow",
          workflowId: workflowIdFor("s3-bucket", bucketId, "usage"),
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          args: [input],
          timeoutSeconds: EMPTY_CHECK_SECONDS + 5,
        })
        return (found as ReadonlyArray<BucketUsage> | null)?.[0]
      }).pipe(
        Effect.catchTag("Unavailable", (e) =>
          Effect.as(Effect.logWarning(`could not ask whether bucket ${bucketId} is empty: ${e.message}`), undefined),
        ),
      )

    /**
     * Deletes the bucket and its keys. One that holds objects is a 409 unless `force` (its
     * node empties it first); when the node cannot say at once, the removal refuses it and the
     * bucket becomes `failed` with why. Deleting again is the same request once more.
     */
    const remove = Effect.fn("S3Buckets.remove")(function* (principal: Principal, id: S3BucketId, force: boolean) {
      const { bucket, tenantName, tenantStatus } = yield* current(principal, id)
      if (bucket.status !== "deleting" && tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (!force) {
        const usage = yield* usageNow(id, bucket.shard_id, { tenant: tenantName, name: bucket.name })
        if (usage !== undefined && usage.objects > 0)
          return yield* Effect.fail(
            new Conflict({
              message: `the bucket holds ${usage.objects} objects (${usage.bytes} bytes): empty it, or delete it with ?force=true`,
              details: { objects: usage.objects, bytes: usage.bytes },
            }),
          )
      }
      yield* sql`UPDATE s3_buckets SET ${markS3(sql, "deleting")}, force_delete = ${force} WHERE id = ${id}`.pipe(
        Effect.orDie,
      )
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "s3-bucket.changed",
        tenantId: bucket.tenant_id,
        bucketId: id,
        written: [["s3_buckets", [id]]],
      })
      return answer
    })

    /** Re-sends a failed bucket with its failed keys, or only the failed keys of an active one. */
    const retry = Effect.fn("S3Buckets.retry")(function* (principal: Principal, id: S3BucketId) {
      const { bucket, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const b = yield* sql<{ id: string }>`UPDATE s3_buckets SET ${markS3(sql, "pending")}
              WHERE id = ${id} AND status = 'failed' RETURNING id`
            const k = yield* sql<{ id: string }>`UPDATE s3_access_keys SET ${markS3(sql, "pending")}
              WHERE bucket_id = ${id} AND status = 'failed' RETURNING id`
            return [
              ["s3_buckets", b.map((r) => r.id)],
              ["s3_access_keys", k.map((r) => r.id)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      if (written.every(([, ids]) => ids.length === 0))
        return yield* Effect.fail(
          new Conflict({
            message: `only a failed S3 bucket, or one with failed access keys, can be retried; this one is ${bucket.status}`,
          }),
        )
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "s3-bucket.changed", tenantId: bucket.tenant_id, bucketId: id, written })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
