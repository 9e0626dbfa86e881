import { type BucketSpec, s3BucketName } from "./domain.js"

// What RGW must hold for a bucket spec, as data: the users (uids), the bucket policy and the
// quota. Pure; the RgwManager compares it with what RGW holds.

/**
 * Prefix of every RGW user the platform owns; a converge removes only users with it. (`$` and `:`
 * never appear: RGW reads them as tenant and subuser separators.)
 */
export const RGW_USER_PREFIX = "hp-"

/** The RGW user that owns a tenant's buckets; only the agent uses its keys. */
export const ownerUid = (tenant: string): string => `${RGW_USER_PREFIX}${tenant}`

/** Every key user of one bucket starts with this. */
export const keyUidPrefix = (tenant: string, bucket: string): string => `${RGW_USER_PREFIX}${tenant}-${bucket}-`

/** The RGW user that holds one access key: it owns nothing and may create no bucket. */
export const keyUid = (tenant: string, bucket: string, accessKeyId: string): string =>
  `${keyUidPrefix(tenant, bucket)}${accessKeyId}`

const OWNER_UID = /^hp-(t_[a-z0-9]{10})$/
const KEY_UID = /^hp-(t_[a-z0-9]{10})-(s3_[a-z0-9]{10})-([A-Z0-9]{20})$/

/** What a platform uid is: a tenant's owner, a bucket's key, or (undefined) not the platform's. */
export const parseUid = (
  uid: string,
):
  | { readonly kind: "owner"; readonly tenant: string }
  | { readonly kind: "key"; readonly tenant: string; readonly bucket: string; readonly accessKeyId: string }
  | undefined => {
  const o = OWNER_UID.exec(uid)
  if (o !== null) return { kind: "owner", tenant: o[1]! }
  const k = KEY_UID.exec(uid)
  if (k !== null) return { kind: "key", tenant: k[1]!, bucket: k[2]!, accessKeyId: k[3]! }
  return undefined
}

/**
 * `max_buckets` of a key user: negative forbids CreateBucket (RGW), so a customer's key can never
 * make a bucket outside the platform's quotas and policies.
 */
export const KEY_USER_MAX_BUCKETS = -1
/** `max_buckets` of an owner user: 0 is unlimited (only the agent creates its buckets). */
export const OWNER_MAX_BUCKETS = 0

const OBJECT_READ = ["s3:GetObject", "s3:GetObjectVersion"]
const OBJECT_WRITE = [
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
]
const BUCKET_READ = ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation"]
const BUCKET_WRITE = ["s3:ListBucketMultipartUploads"]

/**
 * The bucket policy a spec needs, as the exact JSON text RGW stores, or undefined for none. A
 * key reaches its bucket only through this policy: its user owns nothing, so RGW's default is
 * AccessDenied everywhere else. Read-only keys get only reading actions. `public_read` lets
 * anyone GET objects (not list) — not while the tenant is suspended.
 */
export const renderBucketPolicy = (spec: BucketSpec): string | undefined => {
  const bucket = s3BucketName(spec.tenant, spec.name)
  const arn = `arn:aws:s3:::${bucket}`
  const principals = (access: "read_write" | "read_only") =>
    spec.keys
      .filter((k) => k.access === access)
      .map((k) => `arn:aws:iam:::user/${keyUid(spec.tenant, spec.name, k.access_key_id)}`)
      .sort()
  const statements: Array<Record<string, unknown>> = []
  const grant = (
    sid: string,
    aws: ReadonlyArray<string>,
    objectActions: Array<string>,
    bucketActions: Array<string>,
  ) => {
    if (aws.length === 0) return
    statements.push(
      {
        Sid: `${sid}-objects`,
        Effect: "Allow",
        Principal: { AWS: aws },
        Action: objectActions,
        Resource: [`${arn}/*`],
      },
      { Sid: `${sid}-bucket`, Effect: "Allow", Principal: { AWS: aws }, Action: bucketActions, Resource: [arn] },
    )
  }
  grant("read-write", principals("read_write"), [...OBJECT_READ, ...OBJECT_WRITE], [...BUCKET_READ, ...BUCKET_WRITE])
  grant("read-only", principals("read_only"), OBJECT_READ, BUCKET_READ)
  if (spec.public_read && !spec.suspended)
    statements.push({
      Sid: "public-read",
      Effect: "Allow",
      Principal: "*",
      Action: ["s3:GetObject"],
      Resource: [`${arn}/*`],
    })
  return statements.length === 0 ? undefined : JSON.stringify({ Version: "2012-10-17", Statement: statements })
}

/** A bucket quota as RGW holds it: -1 is unlimited. */
export interface RgwQuota {
  readonly enabled: boolean
  readonly max_size: number
  readonly max_objects: number
}

/** RGW keeps a size quota in whole KiB (rounded up); the spec's bytes are compared that way. */
const roundedKiB = (bytes: number) => Math.ceil(bytes / 1024) * 1024

/** The quota a spec needs. */
export const planQuota = (spec: BucketSpec): RgwQuota => {
  const size = spec.quota.max_size_bytes
  const objects = spec.quota.max_objects
  return {
    enabled: size !== undefined || objects !== undefined,
    max_size: size === undefined ? -1 : roundedKiB(size),
    max_objects: objects ?? -1,
  }
}

/** Whether RGW's quota already is the planned one (a disabled quota's numbers do not matter). */
export const sameQuota = (current: RgwQuota, planned: RgwQuota): boolean =>
  current.enabled === planned.enabled &&
  (!planned.enabled ||
    ((current.max_size < 0 ? -1 : current.max_size) === planned.max_size &&
      (current.max_objects < 0 ? -1 : current.max_objects) === planned.max_objects))

/** Policies compared as data: RGW returns the text it was given, but a hand edit may reformat it. */
export const samePolicy = (current: string | undefined, planned: string | undefined): boolean => {
  if (current === undefined || planned === undefined) return current === planned
  try {
    return JSON.stringify(JSON.parse(current)) === planned
  } catch {
    return false
  }
}
