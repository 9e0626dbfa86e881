// S3 end to end: buckets and access keys through the API, applied by the real worker and an s3
// node's agent on the run's shared Ceph RGW, and used with @aws-sdk/client-s3 as a customer's
// application would: what a key reaches, read-only keys, public and private buckets, quotas,
// deleted keys, suspension, deletes with and without force, tenant deletion, usage, and the
// shard's converge (drift put back, the platform's orphans removed).
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3"
import { keyUid, s3BucketName } from "@hosting/core/node"
import type { S3AccessKeyCreated, S3Bucket } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bucketSpec, newKey, outcome, s3Client } from "../support/s3-node.js"
import { customerClient, eventually, type S3Stack, startS3Stack } from "../support/s3-stack.js"
import { fail } from "../support/tenancy-suite.js"

let s: S3Stack
const clients: Array<S3Client> = []

beforeAll(async () => {
  s = await startS3Stack("s3api")
}, 300_000)

afterAll(async () => {
  for (const c of clients) c.destroy()
  await s?.stop()
})

const newTenant = () => s.brand.tenants.create({ payload: { brand_id: s.brandId as never } })

/** A bucket, once its round made it active. */
const activeBucket = async (tenantId: string, payload: Record<string, unknown> = {}): Promise<S3Bucket> => {
  const created = await s.brand.s3Buckets.create({ path: { id: tenantId as never }, payload })
  expect(created.status).toBe("pending")
  let bucket = created
  await eventually(`bucket ${created.id} active`, async () => {
    bucket = await s.brand.s3Buckets.get({ path: { id: created.id } })
    return bucket.status === "active"
  })
  return bucket
}

/** A key with its secret, once its bucket's round made it active. */
const activeKey = async (bucketId: string, access: "read_write" | "read_only" = "read_write") => {
  const key = await s.brand.s3AccessKeys.create({ path: { id: bucketId as never }, payload: { access } })
  await eventually(
    `key ${key.id} active`,
    async () => (await s.brand.s3AccessKeys.get({ path: { id: key.id } })).status === "active",
  )
  return key
}

const client = (bucket: S3Bucket, key: S3AccessKeyCreated) => {
  const c = customerClient(bucket, key)
  clients.push(c)
  return c
}
const put = (c: S3Client, bucket: S3Bucket, key: string, body: string | Uint8Array) =>
  c.send(new PutObjectCommand({ Bucket: bucket.bucket_name, Key: key, Body: body }))
const get = async (c: S3Client, bucket: S3Bucket, key: string) =>
  (await c.send(new GetObjectCommand({ Bucket: bucket.bucket_name, Key: key }))).Body!.transformToString()
const anonymous = async (bucket: S3Bucket, key: string) => {
  const res = await fetch(`${bucket.endpoint_url}/${bucket.bucket_name}/${key}`, {
    signal: AbortSignal.timeout(10_000),
  })
  return { status: res.status, body: await res.text() }
}
/** What RGW holds of a bucket (undefined: it does not exist there). */
const inRgw = async (tenant: string, bucket: S3Bucket) => (await s.s3.node.usage([{ tenant, name: bucket.name }]))[0]

