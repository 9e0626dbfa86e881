// The run's shared S3 node: one Ceph (mon, BlueStore OSD, radosgw) per test run, bootstrapped by
// the first S3 suite under the root s3-global-setup.ts reserved and adopted by the next ones (its
// settings kept in `<root>/test-env.json`); the global teardown stops it by PID. Plus what the
// suites need to act as a customer's application: keys, an S3 client, anonymous HTTP.
import { randomBytes, randomInt } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { S3Client } from "@aws-sdk/client-s3"
import { cephPids, S3Node, type S3NodeConfig, s3NodeConfigFromEnv } from "@hosting/agent"
import type { BucketKeySpec, BucketSpec } from "@hosting/core/node"
import { freePort } from "@hosting/dev"
import { inject } from "vitest"

export interface SharedS3Node {
  readonly env: Record<string, string>
  readonly config: S3NodeConfig
  /** This suite's S3Node (an agent's role) on the shared cluster. */
  readonly node: S3Node
  /** What the first suite measured when it bootstrapped the cluster. */
  readonly bootstrap: { readonly ms: number; readonly rssKb: Record<string, number> }
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)))
  })

/** `n` consecutive free loopback ports (Ceph's daemons bind inside a range). */
const freeRange = async (n: number): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(20_000, 60_000 - n)
    let ok = true
    for (let p = base; p < base + n && ok; p++) ok = await portFree(p)
    if (ok) return base
  }
  throw new Error(`no ${n} consecutive free ports`)
}

/** Resident memory of a process in kB. */
export const rssKb = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0)

/**
 * The run's S3 node: bootstraps the cluster if no suite has yet (and records how long that took
 * and the daemons' memory), else adopts it. Every suite gets its own S3Node over it.
 */
export const sharedS3Node = async (): Promise<SharedS3Node> => {
  const root = inject("s3NodeRoot")
  const file = join(root, "test-env.json")
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Omit<SharedS3Node, "node" | "config">
    const config = s3NodeConfigFromEnv(saved.env)
    const node = new S3Node(config)
    await node.start()
    return { ...saved, config, node }
  }
  mkdirSync(root, { recursive: true, mode: 0o700 })
  const base = await freeRange(16)
  const env = {
    HOSTING_AGENT_ROLES: "s3",
    HOSTING_NODE_ROOT: root,
    HOSTING_S3_HOST: "127.0.0.1",
    HOSTING_S3_PORT: String(await freePort()),
    HOSTING_CEPH_MON_PORT: String(await freePort()),
    HOSTING_CEPH_PORT_MIN: String(base),
    HOSTING_CEPH_PORT_MAX: String(base + 15),
    HOSTING_CEPH_OSD_SIZE_GB: "4",
  }
  const config = s3NodeConfigFromEnv(env)
  const node = new S3Node(config)
  const started = await node.start()
  const rss = Object.fromEntries(Object.entries(cephPids(root)).map(([d, pid]) => [d, rssKb(pid)]))
  const saved = { env, bootstrap: { ms: started.ms, rssKb: rss } }
  writeFileSync(file, JSON.stringify(saved))
  console.log(`Ceph bootstrapped (${started.action}) in ${started.ms} ms; RSS kB ${JSON.stringify(rss)}`)
  return { ...saved, config, node }
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join("")

/** A new platform tenant name. */
export const newTenant = () => `t_${pick(ALNUM, 10)}`
/** A new platform bucket name. */
export const newBucketName = () => `s3_${pick(ALNUM, 10)}`
/** A new access key as the control plane generates it. */
export const newKey = (access: BucketKeySpec["access"] = "read_write"): BucketKeySpec => ({
  access_key_id: pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20),
  secret: randomBytes(30).toString("base64"),
  access,
})

/** A bucket spec with defaults. */
export const bucketSpec = (tenant: string, over: Partial<BucketSpec> = {}): BucketSpec => ({
  tenant,
  name: newBucketName(),
  public_read: false,
  quota: {},
  keys: [],
  suspended: false,
  ...over,
})

/** An S3 client as a customer's application configures it for this node. */
export const s3Client = (node: S3Node, key: { readonly access_key_id: string; readonly secret: string }) => {
  const { endpoint, region } = node.describe()
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: key.access_key_id, secretAccessKey: key.secret },
    // a refusal is the answer under test: no retries
    maxAttempts: 1,
  })
}

/** The S3 error code and HTTP status a request failed with, or "ok" when it succeeded. */
export const outcome = async (request: Promise<unknown>): Promise<string> => {
  try {
    await request
    return "ok"
  } catch (e) {
    const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } }
    return `${err.Code ?? err.name} ${err.$metadata?.httpStatusCode ?? "?"}`
  }
}

/** An anonymous GET over plain HTTP (no signature): status and body. */
export const anonymousGet = async (node: S3Node, bucket: string, key: string) => {
  const res = await fetch(`${node.describe().endpoint}/${bucket}/${key}`, { signal: AbortSignal.timeout(10_000) })
  return { status: res.status, body: await res.text() }
}
