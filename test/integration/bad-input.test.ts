// Every endpoint fed malformed JSON, wrong types, oversize strings, unknown fields, injection
// strings, NUL (in bodies, escaped and raw, and in the URL), bodies over the limit, deep nesting,
// names that are not public host names and names in another brand's zone answers 4xx with the
// error envelope, never 5xx, and a refused request changes nothing.
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Either, Schema } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { brandResourceIds, createBrandResources, createPlatformResources } from "../support/brand-resources.js"
import { type EndpointCase, endpointCases, fillPath, send, validBody } from "../support/contract.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

let db: TestDatabase
let stack: Stack
let client: pg.Client
let admin: PromiseClient
const ids: Record<string, string> = {}

const INJECTIONS = [
  "example.com; return 200",
  "x\nserver { listen 80; }",
  "'; DROP TABLE brands; --",
  "$(rm -rf /)",
  "`id`",
  "../../../etc/passwd",
  "\u0000",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "ехample.com", // Cyrillic е: a confusable
  "a".repeat(100_000),
]

// Write-only fields: stored (as a hash) but never part of an answer.
const WRITE_ONLY = /^password$/

// Tables whose contents a refused request must leave exactly as they were. Of the web tier, the
// columns a request writes (every write a node must see bumps `revision`), not the status its
// tenant's sync sets meanwhile.
const SNAPSHOT = `SELECT json_build_object(
  'brands', (SELECT json_agg(b ORDER BY id) FROM brands b),
  'regions', (SELECT json_agg(r ORDER BY id) FROM regions r),
  'region_runtimes', (SELECT json_agg(x ORDER BY region_id, runtime) FROM region_runtimes x),
  'clusters', (SELECT json_agg(c ORDER BY id) FROM clusters c),
  'shards', (SELECT json_agg(s ORDER BY id) FROM shards s),
  'nodes', (SELECT json_agg(n ORDER BY id) FROM nodes n),
  'node_shards', (SELECT json_agg(x ORDER BY node_id, shard_id) FROM node_shards x),
  'lb_addresses', (SELECT json_agg(l ORDER BY id) FROM lb_addresses l),
  'brand_clusters', (SELECT json_agg(x ORDER BY brand_id, cluster_id) FROM brand_clusters x),
  'api_keys', (SELECT json_agg(json_build_object('id', id, 'name', name, 'scopes', scopes, 'brands', brands, 'revoked', revoked_at) ORDER BY id) FROM api_keys),
  'platform', (SELECT json_agg(config) FROM platform_config),
  'tenants', (SELECT json_agg(json_build_object('id', id, 'brand_id', brand_id, 'shard_id', shard_id, 'name', name, 'display_name', display_name, 'suspended', suspended, 'migrate_to', migrate_to, 'revision', revision) ORDER BY id) FROM tenants),
  'webroots', (SELECT json_agg(json_build_object('id', id, 'tenant_id', tenant_id, 'name', name, 'runtime', runtime, 'runtime_version', runtime_version, 'entrypoint', entrypoint, 'numprocs', numprocs, 'revision', revision) ORDER BY id) FROM webroots),
  'fqdns', (SELECT json_agg(json_build_object('id', id, 'webroot_id', webroot_id, 'hostname', hostname, 'revision', revision) ORDER BY id) FROM fqdns),
  'certificates', (SELECT json_agg(json_build_object('id', id, 'fqdn_id', fqdn_id, 'certificate_pem', certificate_pem, 'private_key_pem', private_key_pem, 'revision', revision) ORDER BY id) FROM certificates),
  'ssh_keys', (SELECT json_agg(json_build_object('id', id, 'tenant_id', tenant_id, 'name', name, 'public_key', public_key, 'revision', revision) ORDER BY id) FROM ssh_keys),
  'zones', (SELECT json_agg(json_build_object('id', id, 'brand_id', brand_id, 'tenant_id', tenant_id, 'name', name, 'revision', revision) ORDER BY id) FROM zones),
  'dns_records', (SELECT json_agg(json_build_object('id', id, 'zone_id', zone_id, 'name', name, 'type', type, 'ttl', ttl, 'data', data, 'content', content, 'managed_by', managed_by, 'revision', revision) ORDER BY id) FROM dns_records),
  's3_buckets', (SELECT json_agg(json_build_object('id', id, 'tenant_id', tenant_id, 'shard_id', shard_id, 'name', name, 'public_read', public_read, 'max_size_bytes', max_size_bytes, 'max_objects', max_objects, 'force_delete', force_delete, 'revision', revision) ORDER BY id) FROM s3_buckets),
  's3_access_keys', (SELECT json_agg(json_build_object('id', id, 'bucket_id', bucket_id, 'access_key_id', access_key_id, 'access', access, 'revision', revision) ORDER BY id) FROM s3_access_keys)
) AS s`