describe("S3 buckets and keys through the API, on a real Ceph RGW", () => {
  let tenant: Awaited<ReturnType<typeof newTenant>>
  let bucket: S3Bucket
  let rw: S3AccessKeyCreated

  it("places a bucket on the brand's s3 shard and answers where and how to reach it", async () => {
    tenant = await newTenant()
    bucket = await activeBucket(tenant.id)
    expect(bucket.shard_id).toBe(s.s3ShardId)
    expect(bucket.name).toMatch(/^s3_[a-z0-9]{10}$/)
    expect(bucket.bucket_name).toBe(`${tenant.name.replace("_", "-")}--${bucket.name.replace("_", "-")}`)
    expect(bucket.endpoint_url).toBe(s.s3.node.describe().endpoint)
    expect(bucket.region).toBe("us-east-1")
    expect(bucket.public_read).toBe(false)
    expect([bucket.max_size_bytes, bucket.max_objects, bucket.usage_bytes]).toEqual([null, null, null])
  })

  it("a key puts, lists, gets and deletes in its bucket; its secret is shown once and never stored elsewhere", async () => {
    rw = await activeKey(bucket.id)
    expect(rw.access_key_id).toMatch(/^[A-Z0-9]{20}$/)
    expect(rw.secret_access_key).toMatch(/^[A-Za-z0-9+/]{40}$/)
    const read = await s.brand.s3AccessKeys.get({ path: { id: rw.id } })
    const listed = await s.brand.s3AccessKeys.list({ path: { id: bucket.id as never }, urlParams: {} })
    expect(Object.keys(read)).not.toContain("secret_access_key")
    expect(listed.items.map((k) => [k.id, Object.keys(k).includes("secret_access_key")])).toEqual([[rw.id, false]])
    const audit = await s.sql.query(`SELECT count(*)::int AS n FROM audit_logs a WHERE a::text LIKE $1`, [
      `%${rw.secret_access_key}%`,
    ])
    expect(audit.rows[0].n).toBe(0)
    const recorded = await s.sql.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = $1 AND resource_id = $2`,
      ["s3AccessKeys.create", rw.id],
    )
    expect(recorded.rows[0].n).toBe(1)
    for (const f of readdirSync(s.stack.logDir))
      expect(readFileSync(join(s.stack.logDir, f), "utf8")).not.toContain(rw.secret_access_key)

    const c = client(bucket, rw)
    await put(c, bucket, "hello.txt", "hello")
    const list = await c.send(new ListObjectsV2Command({ Bucket: bucket.bucket_name }))
    expect(list.Contents?.map((o) => o.Key)).toEqual(["hello.txt"])
    expect(await get(c, bucket, "hello.txt")).toBe("hello")
    await c.send(new DeleteObjectCommand({ Bucket: bucket.bucket_name, Key: "hello.txt" }))
    expect(await outcome(get(c, bucket, "hello.txt"))).toBe("NoSuchKey 404")
  })

  it("a key is refused on another bucket of the same tenant and on another tenant's bucket", async () => {
    const sibling = await activeBucket(tenant.id)
    const other = await activeBucket((await newTenant()).id)
    const c = client(bucket, rw)
    expect(await outcome(put(c, sibling, "x", "x"))).toBe("AccessDenied 403")
    expect(await outcome(put(c, other, "x", "x"))).toBe("AccessDenied 403")
    expect(await outcome(c.send(new ListObjectsV2Command({ Bucket: other.bucket_name })))).toBe("AccessDenied 403")
  })

  it("a read-only key reads but cannot write", async () => {
    const ro = await activeKey(bucket.id, "read_only")
    await put(client(bucket, rw), bucket, "r.txt", "readable")
    const c = client(bucket, ro)
    expect(await get(c, bucket, "r.txt")).toBe("readable")
    expect(await outcome(put(c, bucket, "w.txt", "no"))).toBe("AccessDenied 403")
    expect(await outcome(c.send(new DeleteObjectCommand({ Bucket: bucket.bucket_name, Key: "r.txt" })))).toBe(
      "AccessDenied 403",
    )
  })

  it("a public bucket's objects are readable anonymously over plain HTTP, a private one's are not", async () => {
    expect(await anonymous(bucket, "r.txt")).toMatchObject({ status: 403 })
    const updated = await s.brand.s3Buckets.update({ path: { id: bucket.id }, payload: { public_read: true } })
    expect([updated.status, updated.public_read]).toEqual(["pending", true])
    await eventually(
      "public bucket active",
      async () => (await s.brand.s3Buckets.get({ path: { id: bucket.id } })).status === "active",
    )
    expect(await anonymous(bucket, "r.txt")).toEqual({ status: 200, body: "readable" })
    await s.brand.s3Buckets.update({ path: { id: bucket.id }, payload: { public_read: false } })
    await eventually("private again", async () => (await anonymous(bucket, "r.txt")).status === 403)
  })

  it("writes past the object or size quota answer QuotaExceeded", async () => {
    const limited = await activeBucket(tenant.id, { max_objects: 2 })
    expect(limited.max_objects).toBe(2)
    const c = client(limited, await activeKey(limited.id))
    await put(c, limited, "1", "a")
    await put(c, limited, "2", "b")
    expect(await outcome(put(c, limited, "3", "c"))).toBe("QuotaExceeded 403")
    const small = await activeBucket(tenant.id, { max_size_bytes: 64 * 1024 })
    const c2 = client(small, await activeKey(small.id))
    await put(c2, small, "fits", new Uint8Array(40 * 1024))
    expect(await outcome(put(c2, small, "over", new Uint8Array(30 * 1024)))).toBe("QuotaExceeded 403")
  })

  it("a deleted key stops working as soon as its delete is done", async () => {
    const doomed = await activeKey(bucket.id)
    const c = client(bucket, doomed)
    await put(c, bucket, "d.txt", "d")
    expect((await s.brand.s3AccessKeys.delete({ path: { id: doomed.id } })).status).toBe("deleting")
    await eventually(
      "key removed",
      async () => (await fail(s.brand.s3AccessKeys.get({ path: { id: doomed.id } }))) !== undefined,
    )
    expect(await outcome(put(c, bucket, "d2.txt", "d"))).toBe("InvalidAccessKeyId 403")
  })

  it("suspending the tenant refuses its keys (403); resuming restores them", async () => {
    const c = client(bucket, rw)
    await s.brand.tenants.suspend({ path: { id: tenant.id } })
    await eventually("keys refused", async () => (await outcome(get(c, bucket, "r.txt"))) === "UserSuspended 403")
    await s.brand.tenants.unsuspend({ path: { id: tenant.id } })
    await eventually("keys restored", async () => (await outcome(get(c, bucket, "r.txt"))) === "ok")
  })

  it("usage is collected by the schedule and shown on the bucket", async () => {
    const measured = await activeBucket(tenant.id)
    const c = client(measured, await activeKey(measured.id))
    await put(c, measured, "a", new Uint8Array(1000))
    await put(c, measured, "b", new Uint8Array(2500))
    await s.temporal.schedule.getHandle("collect-s3-usage").trigger()
    await eventually("usage recorded", async () => {
      const b = await s.brand.s3Buckets.get({ path: { id: measured.id } })
      return b.usage_objects === 2 && b.usage_bytes === 3500 && b.usage_measured_at !== null
    })
  })

  it("a bucket that holds objects is a 409 without force and stays as it was; force empties and removes it", async () => {
    const full = await activeBucket(tenant.id)
    const c = client(full, await activeKey(full.id))
    await put(c, full, "keep.txt", "kept")
    const refused = (await fail(s.brand.s3Buckets.delete({ path: { id: full.id }, urlParams: {} }))) as {
      _tag: string
      message: string
      details?: unknown
    }
    expect([refused._tag, refused.message]).toEqual([
      "Conflict",
      "the bucket holds 1 objects (4 bytes): empty it, or delete it with ?force=true",
    ])
    expect((await s.brand.s3Buckets.get({ path: { id: full.id } })).status).toBe("active")
    expect(await get(c, full, "keep.txt")).toBe("kept")
    const deleting = await s.brand.s3Buckets.delete({ path: { id: full.id }, urlParams: { force: "true" } })
    expect(deleting.status).toBe("deleting")
    await eventually(
      "bucket removed",
      async () => (await fail(s.brand.s3Buckets.get({ path: { id: full.id } }))) !== undefined,
    )
    expect(await inRgw(tenant.name, full)).toBeUndefined()
    const keys = await s.sql.query(`SELECT count(*)::int AS n FROM s3_access_keys WHERE bucket_id = $1`, [full.id])
    expect(keys.rows[0].n).toBe(0)
  })

  it("deleting the tenant removes its buckets (full ones too) and keys from RGW, then the tenant", async () => {
    const buckets = (await s.brand.s3Buckets.list({ path: { id: tenant.id }, urlParams: {} })).items
    expect(buckets.length).toBeGreaterThan(2)
    await put(client(bucket, rw), bucket, "left.txt", "left")
    await s.brand.tenants.delete({ path: { id: tenant.id } })
    await eventually(
      "tenant removed",
      async () => (await fail(s.brand.tenants.get({ path: { id: tenant.id } }))) !== undefined,
      120_000,
    )
    for (const b of buckets) expect(await inRgw(tenant.name, b)).toBeUndefined()
    const rows = await s.sql.query(`SELECT count(*)::int AS n FROM s3_buckets WHERE tenant_id = $1`, [tenant.id])
    expect(rows.rows[0].n).toBe(0)
    expect(await outcome(get(client(bucket, rw), bucket, "left.txt"))).toBe("InvalidAccessKeyId 403")
  })
})

describe("converging the s3 shard", () => {
  it("a plan reports drift and the platform's orphans; the converge puts back the one and removes the others", async () => {
    const tenant = await newTenant()
    const kept = await activeBucket(tenant.id, { max_objects: 5 })
    const key = await activeKey(kept.id)
    const c = client(kept, key)
    await put(c, kept, "kept.txt", "kept")
    // drift by hand on the node: the bucket loses its key, policy and quota; an orphan the
    // database never heard of holds an object
    await s.s3.node.ensureBucket(bucketSpec(tenant.name, { name: kept.name }))
    expect(await outcome(get(c, kept, "kept.txt"))).toBe("InvalidAccessKeyId 403")
    const orphanKey = newKey()
    const orphan = bucketSpec(tenant.name, { keys: [orphanKey] })
    await s.s3.node.ensureBucket(orphan)
    const oc = s3Client(s.s3.node, orphanKey)
    clients.push(oc)
    const orphanName = s3BucketName(tenant.name, orphan.name)
    await oc.send(new PutObjectCommand({ Bucket: orphanName, Key: "o", Body: "orphaned" }))
    const readOrphan = async () =>
      (await oc.send(new GetObjectCommand({ Bucket: orphanName, Key: "o" }))).Body!.transformToString()

    const [nodeId] = (await s.admin.shards.get({ path: { id: s.s3ShardId as never } })).node_ids
    const converge = (plan: boolean) =>
      s.admin.shards.converge({ path: { id: s.s3ShardId as never }, payload: plan ? { plan } : {} })
    // the run's one Ceph is shared: platform buckets an earlier suite left are orphans here too,
    // so this tenant's changes are checked exactly and every other change must be a platform item
    const ofTenant = (plan: ReadonlyArray<{ readonly target: string }>) =>
      plan.filter((x) => x.target.includes(tenant.name.slice(2)))
    const planned = (await converge(true)).plan!
    expect(ofTenant(planned)).toEqual([
      { node_id: nodeId, action: "create", kind: "s3_key", target: keyUid(tenant.name, kept.name, key.access_key_id) },
      { node_id: nodeId, action: "create", kind: "s3_policy", target: kept.bucket_name },
      { node_id: nodeId, action: "update", kind: "s3_quota", target: kept.bucket_name },
      {
        node_id: nodeId,
        action: "delete",
        kind: "s3_key",
        target: keyUid(tenant.name, orphan.name, orphanKey.access_key_id),
      },
      { node_id: nodeId, action: "delete", kind: "s3_bucket", target: orphanName },
    ])
    for (const x of planned)
      expect(x.target, "only the platform's users and buckets").toMatch(/^(hp-t_[a-z0-9]{10}(-|$)|t-[a-z0-9]{10}--s3-)/)
    // a plan changes nothing
    expect(await outcome(get(c, kept, "kept.txt"))).toBe("InvalidAccessKeyId 403")
    expect(await readOrphan()).toBe("orphaned")

    expect((await converge(false)).shard.status).toBe("provisioning")
    await eventually(
      "the converge done",
      async () => (await s.admin.shards.get({ path: { id: s.s3ShardId as never } })).status === "active",
    )
    expect(await get(c, kept, "kept.txt")).toBe("kept")
    expect(await s.s3.node.usage([orphan])).toEqual([])
    expect(await outcome(readOrphan())).toBe("InvalidAccessKeyId 403")
    expect(ofTenant((await converge(true)).plan!)).toEqual([])
    // the quota is back: five objects, no sixth
    for (const k of ["2", "3", "4", "5"]) await put(c, kept, k, k)
    expect(await outcome(put(c, kept, "6", "6"))).toBe("QuotaExceeded 403")
  })
})
