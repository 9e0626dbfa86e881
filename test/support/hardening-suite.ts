// The hardening suites' shared setup (hostname-ownership, input-validation): the real stack on a
// production-like configuration (test domains not allowed), two brands with a tenant and
// webroots each on one cluster, brand A's zone; and the refusal checks both suites make. Every
// refusal is a 4xx envelope and leaves the database as it was.
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { waitFor } from "@hosting/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, expect, inject } from "vitest"
import { send } from "./contract.js"
import { postgresDatabase, type TestDatabase } from "./databases.js"
import { type Stack, startStack } from "./stack.js"

/** What a hardening suite's tests use; filled in by its beforeAll. */
export interface HardeningSuite {
  db: TestDatabase
  stack: Stack
  sql: pg.Client
  temporal: Client
  keyDir: string
  admin: PromiseClient
  clientA: PromiseClient
  clientB: PromiseClient
  readonly f: {
    brandA: string
    brandB: string
    keyA: string
    keyB: string
    cluster: string
    webA: string
    webA2: string
    webB: string
    tenantA: string
    zoneA: string
  }
}

// what a request writes (status and sync bookkeeping move on by themselves as syncs finish;
// that a refused request woke no zone's sync is checked on the workflow itself)
const SNAPSHOT = `SELECT json_build_object(
  'brands', (SELECT json_agg(b ORDER BY id) FROM brands b),
  'platform', (SELECT json_agg(config) FROM platform_config),
  'shards', (SELECT json_agg(json_build_object('id', id, 'name', name, 'role', role, 'config', config, 'updated_at', updated_at) ORDER BY id) FROM shards),
  'fqdns', (SELECT json_agg(json_build_object('id', id, 'webroot_id', webroot_id, 'hostname', hostname, 'revision', revision) ORDER BY id) FROM fqdns),
  'ssh_keys', (SELECT json_agg(json_build_object('id', id, 'tenant_id', tenant_id, 'name', name, 'public_key', public_key, 'revision', revision) ORDER BY id) FROM ssh_keys),
  'zones', (SELECT json_agg(json_build_object('id', id, 'brand_id', brand_id, 'tenant_id', tenant_id, 'name', name, 'revision', revision) ORDER BY id) FROM zones),
  'dns_records', (SELECT json_agg(json_build_object('id', id, 'zone_id', zone_id, 'name', name, 'data', data, 'revision', revision) ORDER BY id) FROM dns_records)
) AS s`

export interface Refusal {
  readonly status: number
  readonly code: string
  readonly message: string
}

export const invalidRequest = (path: string, reason: string): Refusal => ({
  status: 400,
  code: "invalid_request",
  message: `invalid request: ${path}: ${reason}`,
})
export const invalidInput = (message: string): Refusal => ({ status: 422, code: "invalid_input", message })
export const conflict = (message: string): Refusal => ({ status: 409, code: "conflict", message })

/**
 * Registers the suite's beforeAll/afterAll in the calling file and answers the suite with the
 * helpers its tests call (the fields are set once beforeAll ran). `prefix` names its database.
 */
