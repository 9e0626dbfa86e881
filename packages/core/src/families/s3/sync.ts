import { s3BucketSerializer } from "../../lifecycle/serializers.js"
import type { TenantChildFamily } from "../../lifecycle/tenant-children.js"

/**
 * A tenant's buckets are removed before the tenant row goes (lifecycle/tenant-children.ts), each
 * by its own serializer (`s3-bucket:{id}:sync`), emptied first: a tenant's delete removes its data.
 */
export const s3BucketsOfTenants: TenantChildFamily = {
  noun: "S3 buckets",
  table: "s3_buckets",
  revisionSequence: "s3_revision_seq",
  onTenantDelete: "force_delete = true",
  serializer: s3BucketSerializer,
}
