/**
 * Node activities of the s3 role (types only: workflows import them, the agent implements them).
 * Inputs and outputs are plain JSON; specs are the encoded BucketSpec.
 */
import type { StatusCause } from "../../domain/lifecycle.js"
import type { BucketRef, BucketSpec, BucketUsage } from "./domain.js"

export type { BucketUsage } from "./domain.js"

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

/** What one round of a bucket's sync must do, read from the database. */
export interface S3BucketSnapshot {
  readonly bucketId: string
  readonly tenantId: string
  readonly ref: BucketRef
  /** The bucket's whole desired state (its live keys with their secrets); null when it is being deleted. */
  readonly spec: BucketSpec | null
  /** For a removal: empty a bucket that holds objects (a forced delete, or its tenant's). */
  readonly force: boolean
  /** Nodes of the bucket's s3 shard. */
  readonly nodeIds: ReadonlyArray<string>
  /** Row revisions read, so only rows nobody changed meanwhile become active. */
  readonly revisions: {
    readonly s3_buckets: ReadonlyArray<readonly [string, string]>
    readonly s3_access_keys: ReadonlyArray<readonly [string, string]>
  }
}

/** How a bucket's round ended. */
export interface S3BucketOutcome {
  /** Why it failed; empty when it succeeded. */
  readonly causes: ReadonlyArray<StatusCause>
  /** A removal without force found objects (nothing was removed). */
  readonly notEmpty: boolean
  /** Where its node serves it, when the round asked. */
  readonly endpoint: S3Endpoint | null
}

/** Which buckets of an s3 shard to measure, on which node. */
export interface S3UsageTarget {
  readonly shardId: string
  readonly nodeId: string
  readonly buckets: ReadonlyArray<BucketRef & { readonly id: string }>
}

/** S3 activities the control-plane worker serves. */
export interface S3ControlPlaneActivities {
  /** Reads one bucket's desired state and row revisions, marking pending rows provisioning; null if gone. */
  s3BucketSnapshot(input: { readonly bucketId: string }): Promise<S3BucketSnapshot | null>
  /** Records a bucket round: rows at their snapshot revision become active (or are deleted), or failed. */
  finishS3BucketSync(input: { readonly snapshot: S3BucketSnapshot; readonly outcome: S3BucketOutcome }): Promise<void>
  /** Every s3 shard with a node, its first node and its live buckets (for the usage schedule). */
  s3UsageTargets(): Promise<ReadonlyArray<S3UsageTarget>>
  /** Stores measured usage on the bucket rows. */
  recordS3Usage(input: {
    readonly usage: ReadonlyArray<{ readonly id: string; readonly bytes: number; readonly objects: number }>
  }): Promise<number>
  /** Every bucket of an s3 shard as its nodes must hold it, for the shard's converge. */
  s3ShardBuckets(input: { readonly shardId: string }): Promise<{
    /** The revision sequence when it was read: rows written later are its own syncs' to apply. */
    readonly revision: string
    readonly buckets: ReadonlyArray<BucketSpec>
  }>
  /** Asks the sync of every bucket of the shard written after `revision` (a converge read an older state). */
  resyncS3BucketsChangedSince(input: { readonly shardId: string; readonly revision: string }): Promise<number>
}

/** Workflow argument of SyncS3BucketWorkflow. */
export interface SyncS3BucketInput {
  readonly bucketId: string
  /** How long a round waits for the node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Workflow argument of S3BucketUsageWorkflow (the API's check before a delete without force). */
export interface S3BucketUsageInput {
  readonly nodeId: string
  readonly bucket: BucketRef
  readonly nodeTimeoutSeconds: number
}
