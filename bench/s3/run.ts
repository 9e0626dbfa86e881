// Benchmark, not a test: S3 through the platform against RGW by itself, in the same run on the
// same one-node Ceph. (1) bucket + key create → first successful PUT with that key, p50/p95 over
// BENCH_RUNS (default 20): through the API (→ SyncS3BucketWorkflow → the s3 agent → RgwManager),
// against the floor of the same RGW calls made directly (RgwManager.ensureBucket in this process:
// radosgw-admin and owner-signed S3 requests, no API, Temporal or database). (2) PUT then GET of
// BENCH_OBJECTS (default 1,000) 64 KiB objects, 16 at a time, with a platform key (its own RGW
// user, reaching the bucket only through the bucket policy) against RGW's own user owning its
// bucket (no policy at all). Prints tables and ratios; exits 0 whatever the numbers.
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { cephPaths, S3Node, s3NodeConfigFromEnv, stopS3Services } from "@hosting/agent"
import { findExecutable, freePort, startTemporalDevServer } from "@hosting/dev"
import { createClient, type S3Bucket } from "@hosting/sdk"
import { waitForAgent } from "../../test/support/agents.js"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { startStack } from "../../test/support/stack.js"
import { log, ms, pct } from "../support/web-bench.js"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 20)
const OBJECTS = Number(process.env["BENCH_OBJECTS"] ?? 1000)
const CONCURRENCY = 16
const OBJECT = randomBytes(64 * 1024)

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)))
  })
const freeRange = async (n: number) => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (40_000 - n))
    let ok = true
    for (let p = base; p < base + n && ok; p++) ok = await portFree(p)
    if (ok) return base
  }
  throw new Error("no free port range")
}

const client = (endpoint: string, region: string, key: { id: string; secret: string }) =>
  new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
    maxAttempts: 1,
  })

/** PUTs until one succeeds (the key is known to RGW and allowed by the policy); bounded. */
const firstPut = async (c: S3Client, bucket: string) => {
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: "first", Body: "x" }))
      return
    } catch (e) {
      if (Date.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

/** Runs `f` for 0..n-1, `CONCURRENCY` at a time; answers the wall time in ms. */
const parallel = async (n: number, f: (i: number) => Promise<unknown>) => {
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await f(next++)
    }),
  )
  return performance.now() - started
}

const throughput = async (c: S3Client, bucket: string) => {
  const put = await parallel(OBJECTS, (i) =>
    c.send(new PutObjectCommand({ Bucket: bucket, Key: `o${i}`, Body: OBJECT })),
  )
  const get = await parallel(OBJECTS, async (i) => {
    const r = await c.send(new GetObjectCommand({ Bucket: bucket, Key: `o${i}` }))
    const body = await r.Body!.transformToByteArray()
    if (body.length !== OBJECT.length) throw new Error(`o${i}: ${body.length} bytes`)
  })
  return { put: (OBJECTS * 1000) / put, get: (OBJECTS * 1000) / get }
}

