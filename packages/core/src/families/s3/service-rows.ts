import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict } from "../../domain/errors.js"
import { markRow } from "../../sql/hand-off.js"
import { rowDecoder } from "../../sql/rows.js"
import type { ScopedSpec } from "../tenancy/service-rows.js"
import { s3BucketName } from "./domain.js"
import { S3AccessKey, S3Bucket } from "./domain-resource.js"

/**
 * What the bucket and access-key services share: their reads scoped to the caller's brands
 * through the owning tenant, and the status/revision bump the bucket's node must see.
 */

/** The tables a bucket's sync applies. */
export type S3Table = "s3_buckets" | "s3_access_keys"

/** SET list of a write the node must see (`pending` or `deleting` under a new revision). */
export const markS3 = (sql: SqlClient, status: "pending" | "deleting") => markRow(sql, status, "s3_revision_seq")

export const bucketSpec: ScopedSpec = {
  from: "s3_buckets t JOIN tenants tn ON tn.id = t.tenant_id",
  select: "t.*, tn.name AS tenant_name, tn.status AS tenant_status",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

// never the secret: it is answered once, by the create, and read again only into a bucket's spec
export const keySpec: ScopedSpec = {
  from: "s3_access_keys t JOIN s3_buckets b ON b.id = t.bucket_id JOIN tenants tn ON tn.id = b.tenant_id",
  select: `t.id, t.bucket_id, t.access_key_id, t.access, t.status, t.status_message, t.status_details,
    t.created_at, t.updated_at, b.status AS bucket_status, b.tenant_id AS tenant_id, tn.status AS tenant_status`,
  sortColumns: { created_at: "t.created_at" },
  defaultSort: "created_at",
  searchColumns: ["t.access_key_id"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

// bigint columns arrive as text from node-postgres
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

const bucketRow = rowDecoder(S3Bucket)

/** A bucket row (joined with its tenant) as the API answers it. */
export const decodeBucket = (row: unknown) => {
  const r = row as Record<string, unknown>
  return bucketRow({
    ...r,
    bucket_name: s3BucketName(String(r["tenant_name"]), String(r["name"])),
    max_size_bytes: num(r["max_size_bytes"]),
    max_objects: num(r["max_objects"]),
    usage_bytes: num(r["usage_bytes"]),
    usage_objects: num(r["usage_objects"]),
  })
}

const keyRow = rowDecoder(S3AccessKey)

/** A key row as the API answers it (the decoder keeps only the schema's fields: never a secret). */
export const decodeKey = (row: unknown) => keyRow(row)

/** 409 for a change to a bucket whose deletion has started. */
export const bucketBeingDeleted = () => new Conflict({ message: "the S3 bucket is being deleted" })

/**
 * Locks the bucket row against a concurrent delete for the rest of the transaction and checks
 * neither it nor its tenant is being deleted, so a key inserted now is refused or marked by it.
 */
export const lockLiveBucket = (sql: SqlClient, bucketId: string) =>
  sql<{ status: string; tenant_status: string }>`SELECT b.status, t.status AS tenant_status
    FROM s3_buckets b JOIN tenants t ON t.id = b.tenant_id WHERE b.id = ${bucketId} FOR SHARE OF b`.pipe(
    Effect.orDie,
    Effect.filterOrFail(
      (rows) => rows[0] !== undefined && rows[0].status !== "deleting" && rows[0].tenant_status !== "deleting",
      () =>
        new Conflict({
          message: "the S3 bucket or its tenant is being deleted",
        }),
    ),
  )
