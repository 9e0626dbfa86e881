// The tenancy suites' shared setup: only the API process (no control-plane worker, no agents) on
// its own PostgreSQL database, reaching Temporal through a counting proxy, with two brands on two
// clusters (brand 1: cluster A with two web shards and a database shard; brand 2: cluster B).
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { OutgoingHttpHeaders } from "node:http"
import { connect as connectHttp2, createServer as createHttp2Server, constants as http2Constants } from "node:http2"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import { createClient, generateApiKeySecret, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, inject } from "vitest"
import { postgresDatabase, type TestDatabase } from "./databases.js"

export const fail = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e,
  )

const apiMain = join(createRequire(import.meta.url).resolve("@hosting/api/server"), "..", "main.js")

/** Starts only the API process (migrations, bootstrap key) and waits until it serves. */
export const startApi = async (databaseUrl: string, temporalAddress: string, logDir: string, name: string) => {
  const port = await freePort()
  const apiKey = generateApiKeySecret()
  const process_ = startProcess({
    name,
    command: process.execPath,
    args: [apiMain],
    env: {
      ...process.env,
      HOSTING_DATABASE_URL: databaseUrl,
      HOSTING_DATABASE_POOL_SIZE: "4",
      HOSTING_TEMPORAL_ADDRESS: temporalAddress,
      HOSTING_API_PORT: String(port),
      HOSTING_API_KEY: apiKey,
      // the suite binds names under the test TLDs (x.example.test), as development does
      HOSTING_ALLOW_TEST_DOMAINS: "true",
    },
    logFile: join(logDir, `${name}.log`),
  })
  const baseUrl = `http://127.0.0.1:${port}`
  await waitFor(
    `the API to serve (logs in ${logDir})`,
    async () => (await fetch(`${baseUrl}/healthz`)).status === 200,
    60_000,
    100,
  )
  return { process: process_, baseUrl, apiKey }
}

/**
 * The API's way to Temporal: a gRPC (HTTP/2) pass-through to the real server that counts the
 * sync hand-offs, and can be told to refuse every call (PERMISSION_DENIED, which the Temporal
 * client does not retry) to see what the API does when the workflow engine says no.
 */
export const startEngineProxy = async (temporalAddress: string) => {
  const upstream = connectHttp2(`http://${temporalAddress}`)
  const state = { refusing: false, signals: 0 }
  const server = createHttp2Server()
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {})
    if (state.refusing) {
      stream.respond(
        { ":status": 200, "content-type": "application/grpc", "grpc-status": "7", "grpc-message": "engine refuses" },
        { endStream: true },
      )
      return
    }
    if (String(headers[":path"]).endsWith("/SignalWithStartWorkflowExecution")) state.signals++
    const { ":scheme": _scheme, ":authority": _authority, ...forward } = headers
    const call = upstream.request(forward)
    call.on("error", () => stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR))
    let trailers: OutgoingHttpHeaders = {}
    call.on("trailers", (t) => {
      trailers = t
    })
    call.on("response", (h) => {
      // trailers-only (an error status in the headers) ends the stream right there
      const only = h["grpc-status"] !== undefined
      stream.respond(h, only ? { endStream: true } : { waitForTrailers: true })
      if (!only) {
        stream.on("wantTrailers", () => stream.sendTrailers(trailers))
        call.pipe(stream)
      }
    })
    stream.pipe(call)
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    address: `127.0.0.1:${port}`,
    state,
    close: async () => {
      upstream.close()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A real ed25519 key made by ssh-keygen, and the fingerprint ssh-keygen prints for it. */
export const sshKeygen = (dir: string, comment: string) => {
  const file = join(dir, `key-${randomUUID()}`)
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file])
  const publicKey = readFileSync(`${file}.pub`, "utf8").trim()
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1]!
  return { publicKey, fingerprint }
}

/** What a tenancy suite's tests use; filled in by its beforeAll. */
export interface TenancySuite {
  db: TestDatabase
  logDir: string
  api: ServiceProcess
  engine: Awaited<ReturnType<typeof startEngineProxy>>
  baseUrl: string
  adminKey: string
  admin: PromiseClient
  sql: pg.Client
  readonly f: {
    brand1: string
    brand2: string
    clusterA: string
    clusterB: string
    webA1: string
    webA2: string
    dbA: string
    webB: string
    key1: string
    key2: string
  }
  c1: PromiseClient
  c2: PromiseClient
  query<R = any>(text: string, params?: Array<unknown>): Promise<Array<R>>
  rowOf(table: string, id: string): Promise<any>
  /** rows of tenants, webroots, FQDNs and SSH keys, as one comparable string */
  counts(): Promise<string>
  setFailed(table: string, id: string): Promise<Array<unknown>>
  client(key: string): PromiseClient
  keyFor(scopes: Array<string>, brands: Array<string>): Promise<string>
  newTenant(c?: PromiseClient, brand?: string): ReturnType<PromiseClient["tenants"]["create"]>
}