const snapshot = async () => JSON.stringify((await client.query(SNAPSHOT)).rows[0].s)

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_badinput")
  stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
  admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const brand = await admin.brands.create({ payload: { name: "Target" } })
  const key = await admin.apiKeys.create({ payload: { name: "target", scopes: ["brands:read"], brands: [brand.id] } })
  // (its node in no shard, and no probe: a nil probe id is enough for refused requests)
  const platform = await createPlatformResources(admin, "target", { nodeInShard: false, probe: false })
  const resources = await createBrandResources(admin, brand.id, platform.cluster.id, "target")
  Object.assign(ids, {
    brands: brand.id,
    "api-keys": key.id,
    ...platform.ids,
    "node-probes": "00000000-0000-4000-8000-000000000000",
    ...brandResourceIds(resources),
  })
})

afterAll(async () => {
  await client?.end()
  await stack?.stop()
  await db?.stop()
})

const pathOf = (c: EndpointCase) => fillPath(c, ids[c.path.split("/")[3]!] ?? "")

/** Sends a request that must be refused: 4xx, the envelope, and no change in the database. */
const expectRefused = async (c: EndpointCase, path: string, body: string | undefined, what: string) => {
  const before = await snapshot()
  const res = await send(stack.baseUrl, c, path, stack.apiKey, body)
  expect(res.status, `${what}: ${JSON.stringify(res.json)?.slice(0, 300)}`).toBeGreaterThanOrEqual(400)
  expect(res.status, what).toBeLessThan(500)
  expect(res.json, what).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
  expect(await snapshot(), `${what} changed the database`).toBe(before)
}

/** Every string-valued path in a JSON value, for targeted replacement. */
const stringPaths = (v: unknown, at: Array<string | number> = []): Array<Array<string | number>> => {
  if (typeof v === "string") return [at]
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...at, i]))
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...at, k]))
  return []
}
const replaceAt = (v: unknown, at: Array<string | number>, value: unknown): unknown => {
  if (at.length === 0) return value
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) }
  copy[at[0]!] = replaceAt(copy[at[0]!], at.slice(1), value)
  return copy
}

const withBody = endpointCases.filter((c) => c.authenticated && c.payload !== undefined)
const withId = endpointCases.filter((c) => c.authenticated && c.path.includes(":id"))
const lists = endpointCases.filter((c) => c.authenticated && c.method === "GET" && c.endpoint === "list")

/** Names that are not public host names: IP literals in any notation, single labels, special use. */
const NOT_HOSTNAMES = [
  "127.0.0.1",
  "127.1",
  "2130706433",
  "0x7f.1",
  "192.0.2.1",
  "localhost",
  "intranet",
  "db.localhost",
  "printer.local",
  "x.onion",
  "a.invalid",
  "1.2.3.4.5",
]
/** Body fields that hold host names, wherever they sit. */
const HOSTNAME_FIELD = /^(hostname|base_domain|ns_hostnames)$/
const hostnamePaths = (c: EndpointCase, body: unknown) =>
  stringPaths(body).filter(
    (at) =>
      at.some((k) => typeof k === "string" && HOSTNAME_FIELD.test(k)) ||
      // a zone's name is its apex
      (c.group === "zones" && at.length === 1 && at[0] === "name"),
  )

