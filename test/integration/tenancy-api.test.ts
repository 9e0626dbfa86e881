// Tenants, webroots, FQDNs and SSH keys through the SDK against the real API process, on real
// PostgreSQL: placement, lifecycle, runtime rules, conflicts, brand isolation and
// bad input. Only the API runs (no control-plane worker, no agents), so every row written stays
// `pending`/`deleting` as the API left it; failures are set with SQL where a test needs them.
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { OutgoingHttpHeaders } from "node:http"
import { connect as connectHttp2, createServer as createHttp2Server, constants as http2Constants } from "node:http2"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import {
  Conflict,
  createClient,
  Forbidden,
  generateApiKeySecret,
  InvalidInput,
  NotFound,
  type PromiseClient,
  Unavailable,
} from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { send } from "../support/contract.js"
import { DATABASES, type TestDatabase } from "../support/databases.js"

const fail = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e,
  )

const apiMain = join(createRequire(import.meta.url).resolve("@hosting/api/server"), "..", "main.js")

/** Starts only the API process (migrations, bootstrap key) and waits until it serves. */
const startApi = async (databaseUrl: string, temporalAddress: string, logDir: string, name: string) => {
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
const startEngineProxy = async (temporalAddress: string) => {
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
const sshKeygen = (dir: string, comment: string) => {
  const file = join(dir, `key-${randomUUID()}`)
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file])
  const publicKey = readFileSync(`${file}.pub`, "utf8").trim()
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1]!
  return { publicKey, fingerprint }
}

