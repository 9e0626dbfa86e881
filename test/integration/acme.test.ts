// Let's Encrypt end to end against Debian's pebble: an FQDN bound with `tls: "letsencrypt"` gets a
// certificate over real ACME HTTP-01 (pebble's VA fetches the challenge from the web node's
// nginx), the tenant's sync installs it and a real TLS handshake returns it. The HTTP→HTTPS
// redirect, the renewal and cleanup schedules (triggered by hand; due-ness is read from the
// database, so "time passing" is a database edit) and the refusals are checked on the same stack.

import { X509Certificate } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createClient, type Fqdn, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { tlsFingerprint } from "../support/certificates.js"
import { startPebble, type TestPebble } from "../support/pebble.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, httpGet, makeTestWebNode, type TestWebNode } from "../support/web-node.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let sql: pg.Client
let stack: Stack
let node: TestWebNode
let pebble: TestPebble
let client: PromiseClient
let temporal: Client
let brandId: string
let shardId: string

const HOST = "le.example.test"

/** The fingerprint of the certificate the node's nginx presents for `servername`. */
const handshake = (servername: string) => tlsFingerprint(node.httpsPort, servername)

/** Waits until the FQDN's issuance settles; a failure fails the test with its message. */
const issued = async (id: string): Promise<Fqdn> =>
  eventually(
    "the issuance to settle",
    async () => {
      const f = await client.fqdns.get({ path: { id: id as never } })
      if (f.acme_status === "failed") throw new Error(`issuance failed: ${f.acme_message}`)
      return f
    },
    (f) => f.acme_status === "issued",
    60_000,
  )

const certificatesOf = async (fqdnId: string) =>
  (await client.certificates.list({ path: { id: fqdnId as never }, urlParams: {} })).items

/** Starts a platform schedule's workflow now, as its timer would. */
const trigger = (scheduleId: string) => temporal.schedule.getHandle(scheduleId).trigger()

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_acme")
  node = await makeTestWebNode()
  pebble = await startPebble(node.httpPort)
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: {
      ...node.env,
      HOSTING_AGENT_TIMEOUT_SECONDS: "30",
      HOSTING_ACME_DIRECTORY_URL: pebble.directoryUrl,
      HOSTING_ACME_CA_FILE: pebble.caFile,
      HOSTING_ACME_EMAIL: "hostmaster@example.test",
    },
  })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  shardId = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items.find(
    (s) => s.role === "web",
  )!.id
  await waitForAgent(client, stack.nodeId)
  brandId = (await client.brands.create({ payload: { name: `acme ${Date.now()}` } })).id
  await client.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
}, 180_000)

afterAll(async () => {
  await sql?.end()
  await temporal?.connection.close()
  await stack?.stop()
  await pebble?.stop()
  await node?.cleanup()
  await db?.drop()
})

