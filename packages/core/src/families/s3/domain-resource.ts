import { Schema } from "effect"
import { ShardId, TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { strict } from "../../domain/validation.js"
import { AccessKeyId, BucketName, KeyAccess, SecretAccessKey } from "./domain.js"

/**
 * S3 buckets and their access keys as the API answers them (the spec a node receives is in
 * domain.ts). A bucket has a serializer of its own (`s3-bucket:{id}:sync`) on the nodes of its s3
 * shard; its keys ride it.
 */

/** UUID of an S3 bucket. */
export const S3BucketId = uuidId("S3BucketId", "an S3 bucket")
/** Branded S3 bucket id. */
export type S3BucketId = typeof S3BucketId.Type

/** UUID of an S3 access key (the platform's id; the key's own `access_key_id` is AWS-shaped). */
export const S3AccessKeyId = uuidId("S3AccessKeyId", "an S3 access key")
/** Branded S3 access key id. */
export type S3AccessKeyId = typeof S3AccessKeyId.Type

/** RGW keeps sizes and counts as signed 64-bit; a JSON number is exact up to 2^53. */
const Limit = Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER))

/** A quota setting: a positive integer, or null for none. */
const QuotaSetting = (description: string) => Schema.NullOr(Limit).annotations({ description })

const MaxSize = QuotaSetting(
  "the most bytes the bucket may hold (RGW counts whole KiB, rounded up); writes past it answer 403 QuotaExceeded; null: no limit",
)
const MaxObjects = QuotaSetting(
  "the most objects the bucket may hold; writes past it answer 403 QuotaExceeded; null: no limit",
)

/** An S3 bucket of a tenant, on the Ceph RGW of an s3 shard. */
export class S3Bucket extends Schema.Class<S3Bucket>("S3Bucket")({
  id: S3BucketId,
  tenant_id: TenantId,
  shard_id: ShardId,
  name: BucketName,
  bucket_name: Schema.String.annotations({
    description:
      "the bucket's name in S3 requests (`{tenant}--{name}` with `-` for `_`), path-style under endpoint_url",
  }),
  endpoint_url: Schema.NullOr(Schema.String).annotations({
    description: "where S3 clients reach it (path-style), as its node reports it; null until its first round",
  }),
  region: Schema.NullOr(Schema.String).annotations({
    description: "the region S3 clients sign with, as its node reports it; null until its first round",
  }),
  public_read: Schema.Boolean.annotations({
    description: "anyone may GET its objects over plain HTTP without a signature (not while the tenant is suspended)",
  }),
  max_size_bytes: MaxSize,
  max_objects: MaxObjects,
  usage_bytes: Schema.NullOr(Schema.Number).annotations({
    description: "the sum of its objects' sizes at usage_measured_at; null until measured",
  }),
  usage_objects: Schema.NullOr(Schema.Number).annotations({
    description: "its number of objects at usage_measured_at; null until measured",
  }),
  usage_measured_at: Schema.NullOr(Schema.String).annotations({
    description: "when usage was last collected (the collect-s3-usage schedule)",
  }),
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /tenants/{id}/s3-buckets (the name is generated: `s3_` and 10 of [a-z0-9]). */
export const CreateS3Bucket = strict(
  Schema.Struct({
    public_read: Schema.optional(Schema.Boolean),
    max_size_bytes: Schema.optional(MaxSize),
    max_objects: Schema.optional(MaxObjects),
    shard_id: Schema.optional(ShardId).annotations({
      description: "place on this s3 shard (platform admins); default: the s3 shard with the fewest buckets",
    }),
  }),
)

/** Body of PUT /s3-buckets/{id}: only what is given changes. */
export const UpdateS3Bucket = strict(
  Schema.Struct({
    public_read: Schema.optional(Schema.Boolean),
    max_size_bytes: Schema.optional(MaxSize),
    max_objects: Schema.optional(MaxObjects),
  }),
)

/** Query of DELETE /s3-buckets/{id}. */
export const DeleteS3BucketQuery = Schema.Struct({
  force: Schema.optional(Schema.Literal("true", "false")).annotations({
    description: "true: empty a bucket that holds objects, then remove it; otherwise such a bucket is a 409",
  }),
})

/** An access key of a bucket: it reaches only that bucket, read-write or read-only. Never its secret. */
export class S3AccessKey extends Schema.Class<S3AccessKey>("S3AccessKey")({
  id: S3AccessKeyId,
  bucket_id: S3BucketId,
  access_key_id: AccessKeyId.annotations({ description: "the key id S3 clients send (20 of [A-Z0-9])" }),
  access: KeyAccess,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** A new access key with its secret: answered once, by the create, and never again. */
export class S3AccessKeyCreated extends Schema.Class<S3AccessKeyCreated>("S3AccessKeyCreated")({
  ...S3AccessKey.fields,
  secret_access_key: SecretAccessKey.annotations({
    description: "the secret (40 characters), shown only in this answer: store it now",
  }),
}) {}

/** Body of POST /s3-buckets/{id}/access-keys. */
export const CreateS3AccessKey = strict(
  Schema.Struct({ access: Schema.optional(KeyAccess).annotations({ description: "read_write by default" }) }),
)
