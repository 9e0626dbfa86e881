import { HttpApiGroup } from "@effect/platform"
import { asyncChildResource } from "../../api/async-resource.js"
import { Authorization, ToolDomain } from "../../api/security.js"
import { TenantId } from "../../domain/ids.js"
import {
  CreateS3AccessKey,
  CreateS3Bucket,
  DeleteS3BucketQuery,
  S3AccessKey,
  S3AccessKeyCreated,
  S3AccessKeyId,
  S3Bucket,
  S3BucketId,
  UpdateS3Bucket,
} from "./domain-resource.js"

/**
 * S3 object storage: buckets of tenants on the Ceph RGW of an s3 shard, and their access keys.
 * Every change answers 202 with the resource in `pending` (or `deleting`); the bucket's sync
 * makes it and its keys `active` or `failed`.
 */

const bucket = asyncChildResource({
  name: "S3 bucket",
  article: "an",
  scope: "s3-buckets",
  schema: S3Bucket,
  collection: "/tenants/:id/s3-buckets",
  parent: TenantId,
  path: "/s3-buckets/:id",
  id: S3BucketId,
})

const accessKey = asyncChildResource({
  name: "S3 access key",
  article: "an",
  scope: "s3-access-keys",
  schema: S3AccessKey,
  collection: "/s3-buckets/:id/access-keys",
  parent: S3BucketId,
  path: "/s3-access-keys/:id",
  id: S3AccessKeyId,
})

/** S3 buckets of tenants. */
export class S3BucketsGroup extends HttpApiGroup.make("s3Buckets")
  .annotate(ToolDomain, "storage")
  .add(bucket.list({ summary: "List the S3 buckets of a tenant", sort: ["name", "created_at"] }))
  .add(
    bucket.create({
      summary: "Create an S3 bucket for a tenant on an s3 shard of its brand's clusters (async, 202)",
      payload: CreateS3Bucket,
      invalidInput: true,
    }),
  )
  .add(bucket.get())
  .add(
    bucket.update({
      summary: "Change an S3 bucket's public read access or quota (async, 202)",
      payload: UpdateS3Bucket,
      async: true,
    }),
  )
  .add(
    bucket
      .delete(
        "Delete an S3 bucket and its access keys (async, 202); one that holds objects is a 409 unless force=true, which empties it first",
      )
      .setUrlParams(DeleteS3BucketQuery),
  )
  .add(bucket.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Access keys of S3 buckets: each reaches only its bucket. */
export class S3AccessKeysGroup extends HttpApiGroup.make("s3AccessKeys")
  .annotate(ToolDomain, "storage")
  .add(accessKey.list({ summary: "List the access keys of an S3 bucket (never their secrets)", sort: ["created_at"] }))
  .add(
    accessKey.create({
      summary: "Create an access key for an S3 bucket (async, 202); the answer holds its secret, shown only once",
      payload: CreateS3AccessKey,
      success: S3AccessKeyCreated,
    }),
  )
  .add(accessKey.get())
  .add(accessKey.delete("Delete an S3 access key: it stops working once its bucket's round ran (async, 202)"))
  .add(accessKey.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Buckets and their access keys, in the contract's order. */
export const s3Groups = [S3BucketsGroup, S3AccessKeysGroup] as const

export * from "./domain.js"
export * from "./domain-resource.js"