export const hardeningSuite = (prefix: string) => {
  const s = { f: {} } as HardeningSuite

  const snapshot = async () => JSON.stringify((await s.sql.query(SNAPSHOT)).rows[0].s)

  /** Sends a raw request as `key`; the answer's status and body. */
  const call = (method: string, path: string, key: string, body?: unknown) =>
    send(s.stack.baseUrl, { method }, path, key, body === undefined ? undefined : JSON.stringify(body))

  /**
   * A request that must be refused with exactly this status, code and message, changing nothing.
   * A 400 is matched on its first issue (`path: reason`): an optional or nullable field's issues
   * go on to list the alternatives the value is not (`Expected undefined, actual …`).
   */
  const refused = async (method: string, path: string, key: string, body: unknown, expected: Refusal) => {
    const before = await snapshot()
    const res = await call(method, path, key, body)
    const message: string | undefined = res.json?.error?.message
    const seen =
      expected.code === "invalid_request" && message?.startsWith(`${expected.message}; `) ? expected.message : message
    expect({ status: res.status, code: res.json?.error?.code, message: seen }).toEqual(expected)
    expect(await snapshot(), `${method} ${path} changed the database`).toBe(before)
    return res.json
  }

  /** Waits until the DNS sync of a zone has finished its round (no DNS node here: it fails, and stays so). */
  const zoneSettled = (id: string) =>
    waitFor(
      `zone ${id} to settle`,
      async () => (await s.sql.query("SELECT status FROM zones WHERE id = $1", [id])).rows[0]?.status === "failed",
      30_000,
    )

  /** The zone's sync workflow as Temporal knows it: a refused request must neither start nor signal it. */
  const zoneWorkflow = async (id: string) => {
    const d = await s.temporal.workflow.getHandle(`zone:${id}:sync`).describe()
    return { runId: d.runId, historyLength: d.historyLength, status: d.status.name }
  }

  const sshKeygen = (type: ReadonlyArray<string>, comment: string) => {
    const file = join(s.keyDir, `key-${randomUUID()}`)
    execFileSync("ssh-keygen", ["-q", ...type, "-N", "", "-C", comment, "-f", file])
    return readFileSync(`${file}.pub`, "utf8").trim()
  }

  beforeAll(async () => {
    s.db = await postgresDatabase(inject("postgresAdminUrl"), prefix)
    s.stack = await startStack({
      databaseUrl: s.db.url,
      temporalAddress: inject("temporalAddress"),
      // production's rule: names under test and example are refused (the other suites allow them)
      env: { HOSTING_ALLOW_TEST_DOMAINS: "false", HOSTING_AGENT_TIMEOUT_SECONDS: "2" },
    })
    s.sql = new pg.Client({ connectionString: s.db.url })
    await s.sql.connect()
    s.temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
    s.keyDir = mkdtempSync(join(tmpdir(), "ownership-keys-"))
    s.admin = createClient({ baseUrl: s.stack.baseUrl, apiKey: s.stack.apiKey })
    await s.admin.platform.updateConfig({
      payload: { ns_hostnames: ["ns1.hosting.example.net", "ns2.hosting.example.net"] },
    })
    const region = await s.admin.regions.create({ payload: { name: "ownership" } })
    const cluster = await s.admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
    await s.admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
    await s.admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.1" } })
    const brandA = await s.admin.brands.create({ payload: { name: "Brand A" } })
    const brandB = await s.admin.brands.create({ payload: { name: "Brand B" } })
    const keyA = await s.admin.apiKeys.create({ payload: { name: "key A", scopes: ["*"], brands: [brandA.id] } })
    const keyB = await s.admin.apiKeys.create({ payload: { name: "key B", scopes: ["*"], brands: [brandB.id] } })
    s.clientA = createClient({ baseUrl: s.stack.baseUrl, apiKey: keyA.key })
    s.clientB = createClient({ baseUrl: s.stack.baseUrl, apiKey: keyB.key })
    const webroot = async (client: PromiseClient, brandId: string) => {
      await s.admin.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
      const tenant = await client.tenants.create({ payload: { brand_id: brandId as never } })
      const w = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "php" } })
      const w2 = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
      return { tenant: tenant.id, webroot: w.id, second: w2.id }
    }
    const a = await webroot(s.clientA, brandA.id)
    const b = await webroot(s.clientB, brandB.id)
    const zoneA = await s.clientA.zones.create({ payload: { name: "shop-a.example.com", brand_id: brandA.id } })
    Object.assign(s.f, {
      brandA: brandA.id,
      brandB: brandB.id,
      keyA: keyA.key,
      keyB: keyB.key,
      cluster: cluster.id,
      webA: a.webroot,
      webA2: a.second,
      webB: b.webroot,
      tenantA: a.tenant,
      zoneA: zoneA.id,
    })
    await zoneSettled(zoneA.id)
  })

  afterAll(async () => {
    await s.sql?.end()
    await s.temporal?.connection.close()
    await s.stack?.stop()
    await s.db?.stop()
    if (s.keyDir !== undefined) rmSync(s.keyDir, { recursive: true, force: true })
  })

  return { s, snapshot, call, refused, zoneSettled, zoneWorkflow, sshKeygen }
}
