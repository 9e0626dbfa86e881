// Custom TLS certificates end to end: uploaded through the SDK (checked in the API with
// node:crypto), installed by the tenant's sync in a real web node's nginx, and served: a real TLS
// handshake returns the uploaded leaf. Refused uploads (wrong key, chain order, expiry, name,
// junk) are 422 and write nothing.
import { existsSync, statSync, writeFileSync } from "node:fs"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { makeTestCa, type TestCa, tlsFingerprint } from "../support/certificates.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, makeTestWebNode, settled, type TestWebNode } from "../support/web-node.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let stack: Stack
let node: TestWebNode
let client: PromiseClient
let ca: TestCa
let brandId: string
let shardId: string

const HOST = "secure.example.test"

/** The fingerprint of the certificate the node's nginx presents for `servername`. */
const handshake = (servername: string) => tlsFingerprint(node.httpsPort, servername)

/** POSTs an upload as raw HTTP, for the status and the error envelope. */
const upload = async (fqdnId: string, certificate_pem: string, private_key_pem: string) => {
  const res = await fetch(`${stack.baseUrl}/api/v1/fqdns/${fqdnId}/certificates`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": stack.apiKey },
    body: JSON.stringify({ certificate_pem, private_key_pem }),
  })
  return { status: res.status, json: (await res.json()) as any }
}

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_certs")
  node = await makeTestWebNode()
  ca = makeTestCa()
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: { ...node.env, HOSTING_AGENT_TIMEOUT_SECONDS: "30" },
  })
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  shardId = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items.find(
    (s) => s.role === "web",
  )!.id
  await waitForAgent(client, stack.nodeId)
  brandId = (await client.brands.create({ payload: { name: `certificates ${Date.now()}` } })).id
  await client.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
}, 180_000)

afterAll(async () => {
  await stack?.stop()
  await node?.cleanup()
  await db?.drop()
  ca?.cleanup()
})

