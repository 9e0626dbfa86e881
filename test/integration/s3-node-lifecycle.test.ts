// The node side of S3 against a real Ceph RGW: quotas, removal with and without force, converge
// (only the platform's orphans go), usage, and an agent restart (adopts the running cluster) and a
// machine restart (starts it again from its data). The cluster is the run's shared one.
import { execFileSync } from "node:child_process"
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3"
import { cephPaths, cephPids, S3Node, stopS3Services } from "@hosting/agent"
import { type BucketSpec, s3BucketName } from "@hosting/core/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  bucketSpec,
  newKey,
  newTenant,
  outcome,
  rssKb,
  type SharedS3Node,
  s3Client,
  sharedS3Node,
} from "../support/s3-node.js"
import { eventually } from "../support/web-node.js"

let s3: SharedS3Node
const clients: Array<S3Client> = []
const client = (key: Parameters<typeof s3Client>[1], node = s3.node) => {
  const c = s3Client(node, key)
  clients.push(c)
  return c
}
const put = (c: S3Client, bucket: string, key: string, body: string | Uint8Array) =>
  c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
const get = async (c: S3Client, bucket: string, key: string) =>
  (await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()
const name = (s: { tenant: string; name: string }) => s3BucketName(s.tenant, s.name)
const radosgwAdmin = (args: ReadonlyArray<string>) =>
  execFileSync("radosgw-admin", ["-c", cephPaths(s3.config.root).conf, ...args], { encoding: "utf8", timeout: 60_000 })

const tenant = newTenant()
const live: Array<BucketSpec> = []
const ensure = async (spec: BucketSpec) => {
  const i = live.findIndex((s) => s.name === spec.name)
  if (i >= 0) live[i] = spec
  else live.push(spec)
  return s3.node.ensureBucket(spec)
}

beforeAll(async () => {
  s3 = await sharedS3Node()
}, 180_000)

afterAll(async () => {
  for (const c of clients) c.destroy()
  for (const spec of live) await s3?.node.removeBucket(spec, true)
  await s3?.node.close()
})

describe("an S3 node's buckets over time", () => {
  it("exceeding the object or the size quota answers QuotaExceeded; raising it lets writes in again", async () => {
    const key = newKey()
    const objects = bucketSpec(tenant, { keys: [key], quota: { max_objects: 3 } })
    await ensure(objects)
    const c = client(key)
    for (const k of ["1", "2", "3"]) await put(c, name(objects), k, k)
    expect(await outcome(put(c, name(objects), "4", "4"))).toBe("QuotaExceeded 403")

    // RGW counts each object rounded up to 4 KiB against a size quota
    const sizeKey = newKey()
    const size = bucketSpec(tenant, { keys: [sizeKey], quota: { max_size_bytes: 64 * 1024 } })
    await ensure(size)
    const s = client(sizeKey)
    await put(s, name(size), "a", new Uint8Array(40 * 1024))
    expect(await outcome(put(s, name(size), "b", new Uint8Array(30 * 1024)))).toBe("QuotaExceeded 403")
    await put(s, name(size), "c", new Uint8Array(20 * 1024))

    expect((await ensure({ ...objects, quota: { max_objects: 10 } })).changes).toEqual([
      { action: "update", kind: "s3_quota", target: name(objects) },
    ])
    await put(c, name(objects), "4", "4")
  })

  it("usage reports the exact bytes and objects of known uploads", async () => {
    const key = newKey()
    const spec = bucketSpec(tenant, { keys: [key] })
    await ensure(spec)
    const c = client(key)
    await put(c, name(spec), "a.bin", new Uint8Array(1000))
    await put(c, name(spec), "b.bin", new Uint8Array(2345))
    await put(c, name(spec), "empty", "")
    await put(c, name(spec), "a.bin", new Uint8Array(1500)) // overwritten: counted once, at its new size
    const ref = { tenant: spec.tenant, name: spec.name }
    const usage = await eventually(
      "bucket usage",
      () => s3.node.usage([ref, { tenant, name: "s3_0000000000" }]),
      (u) => u[0]?.objects === 3,
    )
    expect(usage).toEqual([{ ...ref, bytes: 3845, objects: 3 }])
  })

  it("a non-empty bucket is refused without force (BucketNotEmpty, nothing changed); force empties and removes it", async () => {
    const key = newKey()
    const spec = bucketSpec(tenant, { keys: [key] })
    await ensure(spec)
    const c = client(key)
    await put(c, name(spec), "keep.txt", "still here")
    const refused = await s3.node.removeBucket(spec, false).then(
      () => "removed",
      (e: Error) => `${e.name}: ${e.message}`,
    )
    expect(refused).toBe(`BucketNotEmpty: bucket ${name(spec)} holds 1 objects; remove it with force to empty it first`)
    expect(await get(c, name(spec), "keep.txt")).toBe("still here")

    expect((await s3.node.removeBucket(spec, true)).changes).toEqual([
      { action: "delete", kind: "s3_key", target: `hp-${tenant}-${spec.name}-${key.access_key_id}` },
      { action: "delete", kind: "s3_bucket", target: name(spec) },
    ])
    live.splice(live.indexOf(spec), 1)
    expect(await outcome(get(c, name(spec), "keep.txt"))).toBe("InvalidAccessKeyId 403")
    expect(await s3.node.usage([spec])).toEqual([])
    expect((await s3.node.removeBucket(spec, false)).changes).toEqual([])
    // an empty bucket needs no force
    const empty = bucketSpec(tenant)
    await ensure(empty)
    expect((await s3.node.removeBucket(empty, false)).changes).toEqual([
      { action: "delete", kind: "s3_bucket", target: name(empty) },
    ])
    live.splice(live.indexOf(empty), 1)
  })

  it("converge removes the platform's orphans only: a hand-made user and its buckets stay", async () => {
    const orphanKey = newKey()
    const orphan = bucketSpec(tenant, { keys: [orphanKey] })
    await s3.node.ensureBucket(orphan)
    await put(client(orphanKey), name(orphan), "o.txt", "orphaned")
    // made by hand: a user, a bucket of its own, and one that only looks like the platform's
    const alice = `alice${Date.now().toString(36)}`
    const made = JSON.parse(radosgwAdmin(["user", "create", `--uid=${alice}`, "--display-name=Alice"])) as {
      keys: Array<{ access_key: string; secret_key: string }>
    }
    const ak = client({ access_key_id: made.keys[0]!.access_key, secret: made.keys[0]!.secret_key })
    const lookalike = s3BucketName(newTenant(), "s3_lookalike0")
    for (const b of [`${alice}-photos`, lookalike]) {
      await ak.send(new CreateBucketCommand({ Bucket: b }))
      await put(ak, b, "p.jpg", "photo")
    }

    const planned = await s3.node.converge(live, true)
    // the run's one cluster is shared: platform buckets an earlier suite left are orphans here too,
    // so this tenant's changes are checked exactly and every other change must be a platform item
    expect({ ...planned, changes: planned.changes.filter((c) => c.target.includes(tenant.slice(2))) }).toEqual({
      changes: [
        { action: "delete", kind: "s3_key", target: `hp-${tenant}-${orphan.name}-${orphanKey.access_key_id}` },
        { action: "delete", kind: "s3_bucket", target: name(orphan) },
      ],
      errors: [],
    })
    for (const c of planned.changes)
      expect(c.target, "only the platform's users and buckets").toMatch(/^(hp-t_[a-z0-9]{10}(-|$)|t-[a-z0-9]{10}--s3-)/)
    expect(await get(client(orphanKey), name(orphan), "o.txt")).toBe("orphaned")
    expect(await s3.node.converge(live, false)).toEqual(planned)
    expect(await s3.node.converge(live, true)).toEqual({ changes: [], errors: [] })
    expect(await s3.node.usage([orphan])).toEqual([])
    for (const b of [`${alice}-photos`, lookalike]) expect(await get(ak, b, "p.jpg")).toBe("photo")
    for (const spec of live) expect((await s3.node.usage([spec])).length).toBe(1)

    for (const b of [`${alice}-photos`, lookalike]) radosgwAdmin(["bucket", "rm", `--bucket=${b}`, "--purge-objects"])
    radosgwAdmin(["user", "rm", `--uid=${alice}`])
  })

  it("a restarted agent adopts the running cluster; after the daemons stop (a reboot) it starts them from their data", async () => {
    const key = newKey()
    const spec = bucketSpec(tenant, { keys: [key], public_read: true })
    await ensure(spec)
    await put(client(key), name(spec), "persist.txt", "survives restarts")
    const before = cephPids(s3.config.root)

    const adopting = new S3Node(s3.config)
    const adopted = await adopting.start()
    expect(adopted.action).toBe("adopted")
    expect(cephPids(s3.config.root)).toEqual(before)
    await adopting.close()

    await stopS3Services(s3.config.root)
    expect(cephPids(s3.config.root)).toEqual({})
    const restarting = new S3Node(s3.config)
    const restarted = await restarting.start()
    expect(restarted.action).toBe("started")
    const rss = Object.fromEntries(Object.entries(cephPids(s3.config.root)).map(([d, pid]) => [d, rssKb(pid)]))
    console.log(
      `Ceph adopted in ${adopted.ms} ms; started again from its data in ${restarted.ms} ms; RSS kB ${JSON.stringify(rss)}`,
    )
    expect(await get(client(key, restarting), name(spec), "persist.txt")).toBe("survives restarts")
    expect((await restarting.ensureBucket(spec)).changes).toEqual([])
    await restarting.close()
  })
})
