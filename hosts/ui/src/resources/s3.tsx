// S3 object storage as configuration: a tenant's buckets and their access keys.
import { CreateS3AccessKey } from "@hosting/sdk"
import { fromGroup } from "./calls"
import { literalsOf } from "./schema-options"
import type { Column, Field, ResourceConfig } from "./types"

const created: Column = { key: "created_at", label: "Created" }
const status: Column = { key: "status", label: "Status" }

const bucketFields: ReadonlyArray<Field> = [
  {
    name: "public_read",
    label: "Public read",
    kind: "select",
    options: ["no", "yes"],
    help: "yes: anyone may GET its objects without a signature",
  },
  { name: "max_size_bytes", label: "Max size (bytes)", kind: "number", nullable: true, help: "empty: no limit" },
  { name: "max_objects", label: "Max objects", kind: "number", nullable: true, help: "empty: no limit" },
]

// the select sends yes/no; the API takes a boolean (left out when not chosen)
const bucketPayload = (values: Record<string, unknown>) => {
  const { public_read, ...rest } = values
  return public_read === undefined || public_read === "" ? rest : { ...rest, public_read: public_read === "yes" }
}

/** S3 buckets of a tenant: the answer says where S3 clients reach it and what it holds. */
export const s3Buckets: ResourceConfig = {
  key: "s3-buckets",
  label: "S3 buckets",
  singular: "S3 bucket",
  parent: "tenants",
  columns: [
    { key: "bucket_name", label: "Bucket" },
    { key: "endpoint_url", label: "Endpoint" },
    { key: "public_read", label: "Public" },
    { key: "usage_bytes", label: "Bytes" },
    { key: "usage_objects", label: "Objects" },
    status,
    created,
  ],
  titleOf: (r) => String(r["bucket_name"]),
  hasDetail: true,
  fields: bucketFields,
  editFields: bucketFields,
  formValues: (r) => ({ ...r, public_read: r["public_read"] === true ? "yes" : "no" }),
  tabs: [{ label: "Access keys", resource: "s3-access-keys" }],
  ...fromGroup("s3Buckets", { payload: bucketPayload }),
}

/** Access keys of a bucket; the secret is shown once, when the key is made. */
export const s3AccessKeys: ResourceConfig = {
  key: "s3-access-keys",
  label: "S3 access keys",
  singular: "S3 access key",
  parent: "s3-buckets",
  columns: [{ key: "access_key_id", label: "Access key id" }, { key: "access", label: "Access" }, status, created],
  titleOf: (r) => String(r["access_key_id"]),
  hasDetail: true,
  fields: [{ name: "access", label: "Access", kind: "select", options: literalsOf(CreateS3AccessKey, "access") }],
  secretField: "secret_access_key",
  ...fromGroup("s3AccessKeys"),
}