describe("custom certificates", () => {
  it("an uploaded chain is installed in nginx and served; a newer one replaces it; unbinding removes it", async () => {
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardId as never } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: HOST } })
    await settled("fqdn", () => client.fqdns.get({ path: { id: fqdn.id } }))

    const first = ca.leaf([HOST])
    const t0 = Date.now()
    const created = await client.certificates.upload({
      path: { id: fqdn.id },
      payload: { certificate_pem: first.certificatePem + ca.certificatePem, private_key_pem: first.keyPem },
    })
    expect(created).toMatchObject({ fqdn_id: fqdn.id, source: "custom", status: "pending", names: [HOST] })
    expect(created.fingerprint).toBe(first.fingerprint256)
    expect(JSON.stringify(created)).not.toMatch(/PRIVATE KEY|private_key/)
    const listed = await client.certificates.list({ path: { id: fqdn.id }, urlParams: {} })
    expect(listed.items.map((c) => c.id)).toEqual([created.id])
    expect(JSON.stringify(listed)).not.toMatch(/PRIVATE KEY|private_key/)

    const fingerprint = await eventually(
      "TLS handshake with the first certificate",
      () => handshake(HOST),
      (f) => f === first.fingerprint256,
      45_000,
    )
    console.log(`upload → served over TLS in ${Date.now() - t0} ms`)
    expect(fingerprint).toBe(first.fingerprint256)
    await settled("certificate", () =>
      client.certificates.list({ path: { id: fqdn.id }, urlParams: {} }).then((p) => p.items[0]!),
    )
    const user = `${node.userPrefix}${tenant.name}`
    const keyFile = `${node.root}/nginx/certs/${user}.${HOST}.key`
    const key = statSync(keyFile)
    expect([key.mode & 0o777, key.uid]).toEqual([0o600, 0])
    // the HTTP block still serves the name
    expect(statSync(`${node.root}/nginx/certs/${user}.${HOST}.crt`).isFile()).toBe(true)

    // a newer certificate is the installed one, and first in the list
    await new Promise((r) => setTimeout(r, 5))
    const second = ca.leaf([`*.example.test`])
    const replaced = await client.certificates.upload({
      path: { id: fqdn.id },
      payload: { certificate_pem: second.certificatePem, private_key_pem: second.keyPem },
    })
    await eventually(
      "TLS handshake with the second certificate",
      () => handshake(HOST),
      (f) => f === second.fingerprint256,
      45_000,
    )
    const page = await client.certificates.list({ path: { id: fqdn.id }, urlParams: {} })
    expect(page.items.map((c) => c.id)).toEqual([replaced.id, created.id])

    // unbinding the name removes its TLS block and files
    await client.fqdns.delete({ path: { id: fqdn.id } })
    await eventually(
      "certificate files removed",
      async () => {
        try {
          statSync(keyFile)
          return false
        } catch {
          return true
        }
      },
      (gone) => gone,
      45_000,
    )
    // nginx stops presenting it once the reload has replaced its workers
    await eventually(
      "TLS no longer served",
      () =>
        handshake(HOST).then(
          (f) => f,
          () => "refused",
        ),
      (f) => f === "refused",
      20_000,
    )
  }, 180_000)

  it("refuses a mismatched key, a wrong chain order, an expired leaf, an uncovered name and junk (422, nothing written)", async () => {
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardId as never } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "refuse.example.test" } })
    const good = ca.leaf(["refuse.example.test"])
    const other = ca.leaf(["refuse.example.test"])
    const expired = ca.leaf(["refuse.example.test"], { days: -1 })
    const elsewhere = ca.leaf(["elsewhere.example.test"])
    const cases: Array<[string, string, string, RegExp]> = [
      ["mismatched key", good.certificatePem, other.keyPem, /private key does not match/],
      ["wrong chain order", ca.certificatePem + good.certificatePem, good.keyPem, /does not match|not issued by/],
      ["chain not in order", good.certificatePem + other.certificatePem, good.keyPem, /not issued by/],
      ["expired leaf", expired.certificatePem, expired.keyPem, /expired/],
      ["name not covered", elsewhere.certificatePem, elsewhere.keyPem, /does not cover refuse\.example\.test/],
      ["garbage", "hello", good.keyPem, /PEM/],
      ["junk around the blocks", `hello\n${good.certificatePem}`, good.keyPem, /only PEM/],
      ["key in the chain", good.certificatePem + good.keyPem, good.keyPem, /only CERTIFICATE/],
      [
        "encrypted key",
        good.certificatePem,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
        /encrypted/,
      ],
      ["oversize", good.certificatePem + "\n".repeat(70_000), good.keyPem, /64 KB/],
    ]
    for (const [what, cert, key, message] of cases) {
      const res = await upload(fqdn.id, cert, key)
      expect(res.status, `${what}: ${JSON.stringify(res.json)}`).toBe(422)
      expect(res.json.error.message, what).toMatch(message)
    }
    const page = await client.certificates.list({ path: { id: fqdn.id }, urlParams: {} })
    expect(page.items).toEqual([])
    // and the good one is accepted
    expect((await upload(fqdn.id, good.certificatePem, good.keyPem)).status).toBe(202)
  }, 120_000)

  it("converge removes orphaned certificate files; deleting the tenant removes its own", async () => {
    const host = "orphan.example.test"
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never, shard_id: shardId as never } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: host } })
    const leaf = ca.leaf([host])
    await client.certificates.upload({
      path: { id: fqdn.id },
      payload: { certificate_pem: leaf.certificatePem, private_key_pem: leaf.keyPem },
    })
    await eventually(
      "TLS served",
      () => handshake(host),
      (f) => f === leaf.fingerprint256,
      45_000,
    )
    const certs = `${node.root}/nginx/certs`
    const own = `${certs}/${node.userPrefix}${tenant.name}.${host}.crt`
    const stray = `${node.userPrefix}t_zzzzzzzzzz.stray.example.test.crt`
    writeFileSync(`${certs}/${stray}`, leaf.certificatePem)

    const plan = await client.shards.converge({ path: { id: shardId as never }, payload: { plan: true } })
    expect(plan.plan).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: "delete", kind: "certificate", target: stray })]),
    )
    expect(existsSync(`${certs}/${stray}`)).toBe(true)
    await client.shards.converge({ path: { id: shardId as never }, payload: {} })
    await settled("converge", () => client.shards.get({ path: { id: shardId as never } }))
    expect(existsSync(`${certs}/${stray}`)).toBe(false)
    expect(existsSync(own)).toBe(true)
    expect(await handshake(host)).toBe(leaf.fingerprint256)

    await client.tenants.delete({ path: { id: tenant.id } })
    await eventually(
      "tenant files removed",
      async () => existsSync(own),
      (present) => !present,
      45_000,
    )
  }, 120_000)
})
