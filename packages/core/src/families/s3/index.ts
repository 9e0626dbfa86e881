import { defineFamily } from "../family.js"
import { s3Migrations } from "./migrations.js"
import { S3Buckets } from "./service-buckets.js"
import { S3AccessKeys } from "./service-keys.js"

/**
 * S3 object storage: buckets of tenants and their access keys, with the bucket's serializer
 * (`s3-bucket:{id}:sync`) on the Ceph RGW of its s3 shard; a child family of tenants with a
 * serializer of its own (lifecycle/tenant-children.ts).
 */
export const s3Family = defineFamily({
  name: "s3",
  services: [S3Buckets.Default, S3AccessKeys.Default],
  migrations: s3Migrations,
})

export * from "./contract.js"
export * from "./service-buckets.js"
export * from "./service-keys.js"
export * from "./states.js"
export * from "./sync.js"
