import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { STATUS_MESSAGE_MAX } from "../../domain/lifecycle.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { detailsOf, type FamilyTables, markProvisioning, recordRound } from "../../lifecycle/rounds.js"
import { isTenantDeleting } from "../../lifecycle/tenant-children.js"
import type { S3BucketOutcome, S3BucketSnapshot, S3UsageTarget } from "./activities.js"
import type { BucketSpec, KeyAccess } from "./domain.js"
import type { S3Table } from "./service-rows.js"

/** The rows a bucket's round applies: the bucket and its access keys. */
const S3_TABLES: FamilyTables<S3Table> = { root: "s3_buckets", children: ["s3_access_keys"], parentColumn: "bucket_id" }

interface BucketRow {
  readonly id: string
  readonly tenant_id: string
  readonly shard_id: string
  readonly name: string
  readonly tenant_name: string
  readonly suspended: boolean
  readonly public_read: boolean
  readonly max_size_bytes: string | null
  readonly max_objects: string | null
  readonly force_delete: boolean
  readonly status: string
  readonly revision: string
}
interface KeyRow {
  readonly id: string
  readonly access_key_id: string
  readonly secret: string
  readonly access: KeyAccess
  readonly status: string
  readonly revision: string
}

const NOT_EMPTY =
  "not deleted: the bucket holds objects (written after the delete was asked, or its node could not say at once); empty it, or delete it with ?force=true"

/** The node spec of one bucket from its rows; keys being deleted are left out. */
const toSpec = (b: BucketRow, keys: ReadonlyArray<KeyRow>): BucketSpec => ({
  tenant: b.tenant_name,
  name: b.name,
  public_read: b.public_read,
  quota: {
    ...(b.max_size_bytes === null ? {} : { max_size_bytes: Number(b.max_size_bytes) }),
    ...(b.max_objects === null ? {} : { max_objects: Number(b.max_objects) }),
  },
  keys: keys
    .filter((k) => k.status !== "deleting")
    .map((k) => ({ access_key_id: k.access_key_id, secret: k.secret, access: k.access }))
    .sort((x, y) => x.access_key_id.localeCompare(y.access_key_id)),
  suspended: b.suspended,
})

/**
 * The database side of bucket syncs: reads a bucket's desired state (its keys with their secrets,
 * its tenant's suspension) and records outcomes; a row becomes active only if its revision is
 * still the one the round applied. Also the usage schedule's reads and writes, and what an s3
 * shard's converge pushes.
 */
