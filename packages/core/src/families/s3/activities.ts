/**
 * Node activities of the s3 role (types only: workflows import them, the agent implements them).
 * Inputs and outputs are plain JSON; specs are the encoded BucketSpec.
 */
import type { BucketRef, BucketSpec, BucketUsage } from "./domain.js"

/** What an s3 node changed (or would change). */
export interface S3ChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    /** `s3_owner`, `s3_bucket`, `s3_key`, `s3_key_suspension`, `s3_policy`, `s3_quota`. */
    readonly kind: string
    /** The RGW user or S3 bucket name concerned. */
    readonly target: string
  }>
  /** Per-bucket failures of a converge; the rest of the node was still converged. */
  readonly errors: ReadonlyArray<{ readonly tenant: string; readonly name: string; readonly message: string }>
}

/** Where customers reach an s3 node's buckets (path-style: `{endpoint}/{s3_name}/{key}`). */
export interface S3Endpoint {
  readonly endpoint: string
  /** The region S3 clients sign with. */
  readonly region: string
}

/** Activities an s3 node serves on its `node-{uuid}` task queue. */
export interface S3NodeActivities {
  /** Makes one bucket exactly its spec: bucket, owner, key users, policy, quota (idempotent). */
  ensureBucket(input: { readonly spec: BucketSpec }): Promise<S3ChangeReport>
  /**
   * Removes a bucket and its keys (idempotent). A bucket that still holds objects is refused
   * without `force` (non-retryable failure of type `BucketNotEmpty`); with it, emptied first.
   */
  removeBucket(input: {
    readonly tenant: string
    readonly name: string
    readonly force: boolean
  }): Promise<S3ChangeReport>
  /**
   * Makes this node's platform buckets exactly these; removes only what the platform owns (its
   * `t-…--s3-…` buckets and `hp-` users) that nobody wants, never another bucket or user; with
   * `plan`, only reports.
   */
  convergeS3(input: { readonly buckets: ReadonlyArray<BucketSpec>; readonly plan: boolean }): Promise<S3ChangeReport>
  /** Bytes and objects of each bucket that exists here (missing ones are left out). */
  bucketUsage(input: { readonly buckets: ReadonlyArray<BucketRef> }): Promise<ReadonlyArray<BucketUsage>>
  /** The endpoint and region customers use. */
  describeS3(): Promise<S3Endpoint>
}