/**
 * Registers the suite's beforeAll/afterAll in the calling describe and answers the object its
 * tests use (its fields are set once beforeAll ran). `prefix` names the suite's database.
 */
export const tenancySuite = (prefix: string): TenancySuite => {
  const s = {
    f: {},
    query: async (text: string, params: Array<unknown> = []) => (await s.sql.query(text, params)).rows,
    rowOf: async (table: string, id: string) =>
      (await s.query(`SELECT status, status_message, revision::text AS revision FROM ${table} WHERE id = $1`, [id]))[0],
    counts: () =>
      s
        .query(`SELECT (SELECT count(*) FROM tenants) t, (SELECT count(*) FROM webroots) w,
      (SELECT count(*) FROM fqdns) f, (SELECT count(*) FROM ssh_keys) k`)
        .then((r) => JSON.stringify(r[0])),
    setFailed: (table: string, id: string) =>
      s.query(`UPDATE ${table} SET status = 'failed', status_message = 'node x: broke' WHERE id = $1`, [id]),
    client: (key: string) => createClient({ baseUrl: s.baseUrl, apiKey: key }),
    keyFor: async (scopes: Array<string>, brands: Array<string>) =>
      (
        await s.admin.apiKeys.create({
          payload: { name: `k-${randomUUID().slice(0, 8)}`, scopes, brands: brands as never },
        })
      ).key,
    newTenant: (c = s.c1, brand = s.f.brand1) => c.tenants.create({ payload: { brand_id: brand as never } }),
  } as TenancySuite

  beforeAll(async () => {
    s.db = await postgresDatabase(inject("postgresAdminUrl"), prefix)
    s.logDir = mkdtempSync(join(tmpdir(), "hosting-tenancy-"))
    s.engine = await startEngineProxy(inject("temporalAddress"))
    const started = await startApi(s.db.url, s.engine.address, s.logDir, "api")
    s.baseUrl = started.baseUrl
    s.api = started.process
    s.adminKey = started.apiKey
    s.admin = s.client(s.adminKey)
    s.sql = new pg.Client({ connectionString: s.db.url })
    await s.sql.connect()
    const region = await s.admin.regions.create({ payload: { name: "tenancy" } })
    const clusterA = await s.admin.clusters.create({ path: { id: region.id }, payload: { name: "a" } })
    const clusterB = await s.admin.clusters.create({ path: { id: region.id }, payload: { name: "b" } })
    const shard = (cluster: string, name: string, role: "web" | "database") =>
      s.admin.shards.create({ path: { id: cluster as never }, payload: { name, role } })
    const [webA1, webA2, dbA, webB] = [
      await shard(clusterA.id, "web-1", "web"),
      await shard(clusterA.id, "web-2", "web"),
      await shard(clusterA.id, "db-1", "database"),
      await shard(clusterB.id, "web-1", "web"),
    ]
    const brand1 = await s.admin.brands.create({ payload: { name: "Brand One" } })
    const brand2 = await s.admin.brands.create({ payload: { name: "Brand Two" } })
    await s.admin.brands.setClusters({ path: { id: brand1.id }, payload: { cluster_ids: [clusterA.id] } })
    await s.admin.brands.setClusters({ path: { id: brand2.id }, payload: { cluster_ids: [clusterB.id] } })
    Object.assign(s.f, {
      brand1: brand1.id,
      brand2: brand2.id,
      clusterA: clusterA.id,
      clusterB: clusterB.id,
      webA1: webA1.id,
      webA2: webA2.id,
      dbA: dbA.id,
      webB: webB.id,
      key1: await s.keyFor(["*"], [brand1.id]),
      key2: await s.keyFor(["*"], [brand2.id]),
    })
    s.c1 = s.client(s.f.key1)
    s.c2 = s.client(s.f.key2)
  })

  afterAll(async () => {
    // no worker ran here: end the sync workflows the API started so no later suite's worker runs them
    if (s.sql !== undefined) {
      const ids = await s.query<{ id: string }>(
        `SELECT 'tenant:' || id || ':sync' AS id FROM tenants UNION ALL SELECT 'zone:' || id || ':sync' FROM zones
          UNION ALL SELECT DISTINCT 'cluster:' || cluster_id || ':lb-sync' FROM shards WHERE role = 'lb'`,
      )
      const connection = await Connection.connect({ address: inject("temporalAddress") })
      const temporal = new Client({ connection })
      await Promise.all(
        ids.map(({ id }) =>
          temporal.workflow
            .getHandle(id)
            .terminate("test over")
            .catch(() => undefined),
        ),
      )
      await connection.close()
      await s.sql.end()
    }
    await s.api?.stop()
    await s.engine?.close()
    await s.db?.stop()
    if (s.logDir !== undefined) rmSync(s.logDir, { recursive: true, force: true })
  })
  return s
}