const cleanups: Array<() => unknown> = []
try {
  const temporalCli = findExecutable("temporal")
  if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
  const work = mkdtempSync(join(tmpdir(), "hosting-bench-s3-"))
  cleanups.push(() => rmSync(work, { recursive: true, force: true }))
  // Ceph: a cluster of its own under the test root, stopped by PID at the end
  const root = `/var/lib/hosting-test/s3-bench-${process.pid}`
  mkdirSync(root, { recursive: true, mode: 0o700 })
  cleanups.push(() => rmSync(root, { recursive: true, force: true }))
  const base = await freeRange(16)
  const s3env = {
    HOSTING_AGENT_ROLES: "s3",
    HOSTING_NODE_ROOT: root,
    HOSTING_S3_HOST: "127.0.0.1",
    HOSTING_S3_PORT: String(await freePort()),
    HOSTING_CEPH_MON_PORT: String(await freePort()),
    HOSTING_CEPH_PORT_MIN: String(base),
    HOSTING_CEPH_PORT_MAX: String(base + 15),
    HOSTING_CEPH_OSD_SIZE_GB: "8",
  }
  const config = s3NodeConfigFromEnv(s3env)
  const node = new S3Node(config)
  cleanups.push(() => stopS3Services(root))
  cleanups.push(() => node.close())
  const started = await node.start()
  log(`Ceph ${started.action} in ${started.ms} ms`)
  const { endpoint, region } = node.describe()

  const database = await createTestDatabase(postgresAdminUrl(), "hp_bench_s3")
  cleanups.push(() => database.drop())
  const temporal = await startTemporalDevServer({
    executable: temporalCli,
    port: await freePort(),
    httpPort: await freePort(),
    metricsPort: await freePort(),
    logFile: join(work, "temporal.log"),
  })
  cleanups.push(() => temporal.process.stop())
  const stack = await startStack({ databaseUrl: database.url, temporalAddress: temporal.address })
  cleanups.push(() => stack.stop())
  const api = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const regionRow = (await api.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await api.clusters.list({ path: { id: regionRow.id }, urlParams: {} })).items[0]!
  const shard = await api.shards.create({ path: { id: cluster.id }, payload: { name: "s3", role: "s3" } })
  const s3Node = await api.nodes.create({
    path: { id: cluster.id },
    payload: { hostname: "s3.bench.test", addresses: ["127.0.0.1"], shard_ids: [shard.id] },
  })
  stack.startAgent(s3Node.id, s3env)
  await waitForAgent(api, s3Node.id)
  const brand = await api.brands.create({ payload: { name: "bench" } })
  await api.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const tenant = await api.tenants.create({ payload: { brand_id: brand.id } })

  // (1) create → first PUT; two warm-up runs pay for workflow bundle caches
  const platform: Array<number> = []
  let lastBucket: S3Bucket | undefined
  let lastKey: { id: string; secret: string } | undefined
  for (let i = -2; i < RUNS; i++) {
    const t0 = performance.now()
    const created = await api.s3Buckets.create({ path: { id: tenant.id }, payload: {} })
    const key = await api.s3AccessKeys.create({ path: { id: created.id }, payload: {} })
    let bucket = created
    while (bucket.endpoint_url === null) {
      await new Promise((r) => setTimeout(r, 20))
      bucket = await api.s3Buckets.get({ path: { id: created.id } })
    }
    const c = client(bucket.endpoint_url, bucket.region!, { id: key.access_key_id, secret: key.secret_access_key })
    await firstPut(c, bucket.bucket_name)
    c.destroy()
    if (i >= 0) platform.push(performance.now() - t0)
    lastBucket = bucket
    lastKey = { id: key.access_key_id, secret: key.secret_access_key }
  }
  log(`platform: ${platform.map((x) => x.toFixed(0)).join(" ")}`)

  const floor: Array<number> = []
  const floorTenant = `t_bench${String(process.pid % 100_000).padStart(5, "0")}`
  for (let i = -2; i < RUNS; i++) {
    const t0 = performance.now()
    const name = `s3_floor${String(i + 2).padStart(5, "0")}`
    const key = { access_key_id: `FLOOR${String(i + 2).padStart(15, "0")}`, secret: randomBytes(30).toString("base64") }
    await node.ensureBucket({
      tenant: floorTenant,
      name,
      public_read: false,
      quota: {},
      keys: [{ ...key, access: "read_write" }],
      suspended: false,
    })
    const c = client(endpoint, region, { id: key.access_key_id, secret: key.secret })
    await firstPut(c, `${floorTenant.replace("_", "-")}--${name.replace("_", "-")}`)
    c.destroy()
    if (i >= 0) floor.push(performance.now() - t0)
  }
  log(`floor: ${floor.map((x) => x.toFixed(0)).join(" ")}`)

  // (2) throughput: the platform's key in its bucket against RGW's own user in its own bucket
  const ours = client(endpoint, region, lastKey!)
  const oursRate = await throughput(ours, lastBucket!.bucket_name)
  ours.destroy()
  const adminKey = { id: "BENCHADMIN0000000000", secret: randomBytes(30).toString("base64") }
  execFileSync(`${config.binDir}/radosgw-admin`, [
    "-c",
    cephPaths(root).conf,
    "user",
    "create",
    "--uid",
    "bench-admin",
    "--display-name",
    "bench admin",
    "--access-key",
    adminKey.id,
    "--secret-key",
    adminKey.secret,
  ])
  const plain = client(endpoint, region, adminKey)
  await plain.send(new CreateBucketCommand({ Bucket: "bench-admin-bucket" }))
  const plainRate = await throughput(plain, "bench-admin-bucket")
  plain.destroy()

  const [p50, p95, f50, f95] = [pct(platform, 50), pct(platform, 95), pct(floor, 50), pct(floor, 95)]
  console.log("\n| path | p50 | p95 | runs |")
  console.log("| --- | ---: | ---: | ---: |")
  console.log(`| platform: POST bucket + POST key → first successful PUT | ${ms(p50)} | ${ms(p95)} | ${RUNS} |`)
  console.log(
    `| floor: RgwManager.ensureBucket in-process → first successful PUT | ${ms(f50)} | ${ms(f95)} | ${RUNS} |`,
  )
  console.log(`\nratio p50 platform/floor: ${(p50 / f50).toFixed(1)}×; p95: ${(p95 / f95).toFixed(1)}×`)
  console.log(`\n| ${OBJECTS} × 64 KiB, ${CONCURRENCY} at a time | PUT objects/s | GET objects/s |`)
  console.log("| --- | ---: | ---: |")
  console.log(`| platform key (bucket policy) | ${oursRate.put.toFixed(0)} | ${oursRate.get.toFixed(0)} |`)
  console.log(`| RGW's own user (owner, no policy) | ${plainRate.put.toFixed(0)} | ${plainRate.get.toFixed(0)} |`)
  console.log(
    `\nratio platform/plain: PUT ${(oursRate.put / plainRate.put).toFixed(2)}, GET ${(oursRate.get / plainRate.get).toFixed(2)}`,
  )
} finally {
  for (const undo of cleanups.reverse()) {
    try {
      await undo()
    } catch (e) {
      log(`cleanup: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
}