describe.each(DATABASES)("tenancy API on %s", (_name, makeDb) => {
  let db: TestDatabase
  let logDir: string
  let api: ServiceProcess
  let engine: Awaited<ReturnType<typeof startEngineProxy>>
  let baseUrl: string
  let adminKey: string
  let admin: PromiseClient
  let sql: pg.Client
  // brand 1 uses cluster A (two web shards and a database shard); brand 2 uses cluster B
  const f = {} as {
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
  let c1: PromiseClient
  let c2: PromiseClient

  const query = async <R = any>(text: string, params: Array<unknown> = []): Promise<Array<R>> =>
    (await sql.query(text, params)).rows as Array<R>
  const rowOf = async (table: string, id: string) =>
    (await query(`SELECT status, status_message, revision::text AS revision FROM ${table} WHERE id = $1`, [id]))[0]
  const counts = () =>
    query(`SELECT (SELECT count(*) FROM tenants) t, (SELECT count(*) FROM webroots) w,
      (SELECT count(*) FROM fqdns) f, (SELECT count(*) FROM ssh_keys) k`).then((r) => JSON.stringify(r[0]))
  const setFailed = (table: string, id: string) =>
    query(`UPDATE ${table} SET status = 'failed', status_message = 'node x: broke' WHERE id = $1`, [id])
  const client = (key: string) => createClient({ baseUrl, apiKey: key })
  const keyFor = async (scopes: Array<string>, brands: Array<string>) =>
    (
      await admin.apiKeys.create({
        payload: { name: `k-${randomUUID().slice(0, 8)}`, scopes, brands: brands as never },
      })
    ).key
  const newTenant = (c = c1, brand = f.brand1) => c.tenants.create({ payload: { brand_id: brand as never } })

  beforeAll(async () => {
    db = await makeDb(inject("postgresAdminUrl"), "hp_tenancy")
    logDir = mkdtempSync(join(tmpdir(), "hosting-tenancy-"))
    engine = await startEngineProxy(inject("temporalAddress"))
    const started = await startApi(db.url, engine.address, logDir, "api")
    ;({ baseUrl } = started)
    api = started.process
    adminKey = started.apiKey
    admin = client(adminKey)
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    const region = await admin.regions.create({ payload: { name: "tenancy" } })
    const clusterA = await admin.clusters.create({ path: { id: region.id }, payload: { name: "a" } })
    const clusterB = await admin.clusters.create({ path: { id: region.id }, payload: { name: "b" } })
    const shard = (cluster: string, name: string, role: "web" | "database") =>
      admin.shards.create({ path: { id: cluster as never }, payload: { name, role } })
    const [webA1, webA2, dbA, webB] = [
      await shard(clusterA.id, "web-1", "web"),
      await shard(clusterA.id, "web-2", "web"),
      await shard(clusterA.id, "db-1", "database"),
      await shard(clusterB.id, "web-1", "web"),
    ]
    const brand1 = await admin.brands.create({ payload: { name: "Brand One" } })
    const brand2 = await admin.brands.create({ payload: { name: "Brand Two" } })
    await admin.brands.setClusters({ path: { id: brand1.id }, payload: { cluster_ids: [clusterA.id] } })
    await admin.brands.setClusters({ path: { id: brand2.id }, payload: { cluster_ids: [clusterB.id] } })
    Object.assign(f, {
      brand1: brand1.id,
      brand2: brand2.id,
      clusterA: clusterA.id,
      clusterB: clusterB.id,
      webA1: webA1.id,
      webA2: webA2.id,
      dbA: dbA.id,
      webB: webB.id,
      key1: await keyFor(["*"], [brand1.id]),
      key2: await keyFor(["*"], [brand2.id]),
    })
    c1 = client(f.key1)
    c2 = client(f.key2)
  })

  afterAll(async () => {
    // no worker ran here: end the sync workflows the API started so no later suite's worker runs them
    if (sql !== undefined) {
      const ids = await query<{ id: string }>(
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
      await sql.end()
    }
    await api?.stop()
    await engine?.close()
    await db?.stop()
    if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true })
  })

  it("places a tenant on the web shard with the fewest tenants of the brand's clusters", async () => {
    const region = await admin.regions.create({ payload: { name: `p-${randomUUID().slice(0, 8)}` } })
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "p" } })
    const brand = await admin.brands.create({ payload: { name: `Placement ${randomUUID()}` } })
    // no cluster mapped, then a cluster without a web shard: 422 telling how to fix it
    for (const setup of [
      async () => {},
      async () => {
        await admin.shards.create({ path: { id: cluster.id }, payload: { name: "dns", role: "dns" } })
        await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
      },
    ]) {
      await setup()
      const none = await fail(admin.tenants.create({ payload: { brand_id: brand.id } }))
      expect(none).toBeInstanceOf(InvalidInput)
      expect((none as InvalidInput).message).toContain(`PUT /api/v1/brands/${brand.id}/clusters`)
    }
    const s1 = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "s1", role: "web" } })
    const s2 = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "s2", role: "web" } })
    const placed: Array<string> = []
    for (let i = 0; i < 3; i++) placed.push((await admin.tenants.create({ payload: { brand_id: brand.id } })).shard_id)
    // ties go by name: s1, then s2 (fewer tenants), then s1 again
    expect(placed).toEqual([s1.id, s2.id, s1.id])
    const onS2 = await admin.tenants.create({ payload: { brand_id: brand.id, cluster_id: cluster.id } })
    expect(onS2.shard_id).toBe(s2.id)
    // a cluster the brand may not use, by anyone
    const unmapped = await fail(
      admin.tenants.create({ payload: { brand_id: brand.id, cluster_id: f.clusterA as never } }),
    )
    expect(unmapped).toBeInstanceOf(InvalidInput)
    expect((unmapped as InvalidInput).message).toContain("/clusters")
    // shard_id: platform admins only, and only a web shard
    const chosen = await admin.tenants.create({ payload: { brand_id: f.brand1 as never, shard_id: f.webB as never } })
    expect(chosen.shard_id).toBe(f.webB)
    expect(
      await fail(admin.tenants.create({ payload: { brand_id: f.brand1 as never, shard_id: f.dbA as never } })),
    ).toBeInstanceOf(InvalidInput)
    expect(
      await fail(c1.tenants.create({ payload: { brand_id: f.brand1 as never, shard_id: f.webA1 as never } })),
    ).toBeInstanceOf(Forbidden)
    // another brand's id, or one that does not exist
    for (const brandId of [f.brand2, randomUUID()]) {
      expect(await fail(c1.tenants.create({ payload: { brand_id: brandId as never } }))).toBeInstanceOf(NotFound)
    }
  })

  it("tenants: create, read, list, rename, suspend, migrate, resources", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await c1.tenants.create({ payload: { brand_id: f.brand1 as never, display_name: `Shop ${tag}` } })
    expect(t).toMatchObject({ brand_id: f.brand1, status: "pending", suspended: false, display_name: `Shop ${tag}` })
    expect(t.name).toMatch(/^t_[a-z0-9]{10}$/)
    expect([f.webA1, f.webA2]).toContain(t.shard_id)
    const created = await rowOf("tenants", t.id)
    expect(created).toMatchObject({ status: "pending", status_message: null })
    expect(await c1.tenants.get({ path: { id: t.id } })).toEqual(t)
    const found = await c1.tenants.list({ urlParams: { search: `shop ${tag}`, status: "pending" } })
    expect(found.items.map((x) => x.id)).toEqual([t.id])
    expect((await c1.tenants.list({ urlParams: { search: t.name } })).items.map((x) => x.id)).toEqual([t.id])
    expect((await c1.tenants.list({ urlParams: { search: tag, status: "active" } })).items).toEqual([])
    // the display name never reaches a node: 200, same revision, same status
    const renamed = await c1.tenants.update({ path: { id: t.id }, payload: { display_name: `Shop ${tag} Ltd` } })
    expect(renamed).toMatchObject({ display_name: `Shop ${tag} Ltd`, status: "pending" })
    expect((await rowOf("tenants", t.id))!.revision).toBe(created!.revision)
    const cleared = await c1.tenants.update({ path: { id: t.id }, payload: { display_name: null } })
    expect(cleared.display_name).toBeNull()
    // suspend and unsuspend are writes a node must see: pending under a new revision
    await query("UPDATE tenants SET status = 'active' WHERE id = $1", [t.id])
    const suspended = await c1.tenants.suspend({ path: { id: t.id } })
    expect(suspended).toMatchObject({ suspended: true, status: "pending" })
    const afterSuspend = await rowOf("tenants", t.id)
    expect(BigInt(afterSuspend!.revision)).toBeGreaterThan(BigInt(created!.revision))
    expect((await c1.tenants.unsuspend({ path: { id: t.id } })).suspended).toBe(false)
    // migrate: another web shard of the brand's clusters; not the same one, not a foreign or non-web one
    const target = t.shard_id === f.webA1 ? f.webA2 : f.webA1
    const same = await fail(c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: t.shard_id } }))
    expect(same).toBeInstanceOf(Conflict)
    for (const shard of [f.webB, f.dbA, randomUUID()]) {
      const refused = await fail(c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: shard as never } }))
      expect(refused).toBeInstanceOf(InvalidInput)
    }
    const migrating = await c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: target as never } })
    expect(migrating).toMatchObject({ status: "pending", shard_id: t.shard_id })
    expect((await query("SELECT migrate_to FROM tenants WHERE id = $1", [t.id]))[0].migrate_to).toBe(target)
    // a platform admin may move it to any web shard
    await admin.tenants.migrate({ path: { id: t.id }, payload: { shard_id: f.webB as never } })
    expect((await query("SELECT migrate_to FROM tenants WHERE id = $1", [t.id]))[0].migrate_to).toBe(f.webB)
    // resources: everything the tenant owns
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const host = `www.${tag}.example.test`
    const fq = await c1.fqdns.create({ path: { id: w.id }, payload: { hostname: host } })
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "laptop", public_key: sshKeygen(logDir, "me@laptop").publicKey },
    })
    const all = await c1.tenants.resources({ path: { id: t.id } })
    expect(all.tenant.id).toBe(t.id)
    expect(all.webroots.map((x) => x.id)).toEqual([w.id])
    expect(all.fqdns.map((x) => [x.id, x.webroot_id, x.tenant_id])).toEqual([[fq.id, w.id, t.id]])
    expect(all.ssh_keys.map((x) => x.id)).toEqual([key.id])
  })

  it("webroots: runtime, version, entrypoint and process rules; create, update, list", async () => {
    const t = await newTenant()
    const create = (payload: Record<string, unknown>) =>
      c1.webroots.create({ path: { id: t.id }, payload: payload as never })
    const php = await create({ runtime: "php" })
    expect(php).toMatchObject({
      tenant_id: t.id,
      runtime: "php",
      runtime_version: "8.2",
      entrypoint: null,
      numprocs: 1,
      status: "pending",
      path: `/webroots/${php.name}`,
    })
    expect(php.name).toMatch(/^web_[a-z0-9]{10}$/)
    const defaults = []
    for (const runtime of ["node", "python", "ruby", "worker", "static"] as const)
      defaults.push(await create({ runtime }))
    expect(defaults.map((w) => [w.runtime, w.runtime_version, w.entrypoint, w.numprocs])).toEqual([
      ["node", null, "server.js", 1],
      ["python", null, "app.py", 1],
      ["ruby", null, "app.rb", 1],
      ["worker", null, "worker.js", 1],
      ["static", null, null, 1],
    ])
    const worker = await create({ runtime: "worker", entrypoint: "bin/run.js", numprocs: 3 })
    expect(worker).toMatchObject({ entrypoint: "bin/run.js", numprocs: 3 })
    for (const [payload, says] of [
      [{ runtime: "php", runtime_version: "7.4" }, "8.2"],
      [{ runtime: "node", runtime_version: "20" }, "only to php"],
      [{ runtime: "static", runtime_version: "1" }, "only to php"],
      [{ runtime: "php", entrypoint: "index.php" }, "entrypoint"],
      [{ runtime: "static", entrypoint: "index.html" }, "entrypoint"],
      [{ runtime: "node", numprocs: 2 }, "worker"],
      [{ runtime: "php", numprocs: 2 }, "worker"],
    ] as const) {
      const before = await counts()
      const e = await fail(create(payload))
      expect(e, JSON.stringify(payload)).toBeInstanceOf(InvalidInput)
      expect((e as InvalidInput).message).toContain(says)
      expect(await counts()).toBe(before)
    }
    // numprocs out of range and bad entrypoints never reach the service
    for (const body of [
      { runtime: "worker", numprocs: 9 },
      { runtime: "node", entrypoint: "../server.js" },
      { runtime: "node", entrypoint: "/etc/passwd" },
      { runtime: "python", entrypoint: "app.py; rm -rf /" },
      { runtime: "perl" },
    ]) {
      const res = await send(
        baseUrl,
        { method: "POST" },
        `/api/v1/tenants/${t.id}/webroots`,
        f.key1,
        JSON.stringify(body),
      )
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    // a new runtime starts from its defaults; the same runtime keeps what is not patched
    const before = await rowOf("webroots", php.id)
    const toNode = await c1.webroots.update({ path: { id: php.id }, payload: { runtime: "node" } })
    expect(toNode).toMatchObject({ runtime: "node", runtime_version: null, entrypoint: "server.js", status: "pending" })
    expect(BigInt((await rowOf("webroots", php.id))!.revision)).toBeGreaterThan(BigInt(before!.revision))
    const moved = await c1.webroots.update({ path: { id: php.id }, payload: { entrypoint: "dist/main.js" } })
    expect(moved).toMatchObject({ runtime: "node", entrypoint: "dist/main.js", name: php.name, path: php.path })
    const kept = await c1.webroots.update({ path: { id: php.id }, payload: {} })
    expect(kept.entrypoint).toBe("dist/main.js")
    const reset = await c1.webroots.update({ path: { id: php.id }, payload: { entrypoint: null } })
    expect(reset.entrypoint).toBe("server.js")
    expect(await fail(c1.webroots.update({ path: { id: php.id }, payload: { runtime_version: "20" } }))).toBeInstanceOf(
      InvalidInput,
    )
    const back = await c1.webroots.update({ path: { id: php.id }, payload: { runtime: "php" } })
    expect(back).toMatchObject({ runtime: "php", runtime_version: "8.2", entrypoint: null })
    // a webroot with host names cannot become a worker (a worker serves no HTTP)
    await c1.fqdns.create({ path: { id: php.id }, payload: { hostname: `w.${randomUUID().slice(0, 8)}.example.test` } })
    expect(await fail(c1.webroots.update({ path: { id: php.id }, payload: { runtime: "worker" } }))).toBeInstanceOf(
      InvalidInput,
    )
    // lists: the tenant's webroots only, with status filter and sort
    const page = await c1.webroots.list({ path: { id: t.id }, urlParams: { sort: "-name" } })
    const names = [php, ...defaults, worker].map((w) => w.name)
    expect(page.items.map((w) => w.name)).toEqual(names.sort().reverse())
    expect(await c1.webroots.get({ path: { id: worker.id } })).toEqual(worker)
    await setFailed("webroots", worker.id)
    const failedOnly = await c1.webroots.list({ path: { id: t.id }, urlParams: { status: "failed" } })
    expect(failedOnly.items.map((w) => w.id)).toEqual([worker.id])
    expect(await fail(c1.webroots.list({ path: { id: randomUUID() as never }, urlParams: {} }))).toBeInstanceOf(
      NotFound,
    )
  })

  it("webroots: a region that lists its runtimes offers only those (and only the listed versions)", async () => {
    const t = await newTenant()
    const region = (await admin.regions.list({ urlParams: { search: "tenancy" } })).items[0]!
    await admin.regions.setRuntimes({
      path: { id: region.id },
      payload: {
        runtimes: [
          { runtime: "php", versions: ["8.2"] },
          { runtime: "static", versions: [] },
        ],
      },
    })
    try {
      const refused = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "node" } }).then(
        () => undefined,
        (e: { _tag?: string; message?: string }) => e,
      )
      expect(refused?._tag).toBe("InvalidInput")
      expect(refused?.message).toContain("does not offer node")
      expect((await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })).runtime_version).toBe(
        "8.2",
      )
      expect((await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })).runtime).toBe("static")
    } finally {
      await admin.regions.setRuntimes({ path: { id: region.id }, payload: { runtimes: [] } })
    }
  })

  it("fqdns: bound once platform-wide, without the trailing dot, never to a worker", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await newTenant()
    const site = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
    const worker = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "worker" } })
    const fq = await c1.fqdns.create({ path: { id: site.id }, payload: { hostname: `shop.${tag}.example.test.` } })
    expect(fq).toMatchObject({ hostname: `shop.${tag}.example.test`, webroot_id: site.id, tenant_id: t.id })
    expect(fq.status).toBe("pending")
    // the same name again, with or without the dot, here or under another brand: 409
    const other = await newTenant(c2, f.brand2)
    const otherSite = await c2.webroots.create({ path: { id: other.id }, payload: { runtime: "static" } })
    for (const [c, webroot, hostname] of [
      [c1, site.id, `shop.${tag}.example.test`],
      [c1, site.id, `shop.${tag}.example.test.`],
      [c2, otherSite.id, `shop.${tag}.example.test`],
    ] as const) {
      const e = await fail(c.fqdns.create({ path: { id: webroot }, payload: { hostname } }))
      expect(e).toBeInstanceOf(Conflict)
      expect((e as Conflict).message).toContain("already bound")
    }
    for (const hostname of [`Shop.${tag}.example.test`, `shop_${tag}.example.test`, `-x.${tag}.test`]) {
      const res = await send(
        baseUrl,
        { method: "POST" },
        `/api/v1/webroots/${site.id}/fqdns`,
        f.key1,
        JSON.stringify({ hostname }),
      )
      expect(res.status, hostname).toBe(400)
    }
    const onWorker = await fail(c1.fqdns.create({ path: { id: worker.id }, payload: { hostname: `job.${tag}.test` } }))
    expect(onWorker).toBeInstanceOf(InvalidInput)
    expect((onWorker as InvalidInput).message).toContain("worker")
    const second = await c1.fqdns.create({ path: { id: site.id }, payload: { hostname: `a.${tag}.example.test` } })
    const page = await c1.fqdns.list({ path: { id: site.id }, urlParams: {} })
    expect(page.items.map((x) => x.hostname)).toEqual([second.hostname, fq.hostname])
    expect(await c1.fqdns.get({ path: { id: fq.id } })).toEqual(fq)
    expect((await c1.fqdns.list({ path: { id: worker.id }, urlParams: {} })).items).toEqual([])
  })

  it("ssh keys: real keys with ssh-keygen's fingerprint, one per tenant, bad keys refused", async () => {
    const t = await newTenant()
    const { publicKey, fingerprint } = sshKeygen(logDir, "alice@example.test")
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "Alice's laptop", public_key: publicKey },
    })
    expect(key).toMatchObject({ tenant_id: t.id, name: "Alice's laptop", public_key: publicKey, status: "pending" })
    expect(key.fingerprint).toBe(fingerprint)
    const dup = await fail(c1.sshKeys.create({ path: { id: t.id }, payload: { name: "again", public_key: publicKey } }))
    expect(dup).toBeInstanceOf(Conflict)
    // the same key on another tenant is fine
    const t2 = await newTenant()
    expect(
      (await c1.sshKeys.create({ path: { id: t2.id }, payload: { name: "a", public_key: publicKey } })).fingerprint,
    ).toBe(fingerprint)
    // renaming is synchronous: 200, same revision
    const before = await rowOf("ssh_keys", key.id)
    const renamed = await c1.sshKeys.update({ path: { id: key.id }, payload: { name: "Alice (work)" } })
    expect(renamed).toMatchObject({ name: "Alice (work)", status: "pending" })
    expect((await rowOf("ssh_keys", key.id))!.revision).toBe(before!.revision)
    const [type, blob] = publicKey.split(" ") as [string, string]
    const rsaBlob = Buffer.concat([
      Buffer.from([0, 0, 0, 7]),
      Buffer.from("ssh-rsa"),
      Buffer.from([0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    ]).toString("base64")
    for (const bad of [
      `command="/bin/sh" ${publicKey}`,
      `no-pty,from="*" ${publicKey}`,
      `${type} ${blob}\n${type} ${blob} second`,
      `${type} ${blob.slice(0, 20)}\n${blob.slice(20)}`,
      `ssh-rsa ${blob}`,
      `${type} ${rsaBlob}`,
      `${type} not*base64`,
      `${type} ${blob} comment with spaces`,
      `${type} ${blob} $(id)`,
      `ssh-dss ${blob}`,
      "",
    ]) {
      const before = await counts()
      const res = await send(
        baseUrl,
        { method: "POST" },
        `/api/v1/tenants/${t.id}/ssh-keys`,
        f.key1,
        JSON.stringify({ name: "bad", public_key: bad }),
      )
      expect(res.status, bad).toBe(400)
      expect(res.json).toMatchObject({ error: { code: "invalid_request" } })
      expect(await counts()).toBe(before)
    }
    expect((await c1.sshKeys.list({ path: { id: t.id }, urlParams: {} })).items.map((k) => k.id)).toEqual([key.id])
  })

  it("deleting: cascades, repeats as 202, and refuses every other change under the tenant", async () => {
    const t = await newTenant()
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const host = `gone.${randomUUID().slice(0, 8)}.example.test`
    const fq = await c1.fqdns.create({ path: { id: w.id }, payload: { hostname: host } })
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(logDir, "k@x").publicKey },
    })
    // a webroot delete takes its fqdns along, and repeats
    const w2 = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
    const fq2 = await c1.fqdns.create({ path: { id: w2.id }, payload: { hostname: `2.${host}` } })
    expect((await c1.webroots.delete({ path: { id: w2.id } })).status).toBe("deleting")
    expect((await c1.fqdns.get({ path: { id: fq2.id } })).status).toBe("deleting")
    expect((await c1.webroots.delete({ path: { id: w2.id } })).status).toBe("deleting")
    expect(await fail(c1.webroots.update({ path: { id: w2.id }, payload: { runtime: "php" } }))).toBeInstanceOf(
      Conflict,
    )
    expect(await fail(c1.fqdns.create({ path: { id: w2.id }, payload: { hostname: `3.${host}` } }))).toBeInstanceOf(
      Conflict,
    )
    // the tenant: everything it owns goes with it, in one step
    const before = await rowOf("fqdns", fq.id)
    const deleting = await c1.tenants.delete({ path: { id: t.id } })
    expect(deleting).toMatchObject({ id: t.id, status: "deleting" })
    const all = await c1.tenants.resources({ path: { id: t.id } })
    expect(
      [...all.webroots, ...all.fqdns, ...all.ssh_keys].every((r) => r.status === "deleting"),
      JSON.stringify(all),
    ).toBe(true)
    expect(BigInt((await rowOf("fqdns", fq.id))!.revision)).toBeGreaterThan(BigInt(before!.revision))
    expect((await c1.tenants.delete({ path: { id: t.id } })).status).toBe("deleting")
    expect((await c1.fqdns.delete({ path: { id: fq.id } })).status).toBe("deleting")
    expect((await c1.sshKeys.delete({ path: { id: key.id } })).status).toBe("deleting")
    const refusals: Array<() => Promise<unknown>> = [
      () => c1.tenants.update({ path: { id: t.id }, payload: { display_name: "x" } }),
      () => c1.tenants.suspend({ path: { id: t.id } }),
      () => c1.tenants.unsuspend({ path: { id: t.id } }),
      () => c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: f.webB as never } }),
      () => c1.tenants.retry({ path: { id: t.id } }),
      () => c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } }),
      () => c1.webroots.update({ path: { id: w.id }, payload: { runtime: "static" } }),
      () => c1.webroots.retry({ path: { id: w.id } }),
      () => c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `4.${host}` } }),
      () => c1.fqdns.retry({ path: { id: fq.id } }),
      () =>
        c1.sshKeys.create({
          path: { id: t.id },
          payload: { name: "n", public_key: sshKeygen(logDir, "n@x").publicKey },
        }),
      () => c1.sshKeys.update({ path: { id: key.id }, payload: { name: "renamed" } }),
      () => c1.sshKeys.retry({ path: { id: key.id } }),
    ]
    for (const [i, attempt] of refusals.entries()) {
      const e = await fail(attempt())
      expect(e, `refusal ${i}`).toBeInstanceOf(Conflict)
      expect((e as Conflict).message, `refusal ${i}`).toMatch(/being deleted/)
    }
    // still readable until the sync removes it
    expect((await c1.tenants.get({ path: { id: t.id } })).status).toBe("deleting")
  })

  it("retry: only what failed, back to pending under new revisions", async () => {
    const t = await newTenant()
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await c1.fqdns.create({
      path: { id: w.id },
      payload: { hostname: `r.${randomUUID().slice(0, 8)}.example.test` },
    })
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(logDir, "r@x").publicKey },
    })
    for (const attempt of [
      (): Promise<unknown> => c1.tenants.retry({ path: { id: t.id } }),
      () => c1.webroots.retry({ path: { id: w.id } }),
      () => c1.fqdns.retry({ path: { id: fq.id } }),
      () => c1.sshKeys.retry({ path: { id: key.id } }),
    ]) {
      const e = await fail(attempt())
      expect(e).toBeInstanceOf(Conflict)
      expect((e as Conflict).message).toContain("only a failed")
    }
    // the tenant's retry takes its failed children along and leaves the others alone
    await setFailed("tenants", t.id)
    await setFailed("webroots", w.id)
    await query("UPDATE ssh_keys SET status = 'active' WHERE id = $1", [key.id])
    const [wBefore, kBefore] = [await rowOf("webroots", w.id), await rowOf("ssh_keys", key.id)]
    const retried = await c1.tenants.retry({ path: { id: t.id } })
    expect(retried).toMatchObject({ status: "pending", status_message: null })
    const wAfter = await rowOf("webroots", w.id)
    expect(wAfter).toMatchObject({ status: "pending", status_message: null })
    expect(BigInt(wAfter!.revision)).toBeGreaterThan(BigInt(wBefore!.revision))
    expect(await rowOf("ssh_keys", key.id)).toEqual(kBefore)
    // a child's retry takes only that row
    for (const [table, id, retry] of [
      ["webroots", w.id, () => c1.webroots.retry({ path: { id: w.id } })],
      ["fqdns", fq.id, () => c1.fqdns.retry({ path: { id: fq.id } })],
      ["ssh_keys", key.id, () => c1.sshKeys.retry({ path: { id: key.id } })],
    ] as const) {
      await setFailed(table, id)
      const tenantBefore = await rowOf("tenants", t.id)
      expect(await retry()).toMatchObject({ id, status: "pending", status_message: null })
      expect(await rowOf("tenants", t.id)).toEqual(tenantBefore)
    }
  })

  it("retry on an active tenant re-sends its failed children only; with none failed it is a 409", async () => {
    const t = await newTenant()
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await c1.fqdns.create({
      path: { id: w.id },
      payload: { hostname: `ra.${randomUUID().slice(0, 8)}.example.test` },
    })
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(logDir, "ra@x").publicKey },
    })
    await query("UPDATE tenants SET status = 'active' WHERE id = $1", [t.id])
    for (const table of ["webroots", "fqdns", "ssh_keys"])
      await query(`UPDATE ${table} SET status = 'active' WHERE tenant_id = $1`, [t.id])
    const none = await fail(c1.tenants.retry({ path: { id: t.id } }))
    expect(none).toBeInstanceOf(Conflict)
    expect((none as Conflict).message).toBe(
      "nothing to retry: the tenant is active and none of its webroots, FQDNs, SSH keys or certificates failed",
    )
    await setFailed("webroots", w.id)
    await setFailed("fqdns", fq.id)
    const [tBefore, kBefore, wBefore] = [
      await rowOf("tenants", t.id),
      await rowOf("ssh_keys", key.id),
      await rowOf("webroots", w.id),
    ]
    const signals = engine.state.signals
    const retried = await c1.tenants.retry({ path: { id: t.id } })
    expect(retried).toMatchObject({ id: t.id, status: "active" })
    // the tenant and what did not fail stay as they were; the failed children wait for a round
    expect(await rowOf("tenants", t.id)).toEqual(tBefore)
    expect(await rowOf("ssh_keys", key.id)).toEqual(kBefore)
    for (const id of [w.id, fq.id]) {
      const row = await query(
        "SELECT status, status_message, status_details FROM webroots WHERE id = $1 UNION ALL SELECT status, status_message, status_details FROM fqdns WHERE id = $1",
        [id],
      )
      expect(row).toEqual([{ status: "pending", status_message: null, status_details: null }])
    }
    expect(BigInt((await rowOf("webroots", w.id))!.revision)).toBeGreaterThan(BigInt(wBefore!.revision))
    // handed to the tenant's sync once
    expect(engine.state.signals).toBe(signals + 1)
  })

  it("brand isolation: another brand's key sees none of it, dashboard and search included", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await c1.tenants.create({ payload: { brand_id: f.brand1 as never, display_name: `Iso ${tag}` } })
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `iso.${tag}.example.test` } })
    const key = await c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: `iso-${tag}`, public_key: sshKeygen(logDir, "i@x").publicKey },
    })
    const attempts: Array<() => Promise<unknown>> = [
      () => c2.tenants.get({ path: { id: t.id } }),
      () => c2.tenants.resources({ path: { id: t.id } }),
      () => c2.tenants.update({ path: { id: t.id }, payload: { display_name: "mine now" } }),
      () => c2.tenants.suspend({ path: { id: t.id } }),
      () => c2.tenants.migrate({ path: { id: t.id }, payload: { shard_id: f.webB as never } }),
      () => c2.tenants.retry({ path: { id: t.id } }),
      () => c2.tenants.delete({ path: { id: t.id } }),
      () => c2.webroots.list({ path: { id: t.id }, urlParams: {} }),
      () => c2.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } }),
      () => c2.webroots.get({ path: { id: w.id } }),
      () => c2.webroots.update({ path: { id: w.id }, payload: { runtime: "static" } }),
      () => c2.webroots.delete({ path: { id: w.id } }),
      () => c2.fqdns.list({ path: { id: w.id }, urlParams: {} }),
      () => c2.fqdns.create({ path: { id: w.id }, payload: { hostname: `x.${tag}.example.test` } }),
      () => c2.fqdns.get({ path: { id: fq.id } }),
      () => c2.fqdns.delete({ path: { id: fq.id } }),
      () => c2.sshKeys.list({ path: { id: t.id }, urlParams: {} }),
      () => c2.sshKeys.get({ path: { id: key.id } }),
      () => c2.sshKeys.update({ path: { id: key.id }, payload: { name: "x" } }),
      () => c2.sshKeys.delete({ path: { id: key.id } }),
    ]
    for (const [i, attempt] of attempts.entries())
      expect(await fail(attempt()), `attempt ${i}`).toBeInstanceOf(NotFound)
    // nothing changed
    expect(await c1.tenants.get({ path: { id: t.id } })).toMatchObject({
      display_name: `Iso ${tag}`,
      status: "pending",
    })
    const theirs = await c2.tenants.list({ urlParams: { limit: 200 } })
    expect(theirs.items.every((x) => x.brand_id === f.brand2)).toBe(true)
    expect(JSON.stringify(theirs)).not.toContain(t.id)
    // dashboard counts and search follow the brand through the tenant
    const viewer = client(await keyFor(["dashboard:read", "search:read"], [f.brand2]))
    const mine = await c1.tenants.list({ urlParams: { limit: 200 } })
    const [stats1, stats2] = [await c1.dashboard.stats(), await viewer.dashboard.stats()]
    expect(stats1.counts["tenants"]?.total).toBe(mine.items.length)
    expect(stats2.counts["tenants"]?.total).toBe(theirs.items.length)
    const total = async (table: string, brand: string) =>
      Number(
        (
          await query(
            `SELECT count(*) AS n FROM ${table} x JOIN tenants t ON t.id = x.tenant_id WHERE t.brand_id = $1`,
            [brand],
          )
        )[0].n,
      )
    for (const [type, table] of [
      ["webroots", "webroots"],
      ["fqdns", "fqdns"],
      ["ssh-keys", "ssh_keys"],
    ] as const) {
      expect(stats1.counts[type]?.total, type).toBe(await total(table, f.brand1))
      expect(stats2.counts[type]?.total, type).toBe(await total(table, f.brand2))
    }
    expect((await c1.search.search({ urlParams: { q: t.name } })).groups).toEqual([
      { type: "tenants", items: [{ id: t.id, name: t.name, status: "pending" }] },
    ])
    expect((await c1.search.search({ urlParams: { q: `iso.${tag}` } })).groups).toEqual([
      { type: "fqdns", items: [{ id: fq.id, name: fq.hostname, status: "pending" }] },
    ])
    for (const q of [t.name, w.name, fq.hostname, `iso-${tag}`]) {
      expect((await viewer.search.search({ urlParams: { q } })).groups, q).toEqual([])
    }
  })

  it("injection strings: machine-facing fields are refused with nothing written, labels kept verbatim", async () => {
    const t = await newTenant()
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "node" } })
    const { publicKey } = sshKeygen(logDir, "inj@x")
    const INJECTIONS = [
      "example.com; return 200",
      "example.com\nserver { listen 80; }",
      "../../etc/passwd",
      "$(id)",
      "$HOME/.ssh",
      "`id`",
      "a'b\"c",
      "exаmple.com", // Cyrillic а
      "ex\u200bample.com",
      " example.com",
    ]
    const cases: Array<{ path: string; body: (evil: string) => Record<string, unknown> }> = [
      { path: `/api/v1/webroots/${w.id}/fqdns`, body: (evil) => ({ hostname: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: "node", entrypoint: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: "php", runtime_version: evil }) },
      { path: `/api/v1/tenants/${t.id}/ssh-keys`, body: (evil) => ({ name: "k", public_key: `${publicKey} ${evil}` }) },
      { path: `/api/v1/tenants/${t.id}/ssh-keys`, body: (evil) => ({ name: "k", public_key: evil }) },
      { path: "/api/v1/tenants", body: (evil) => ({ brand_id: evil }) },
      { path: "/api/v1/tenants", body: (evil) => ({ brand_id: f.brand1, cluster_id: evil }) },
      { path: `/api/v1/tenants/${t.id}/migrate`, body: (evil) => ({ shard_id: evil }) },
    ]
    for (const c of cases) {
      for (const evil of INJECTIONS) {
        const before = await counts()
        const res = await send(baseUrl, { method: "POST" }, c.path, f.key1, JSON.stringify(c.body(evil)))
        expect(res.status, `${c.path} ${JSON.stringify(c.body(evil))}`).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        expect(res.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
        expect(await counts()).toBe(before)
      }
    }
    // the PUT bodies' machine-facing fields, too
    for (const evil of INJECTIONS) {
      const res = await send(
        baseUrl,
        { method: "PUT" },
        `/api/v1/webroots/${w.id}`,
        f.key1,
        JSON.stringify({ entrypoint: evil }),
      )
      expect(res.status, evil).toBe(400)
    }
    expect((await c1.webroots.get({ path: { id: w.id } })).entrypoint).toBe("server.js")
    // labels are free text: printable ones are stored exactly as sent (control characters are not)
    for (const evil of INJECTIONS.filter((s) => !/\p{C}/u.test(s) && s.trim() === s)) {
      const renamed = await c1.tenants.update({ path: { id: t.id }, payload: { display_name: evil } })
      expect(renamed.display_name).toBe(evil)
    }
    const res = await send(
      baseUrl,
      { method: "PUT" },
      `/api/v1/tenants/${t.id}`,
      f.key1,
      JSON.stringify({ display_name: "a\nb" }),
    )
    expect(res.status).toBe(400)
  })

  it("every write hands the tenant to its sync; when the engine refuses, the rows say why and the caller gets 503", async () => {
    const t = await newTenant()
    // the sync workflow of the tenant exists in Temporal, started by the create
    const connection = await Connection.connect({ address: inject("temporalAddress") })
    try {
      const described = await new Client({ connection }).workflow.getHandle(`tenant:${t.id}:sync`).describe()
      expect(described.type).toBe("SyncTenantWorkflow")
    } finally {
      await connection.close()
    }
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const signals = engine.state.signals
    await c1.tenants.get({ path: { id: t.id } })
    await c1.tenants.update({ path: { id: t.id }, payload: { display_name: "no node change" } })
    await c1.webroots.update({ path: { id: w.id }, payload: { numprocs: 1 } })
    expect(engine.state.signals - signals).toBe(1)
    engine.state.refusing = true
    try {
      const e = await fail(c1.tenants.suspend({ path: { id: t.id } }))
      expect(e).toBeInstanceOf(Unavailable)
      expect(await rowOf("tenants", t.id)).toMatchObject({ status: "failed" })
      expect((await rowOf("tenants", t.id))!.status_message).toMatch(/^could not start workflow: workflow engine: /)
      // nothing else of the tenant was touched
      expect((await rowOf("webroots", w.id))!.status).toBe("pending")
      // a failed create leaves a failed row for retry to send again
      expect(await fail(c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } }))).toBeInstanceOf(
        Unavailable,
      )
      const failed = (await c1.webroots.list({ path: { id: t.id }, urlParams: { status: "failed" } })).items
      expect(failed.map((x) => x.runtime)).toEqual(["static"])
      // a failed delete stays `deleting` (deleting again sends it again)
      expect(await fail(c1.tenants.delete({ path: { id: t.id } }))).toBeInstanceOf(Unavailable)
      expect(await rowOf("tenants", t.id)).toMatchObject({ status: "deleting" })
      expect((await rowOf("webroots", w.id))!.status_message).toMatch(/^could not start workflow: /)
    } finally {
      engine.state.refusing = false
    }
    const again = await c1.tenants.delete({ path: { id: t.id } })
    expect(again).toMatchObject({ status: "deleting", status_message: null })
    expect((await rowOf("webroots", w.id))!.status_message).toBeNull()
  })

  it("binding a name wakes what the reactions table says; a refused hand-off asks nothing more, a node change still succeeds", async () => {
    const tag = randomUUID().slice(0, 8)
    await admin.brands.update({ path: { id: f.brand1 as never }, payload: { ns_hostnames: ["ns1.example.test"] } })
    const zone = await c1.zones.create({ payload: { name: `z${tag}.example.test`, brand_id: f.brand1 as never } })
    const t = await newTenant()
    const w = await c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const signals = engine.state.signals
    await c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `www.z${tag}.example.test` } })
    // the tenant's sync and the covering zone's; cluster A has no lb shard, so no LB sync
    expect(engine.state.signals - signals).toBe(2)
    const zoneBefore = await rowOf("zones", zone.id)
    // a node joining a cluster with an lb shard wakes that cluster's LB sync
    const region = await admin.regions.create({ payload: { name: `r-${tag}` } })
    const lbCluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "lb" } })
    const lb = await admin.shards.create({ path: { id: lbCluster.id }, payload: { name: "lb-1", role: "lb" } })
    const before = engine.state.signals
    await admin.nodes.create({ path: { id: lbCluster.id }, payload: { hostname: `n1-${tag}`, shard_ids: [lb.id] } })
    expect(engine.state.signals - before).toBe(1)
    engine.state.refusing = true
    try {
      const e = await fail(c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `shop.z${tag}.example.test` } }))
      expect(e).toBeInstanceOf(Unavailable)
      const [bound] = await query("SELECT status, status_message FROM fqdns WHERE hostname = $1", [
        `shop.z${tag}.example.test`,
      ])
      expect(bound.status).toBe("failed")
      expect(bound.status_message).toMatch(/^could not start workflow: /)
      // the zone was not asked: a refused derived request would have marked it failed
      expect(await rowOf("zones", zone.id)).toEqual(zoneBefore)
      // a node change wakes its cluster's LB sync best effort: the write stands
      const node = await admin.nodes.create({ path: { id: lbCluster.id }, payload: { hostname: `n2-${tag}` } })
      expect(node.hostname).toBe(`n2-${tag}`)
    } finally {
      engine.state.refusing = false
    }
  })
})