export class S3BucketStates extends Effect.Service<S3BucketStates>()("@hosting/S3BucketStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions

    const snapshot = (bucketId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [b] = yield* sql<BucketRow>`SELECT b.id, b.tenant_id, b.shard_id, b.name, t.name AS tenant_name,
                t.suspended, b.public_read, b.max_size_bytes::text, b.max_objects::text, b.force_delete, b.status,
                b.revision::text
              FROM s3_buckets b JOIN tenants t ON t.id = b.tenant_id WHERE b.id = ${bucketId}`
            if (b === undefined) return null
            yield* markProvisioning(sql, S3_TABLES, bucketId)
            const keys = yield* sql<KeyRow>`SELECT id, access_key_id, secret, access, status, revision::text
              FROM s3_access_keys WHERE bucket_id = ${bucketId}`
            const nodes = yield* sql<{ node_id: string }>`SELECT node_id::text FROM node_shards
              WHERE shard_id = ${b.shard_id} ORDER BY node_id`
            const snap: S3BucketSnapshot = {
              bucketId,
              tenantId: b.tenant_id,
              ref: { tenant: b.tenant_name, name: b.name },
              spec: b.status === "deleting" ? null : toSpec(b, keys),
              force: b.force_delete,
              nodeIds: nodes.map((n) => n.node_id),
              revisions: {
                s3_buckets: [[b.id, String(b.revision)]],
                s3_access_keys: keys.map((k) => [k.id, String(k.revision)] as const),
              },
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    const record = (snap: S3BucketSnapshot, outcome: S3BucketOutcome) =>
      sql.withTransaction(
        Effect.gen(function* () {
          if (outcome.notEmpty) {
            // nothing was removed: the bucket is back, failed with why (its retry sends it again)
            const causes = [{ resource_type: "s3_bucket", resource_id: snap.bucketId, message: NOT_EMPTY }]
            for (const [id, revision] of snap.revisions.s3_buckets)
              yield* sql`UPDATE s3_buckets SET status = 'failed', status_message = ${NOT_EMPTY.slice(0, STATUS_MESSAGE_MAX)},
                status_details = ${detailsOf(causes)}::jsonb, force_delete = false, updated_at = now()
                WHERE id = ${id} AND revision = ${revision}`
            yield* recordRound(sql, [["s3_access_keys", snap.revisions.s3_access_keys]], causes)
            return
          }
          // keys first: they reference the bucket
          yield* recordRound<S3Table>(
            sql,
            [
              ["s3_access_keys", snap.revisions.s3_access_keys],
              ["s3_buckets", snap.revisions.s3_buckets],
            ],
            outcome.causes,
          )
          if (outcome.endpoint !== null)
            yield* sql`UPDATE s3_buckets SET endpoint_url = ${outcome.endpoint.endpoint},
              region = ${outcome.endpoint.region} WHERE id = ${snap.bucketId}`
        }),
      )

    /** Records a round; a bucket removed for a tenant being deleted wakes the tenant's sync. */
    const finish = (snap: S3BucketSnapshot, outcome: S3BucketOutcome) =>
      Effect.gen(function* () {
        yield* record(snap, outcome)
        const removed = snap.spec === null && outcome.causes.length === 0 && !outcome.notEmpty
        if (removed && (yield* isTenantDeleting(sql, snap.tenantId)))
          yield* reactions.changed({ kind: "tenant-child.removed", tenantId: snap.tenantId })
      }).pipe(Effect.orDie)

    /** Every s3 shard with a node: its first node and its buckets not being deleted. */
    const usageTargets = () =>
      Effect.gen(function* () {
        const shards = yield* sql<{ shard_id: string; node_id: string }>`SELECT s.id::text AS shard_id,
            min(ns.node_id::text) AS node_id
          FROM shards s JOIN node_shards ns ON ns.shard_id = s.id WHERE s.role = 's3' GROUP BY s.id ORDER BY s.id`
        if (shards.length === 0) return []
        const buckets = yield* sql<{ id: string; shard_id: string; tenant: string; name: string }>`SELECT b.id,
            b.shard_id::text AS shard_id, t.name AS tenant, b.name
          FROM s3_buckets b JOIN tenants t ON t.id = b.tenant_id
          WHERE b.shard_id IN ${sql.in(shards.map((s) => s.shard_id))} AND b.status <> 'deleting' ORDER BY b.id`
        return shards.map(
          (s): S3UsageTarget => ({
            shardId: s.shard_id,
            nodeId: s.node_id,
            buckets: buckets
              .filter((b) => b.shard_id === s.shard_id)
              .map((b) => ({ id: b.id, tenant: b.tenant, name: b.name })),
          }),
        )
      }).pipe(Effect.orDie)

    /** Stores measured bytes and objects on the bucket rows; answers how many rows it updated. */
    const recordUsage = (
      usage: ReadonlyArray<{ readonly id: string; readonly bytes: number; readonly objects: number }>,
    ) =>
      Effect.gen(function* () {
        let n = 0
        for (const u of usage) {
          const rows = yield* sql`UPDATE s3_buckets SET usage_bytes = ${u.bytes}, usage_objects = ${u.objects},
            usage_measured_at = date_trunc('milliseconds', now()) WHERE id = ${u.id} RETURNING id`
          n += rows.length
        }
        return n
      }).pipe(Effect.orDie)

    /**
     * Every bucket of the shard as its nodes must hold it. A bucket being deleted with force is left
     * out (the converge empties and removes it, as its own round would); one being deleted without
     * force stays, without keys: its node may still refuse to remove it for holding objects, which a
     * converge must not empty, and nothing of a bucket asked to go should work meanwhile.
     */
    const shardBuckets = (shardId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [{ revision }] = yield* sql<{
              revision: string
            }>`SELECT last_value::text AS revision FROM s3_revision_seq`
            const buckets = yield* sql<BucketRow>`SELECT b.id, b.tenant_id, b.shard_id, b.name, t.name AS tenant_name,
                t.suspended, b.public_read, b.max_size_bytes::text, b.max_objects::text, b.force_delete, b.status,
                b.revision::text
              FROM s3_buckets b JOIN tenants t ON t.id = b.tenant_id
              WHERE b.shard_id = ${shardId} AND NOT (b.status = 'deleting' AND b.force_delete) ORDER BY b.name`
            const keys =
              buckets.length === 0
                ? []
                : yield* sql<KeyRow & { readonly bucket_id: string }>`SELECT bucket_id::text, id, access_key_id, secret,
                    access, status, revision::text
                  FROM s3_access_keys WHERE bucket_id IN ${sql.in(buckets.map((b) => b.id))}`
            return {
              revision,
              buckets: buckets.map((b) =>
                toSpec(b, b.status === "deleting" ? [] : keys.filter((k) => k.bucket_id === b.id)),
              ),
            }
          }),
        )
        .pipe(Effect.orDie)

    /** Asks the sync of every bucket of the shard written after `revision` (a converge read an older state). */
    const resyncChangedSince = (shardId: string, revision: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT b.id::text FROM s3_buckets b WHERE b.shard_id = ${shardId} AND (
            b.revision > ${revision}
            OR EXISTS (SELECT 1 FROM s3_access_keys k WHERE k.bucket_id = b.id AND k.revision > ${revision}))`.pipe(
          Effect.orDie,
        )
        if (rows.length > 0)
          yield* reactions.changed({ kind: "s3-converge.overtaken", bucketIds: rows.map((r) => r.id) })
        return rows.length
      })

    return { snapshot, finish, usageTargets, recordUsage, shardBuckets, resyncChangedSince } as const
  }),
  dependencies: [Reactions.Default],
}) {}