describe("Let's Encrypt (ACME HTTP-01 against pebble)", () => {
  let fqdnId: string
  let tenantUser: string

  it("binding with tls: letsencrypt issues over real HTTP-01, installs and serves the certificate", async () => {
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardId as never } })
    tenantUser = `${node.userPrefix}${tenant.name}`
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const t0 = Date.now()
    const fqdn = await client.fqdns.create({
      path: { id: webroot.id },
      payload: { hostname: HOST, tls: "letsencrypt" },
    })
    fqdnId = fqdn.id
    expect(fqdn).toMatchObject({ tls: "letsencrypt", https_redirect: false, acme_status: "pending" })

    await issued(fqdn.id)
    const [cert] = await certificatesOf(fqdn.id)
    expect(cert).toMatchObject({ source: "letsencrypt", names: [HOST], fqdn_id: fqdn.id })
    const served = await eventually(
      "TLS handshake with the issued certificate",
      () => handshake(HOST).catch((e: Error) => e.message),
      (f) => f === cert!.fingerprint,
      45_000,
    )
    console.log(`bind with tls: letsencrypt → pebble certificate served over TLS in ${Date.now() - t0} ms`)
    expect(served).toBe(cert!.fingerprint)

    // issued under pebble's root: leaf → intermediate → root
    const chain = cert!.certificate_pem
      .split(/(?<=-----END CERTIFICATE-----\n)/)
      .filter((b) => b.includes("BEGIN"))
      .map((b) => new X509Certificate(b))
    const root = new X509Certificate(await pebble.issuingRoot())
    expect(chain.length).toBeGreaterThanOrEqual(2)
    expect(chain[0]!.verify(chain[1]!.publicKey)).toBe(true)
    expect(chain.at(-1)!.verify(root.publicKey)).toBe(true)

    // the validation really fetched the challenge from nginx, and the response is gone again
    const log = readFileSync(`${node.root}/nginx/logs/${tenantUser}.access.log`, "utf8")
    expect(log).toMatch(/GET \/\.well-known\/acme-challenge\/[A-Za-z0-9_-]+ HTTP\/1\.1" 200/)
    const challenges = `${node.root}/acme/.well-known/acme-challenge`
    // (removed after the certificate is stored, so a moment after acme_status says issued)
    await eventually(
      "the challenge responses removed",
      async () => (existsSync(challenges) ? readdirSync(challenges) : []),
      (files) => files.length === 0,
      30_000,
    )
    // the site itself still answers over plain HTTP
    expect((await httpGet(node.httpPort, HOST)).status).toBe(200)
  }, 120_000)

  it("https_redirect answers plain HTTP with 301 to HTTPS, except ACME challenges", async () => {
    const updated = await client.fqdns.update({ path: { id: fqdnId as never }, payload: { https_redirect: true } })
    expect(updated.https_redirect).toBe(true)
    // handed to the tenant's sync, which may already have picked it up
    expect(["pending", "provisioning", "active"]).toContain(updated.status)
    // status and Location from one response: nginx's reload replaces its workers gradually
    const res = await eventually(
      "the redirect",
      () => httpGet(node.httpPort, HOST, "/some/page?x=1"),
      (r) => r.status === 301,
      45_000,
    )
    expect(res.location).toBe(`https://${HOST}:${node.httpsPort}/some/page?x=1`)
    // challenges are still answered over HTTP (404 here: no challenge is pending), not redirected
    expect((await httpGet(node.httpPort, HOST, "/.well-known/acme-challenge/nothing")).status).toBe(404)

    await client.fqdns.update({ path: { id: fqdnId as never }, payload: { https_redirect: false } })
    await eventually(
      "the redirect to go",
      () => httpGet(node.httpPort, HOST),
      (r) => r.status === 200,
      45_000,
    )
    // nginx serves the change a moment before the round records it; renewal only picks active names
    await eventually(
      "the FQDN active again",
      () => client.fqdns.get({ path: { id: fqdnId as never } }),
      (f) => f.status === "active",
      30_000,
    )
  }, 120_000)

  it("the renewal schedule renews a certificate within 30 days of expiry; cleanup deletes the replaced one", async () => {
    const [old] = await certificatesOf(fqdnId)
    // time passes: the certificate now expires in 10 days
    await sql.query("UPDATE certificates SET not_after = now() + interval '10 days' WHERE id = $1", [old!.id])
    await trigger("renew-certificates")
    const renewed = await eventually(
      "a renewed certificate",
      () => certificatesOf(fqdnId),
      (cs) => cs.length === 2 && cs[0]!.id !== old!.id && cs[0]!.status === "active",
      60_000,
    )
    expect(renewed[0]).toMatchObject({ source: "letsencrypt", names: [HOST] })
    await eventually(
      "the renewed certificate served",
      () => handshake(HOST),
      (f) => f === renewed[0]!.fingerprint,
      45_000,
    )

    await trigger("cleanup-certificates")
    const left = await eventually(
      "the replaced certificate deleted",
      () => certificatesOf(fqdnId),
      (cs) => cs.length === 1,
      30_000,
    )
    expect(left.map((c) => c.id)).toEqual([renewed[0]!.id])

    // a certificate that expired anyway is taken off the node (nginx stops presenting it)
    await sql.query("UPDATE certificates SET not_after = now() - interval '1 hour' WHERE id = $1", [renewed[0]!.id])
    // and renewal would issue again; keep this name out of it to see the cleanup alone
    await client.fqdns.update({ path: { id: fqdnId as never }, payload: { tls: "none" } })
    await trigger("cleanup-certificates")
    await eventually(
      "the expired certificate deleted",
      () => certificatesOf(fqdnId),
      (cs) => cs.length === 0,
      30_000,
    )
    await eventually(
      "TLS no longer served",
      () => handshake(HOST).catch(() => "refused"),
      (f) => f === "refused",
      20_000,
    )
  }, 180_000)

  it("explains what it cannot do: issue without letsencrypt is 409; a suspended tenant's issuance fails with why", async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/fqdns/${fqdnId}/certificates/issue`, {
      method: "POST",
      headers: { "x-api-key": stack.apiKey },
    })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/letsencrypt/)

    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardId as never } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const fqdn = await client.fqdns.create({
      path: { id: webroot.id },
      payload: { hostname: "suspended.example.test" },
    })
    await eventually(
      "fqdn active",
      () => client.fqdns.get({ path: { id: fqdn.id } }),
      (f) => f.status === "active",
      45_000,
    )
    await client.tenants.suspend({ path: { id: tenant.id } })
    await client.fqdns.update({ path: { id: fqdn.id }, payload: { tls: "letsencrypt" } })
    const failed = await eventually(
      "the issuance to fail",
      () => client.fqdns.get({ path: { id: fqdn.id } }),
      (f) => f.acme_status === "failed",
      45_000,
    )
    expect(failed.acme_message).toMatch(/suspended/)
    expect(await certificatesOf(fqdn.id)).toEqual([])

    // bad input changes nothing
    const bad = await fetch(`${stack.baseUrl}/api/v1/fqdns/${fqdn.id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-api-key": stack.apiKey },
      body: JSON.stringify({ tls: "selfsigned" }),
    })
    expect(bad.status).toBe(400)
    expect((await client.fqdns.get({ path: { id: fqdn.id } })).tls).toBe("letsencrypt")
  }, 120_000)
})