describe("bad input", () => {
  it.each(withBody.map((c) => [`${c.method} ${c.path}`, c] as const))("%s: malformed bodies", async (_, c) => {
    for (const body of ['{"name":', "not json", "[]", '"a string"', "123", "null", "{}{}"]) {
      await expectRefused(c, pathOf(c), body, `body ${body}`)
    }
  })

  it.each(withBody.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: unknown fields and wrong types",
    async (_, c) => {
      const valid = validBody(c) as Record<string, unknown>
      await expectRefused(c, pathOf(c), JSON.stringify({ ...valid, zz_unknown_field: 1 }), "unknown field")
      for (const key of Object.keys(valid)) {
        for (const wrong of [{ nested: true }, [1, 2], 12345, true]) {
          if (typeof valid[key] === typeof wrong && Array.isArray(valid[key]) === Array.isArray(wrong)) continue
          // a nullable field's sample may be null, which says nothing of its type: a value the
          // contract itself accepts (max_objects=12345) is not a wrong type
          if (Either.isRight(Schema.decodeUnknownEither(c.payload!)({ ...valid, [key]: wrong }))) continue
          await expectRefused(
            c,
            pathOf(c),
            JSON.stringify({ ...valid, [key]: wrong }),
            `${key}=${JSON.stringify(wrong)}`,
          )
        }
      }
    },
  )

  it.each(withBody.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: injection and oversize strings are refused or stored verbatim, never 5xx",
    async (_, c) => {
      const valid = validBody(c)
      for (const at of stringPaths(valid)) {
        for (const evil of INJECTIONS) {
          const body = JSON.stringify(replaceAt(valid, at, evil))
          const before = await snapshot()
          const res = await send(stack.baseUrl, c, pathOf(c), stack.apiKey, body)
          expect(res.status, `${at.join(".")}=${evil.slice(0, 30)}`).toBeLessThan(500)
          if (res.status >= 400) {
            expect(res.json).toMatchObject({ error: { code: expect.any(String) } })
            expect(await snapshot()).toBe(before)
          } else if (WRITE_ONLY.test(String(at.at(-1)))) {
            // accepted as a secret (a password may hold any printable character): never answered back
            expect(JSON.stringify(res.json)).not.toContain(JSON.stringify(evil).slice(1, -1))
          } else {
            // accepted: only where the field is free text, and then exactly as sent
            expect(JSON.stringify(res.json)).toContain(JSON.stringify(evil).slice(1, -1).slice(0, 50))
          }
        }
      }
    },
  )

  it.each(withBody.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: a body over the limit is 413, JSON nested 10,000 deep is 400, raw NUL bytes are 400",
    async (_, c) => {
      const limit = c.maxBodyBytes ?? 1024 * 1024
      const valid = validBody(c) as Record<string, unknown>
      const huge = JSON.stringify({ ...valid, zz_padding: "p".repeat(limit + 1) })
      const before = await snapshot()
      const res = await send(stack.baseUrl, c, pathOf(c), stack.apiKey, huge)
      expect(res.status).toBe(413)
      expect(res.json.error).toMatchObject({ code: "payload_too_large", details: { max_bytes: limit } })
      expect(await snapshot()).toBe(before)
      await expectRefused(c, pathOf(c), `${"[".repeat(10_000)}${"]".repeat(10_000)}`, "nesting")
      await expectRefused(c, pathOf(c), `${JSON.stringify(valid).slice(0, -1)},"zz":"\u0000\u0000"}`, "escaped NUL")
      await expectRefused(c, pathOf(c), `{"name":"a\u0000b"\u0000}`, "raw NUL")
    },
  )

  // (a node's own machine name may be a single label: it is not served to anyone)
  const withHostnames = withBody.filter((c) => c.group !== "nodes" && hostnamePaths(c, validBody(c)).length > 0)
  it.each(withHostnames.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: IP literals, single labels and special-use names are refused as host names",
    async (_, c) => {
      const valid = validBody(c)
      for (const at of hostnamePaths(c, valid)) {
        const field = String(at.filter((k) => typeof k === "string").at(-1))
        for (const name of NOT_HOSTNAMES) {
          const what = `${at.join(".")}=${name}`
          const before = await snapshot()
          const res = await send(stack.baseUrl, c, pathOf(c), stack.apiKey, JSON.stringify(replaceAt(valid, at, name)))
          // refused for the name itself, not for anything else in the body
          expect([400, 422], what).toContain(res.status)
          expect(res.json.error.message, what).toContain(field)
          expect(await snapshot(), what).toBe(before)
        }
      }
    },
  )

  it.each(lists.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: a NUL in search, cursor or a filter is 400 with the envelope",
    async (_, c) => {
      for (const q of ["search=a%00", "cursor=%00", "sort=%00name", "zz=%00"]) {
        const res = await send(stack.baseUrl, c, `${pathOf(c)}?${q}`, stack.apiKey)
        expect(res.status, q).toBe(400)
        expect(res.json, q).toEqual({ error: { code: "invalid_request", message: "the URL contains a NUL character" } })
      }
    },
  )

  it("another brand cannot bind a name under this brand's zone, nor make a zone over its names", async () => {
    const other = await admin.brands.create({ payload: { name: "Other" } })
    const theirs = await createBrandResources(admin, other.id, ids["clusters"]!, "other")
    const zoneName = (await admin.zones.get({ path: { id: ids["zones"] as never } })).name
    const bind = endpointCases.find((c) => c.group === "fqdns" && c.endpoint === "create")!
    await expectRefused(
      bind,
      fillPath(bind, theirs.webroot.id),
      JSON.stringify({ hostname: `shop.${zoneName}` }),
      "bind under another brand's zone",
    )
    const zoneCreate = endpointCases.find((c) => c.group === "zones" && c.endpoint === "create")!
    await expectRefused(
      zoneCreate,
      zoneCreate.path,
      JSON.stringify({ name: `sub.${zoneName}`, brand_id: other.id }),
      "zone under another brand's zone",
    )
  })

  it.each(withId.map((c) => [`${c.method} ${c.path}`, c] as const))("%s: hostile path ids", async (_, c) => {
    for (const id of ["not-a-uuid", "'; DROP TABLE brands; --", "../../etc/passwd", "%00", "é", "1 OR 1=1"]) {
      const body = validBody(c)
      await expectRefused(c, fillPath(c, id), body === undefined ? undefined : JSON.stringify(body), `id ${id}`)
    }
  })
})
