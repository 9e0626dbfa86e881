// The node side of S3 against a real Ceph RGW, as a customer's application uses it
// (@aws-sdk/client-s3, path style, the endpoint and region describeS3 reports): what a key
// reaches, read-only keys, public and private buckets, removed keys, suspension. The cluster is
// the run's shared one (test/support/s3-node.ts).
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3"
import { s3BucketName } from "@hosting/core/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  anonymousGet,
  bucketSpec,
  newKey,
  newTenant,
  outcome,
  type SharedS3Node,
  s3Client,
  sharedS3Node,
} from "../support/s3-node.js"

let s3: SharedS3Node
const clients: Array<S3Client> = []
const client = (key: Parameters<typeof s3Client>[1]) => {
  const c = s3Client(s3.node, key)
  clients.push(c)
  return c
}
const put = (c: S3Client, bucket: string, key: string, body: string) =>
  c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
const get = async (c: S3Client, bucket: string, key: string) =>
  (await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()

const tenantA = newTenant()
const tenantB = newTenant()
const rw = newKey("read_write")
const ro = newKey("read_only")
const otherRw = newKey("read_write")
const bKey = newKey("read_write")
const a1 = bucketSpec(tenantA, { keys: [rw, ro] })
const a2 = bucketSpec(tenantA, { keys: [otherRw], public_read: true })
const b1 = bucketSpec(tenantB, { keys: [bKey] })
const name = (s: { tenant: string; name: string }) => s3BucketName(s.tenant, s.name)

beforeAll(async () => {
  s3 = await sharedS3Node()
  for (const spec of [a1, a2, b1]) await s3.node.ensureBucket(spec)
}, 180_000)

afterAll(async () => {
  for (const c of clients) c.destroy()
  for (const spec of [a1, a2, b1]) await s3?.node.removeBucket(spec, true)
  await s3?.node.close()
})

describe("an S3 node, as customers' applications use it", () => {
  it("reports where it is, and ensuring the same spec again changes nothing", async () => {
    expect(s3.node.describe()).toEqual({
      endpoint: `http://127.0.0.1:${s3.env["HOSTING_S3_PORT"]}`,
      region: "us-east-1",
    })
    expect(await s3.node.ensureBucket(a1)).toEqual({ changes: [], errors: [] })
    expect(await s3.node.ensureBucket(a1, true)).toEqual({ changes: [], errors: [] })
  })

  it("a key puts, lists, gets and deletes objects in its bucket", async () => {
    const c = client(rw)
    await put(c, name(a1), "docs/hello.txt", "hello, bucket")
    const listed = await c.send(new ListObjectsV2Command({ Bucket: name(a1) }))
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([["docs/hello.txt", 13]])
    expect(await get(c, name(a1), "docs/hello.txt")).toBe("hello, bucket")
    await c.send(new DeleteObjectCommand({ Bucket: name(a1), Key: "docs/hello.txt" }))
    expect(await outcome(get(c, name(a1), "docs/hello.txt"))).toBe("NoSuchKey 404")
  })

  it("a key is refused on another tenant's bucket and on another bucket of its own tenant", async () => {
    await put(client(bKey), name(b1), "secret.txt", "tenant B's")
    await put(client(otherRw), name(a2), "mine.txt", "a2's")
    const c = client(rw)
    for (const bucket of [name(b1), name(a2)]) {
      expect(await outcome(put(c, bucket, "intruder.txt", "x"))).toBe("AccessDenied 403")
      expect(await outcome(c.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe("AccessDenied 403")
      expect(await outcome(c.send(new DeleteObjectCommand({ Bucket: bucket, Key: "secret.txt" })))).toBe(
        "AccessDenied 403",
      )
    }
    expect(await outcome(get(c, name(b1), "secret.txt"))).toBe("AccessDenied 403")
    // (a2 is public: GetObject of it is anyone's, which the next tests cover)
    expect(await get(client(bKey), name(b1), "secret.txt")).toBe("tenant B's")
    // and a key cannot make a bucket of its own outside the platform's policies and quotas
    expect(await outcome(c.send(new CreateBucketCommand({ Bucket: `${name(a1)}x` })))).toBe("AccessDenied 403")
  })

  it("a read-only key reads and lists but cannot write or delete", async () => {
    await put(client(rw), name(a1), "report.csv", "a,b\n1,2\n")
    const c = client(ro)
    expect(await get(c, name(a1), "report.csv")).toBe("a,b\n1,2\n")
    const listed = await c.send(new ListObjectsV2Command({ Bucket: name(a1) }))
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["report.csv"])
    expect(await outcome(put(c, name(a1), "report.csv", "overwritten"))).toBe("AccessDenied 403")
    expect(await outcome(c.send(new DeleteObjectCommand({ Bucket: name(a1), Key: "report.csv" })))).toBe(
      "AccessDenied 403",
    )
    expect(await get(c, name(a1), "report.csv")).toBe("a,b\n1,2\n")
  })

  it("a public bucket's objects are readable over plain HTTP without a signature; a private one's are not", async () => {
    await put(client(otherRw), name(a2), "index.html", "<h1>public</h1>")
    expect(await anonymousGet(s3.node, name(a2), "index.html")).toEqual({ status: 200, body: "<h1>public</h1>" })
    // public means reading objects, not listing the bucket
    expect((await anonymousGet(s3.node, name(a2), "")).status).toBe(403)
    const denied = await anonymousGet(s3.node, name(a1), "report.csv")
    expect(denied.status).toBe(403)
    expect(denied.body).toContain("<Code>AccessDenied</Code>")
    // turning it off takes effect at once
    await s3.node.ensureBucket({ ...a2, public_read: false })
    expect((await anonymousGet(s3.node, name(a2), "index.html")).status).toBe(403)
    await s3.node.ensureBucket(a2)
    expect((await anonymousGet(s3.node, name(a2), "index.html")).status).toBe(200)
  })

  it("a removed key stops working at once; the bucket's other keys keep working", async () => {
    const extra = newKey("read_write")
    const spec = { ...a1, keys: [rw, ro, extra] }
    expect((await s3.node.ensureBucket(spec)).changes.map((c) => [c.action, c.kind])).toEqual([
      ["create", "s3_key"],
      ["update", "s3_policy"],
    ])
    const c = client(extra)
    await put(c, name(a1), "by-extra.txt", "x")
    const removed = await s3.node.ensureBucket(a1)
    expect(removed.changes.map((ch) => [ch.action, ch.kind, ch.target])).toEqual([
      ["delete", "s3_key", `hp-${a1.tenant}-${a1.name}-${extra.access_key_id}`],
      ["update", "s3_policy", name(a1)],
    ])
    expect(await outcome(get(c, name(a1), "by-extra.txt"))).toBe("InvalidAccessKeyId 403")
    expect(await get(client(rw), name(a1), "by-extra.txt")).toBe("x")
  })

  it("suspended: its keys answer 403 and nothing is public; unsuspended: both work again", async () => {
    await s3.node.ensureBucket({ ...a2, suspended: true })
    await s3.node.ensureBucket({ ...a1, suspended: true })
    expect(await outcome(get(client(otherRw), name(a2), "index.html"))).toBe("UserSuspended 403")
    expect(await outcome(put(client(rw), name(a1), "while-suspended.txt", "x"))).toBe("UserSuspended 403")
    expect((await anonymousGet(s3.node, name(a2), "index.html")).status).toBe(403)
    // another tenant is not affected
    expect(await get(client(bKey), name(b1), "secret.txt")).toBe("tenant B's")
    await s3.node.ensureBucket(a2)
    await s3.node.ensureBucket(a1)
    expect(await get(client(otherRw), name(a2), "index.html")).toBe("<h1>public</h1>")
    expect(await anonymousGet(s3.node, name(a2), "index.html")).toEqual({ status: 200, body: "<h1>public</h1>" })
    await put(client(rw), name(a1), "after.txt", "back")
    expect(await get(client(ro), name(a1), "after.txt")).toBe("back")
  })
})
