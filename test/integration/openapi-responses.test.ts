// Real responses of every endpoint validated against the OpenAPI document the running API
// publishes, with a real JSON Schema 2020-12 validator: what a validating proxy or a client
// generated in another language would see. Every response this file receives — through the SDK
// while building fixtures, or raw — is checked: its status must be documented for the operation
// and its body must match the schema documented for that status. GET endpoints are taken from
// the document itself, so new ones are covered without changing this file (a new path segment
// needs a fixture id).
import { randomUUID } from "node:crypto"
import { createClient } from "@hosting/sdk"
import Ajv2020 from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { brandResourceIds, createBrandResources, createPlatformResources } from "../support/brand-resources.js"
import { endpointCases, send, validBody } from "../support/contract.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

interface Operation {
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema: unknown }> }>
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required?: boolean }>
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>
}
interface Seen {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string | null
  readonly text: string
}

const DOC_ID = "https://hosting.invalid/openapi.json"
const LABEL = "oas"

let db: TestDatabase
let stack: Stack
let doc: Document
let ajv: InstanceType<typeof Ajv2020.default>
const realFetch = globalThis.fetch
let seen: Array<Seen> = []
const ids: Record<string, string> = {}
// paths whose fixture is not their segment's: a shard's replication is a database shard's
const idsByPath: Record<string, string> = {}
const keys = { reader: "" }

// Every request of this file goes through fetch (the SDK's FetchHttpClient reads globalThis.fetch
// per request), so keeping a copy of each answer here checks the SDK's traffic too.
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await realFetch(input, init)
  const url = new URL(input instanceof Request ? input.url : String(input))
  seen.push({
    method: (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase(),
    path: url.pathname,
    status: res.status,
    contentType: res.headers.get("content-type"),
    text: await res.clone().text(),
  })
  return res
}

const pointer = (...parts: ReadonlyArray<string>) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/")

/** The document's path template a concrete path belongs to (`/api/v1/brands/{id}`). */
const templateOf = (path: string): string | undefined =>
  Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path))

/** Why a response does not match the document, or undefined when it does. */
const mismatch = (r: Seen): string | undefined => {
  const what = `${r.method} ${r.path} → ${r.status}`
  const template = templateOf(r.path)
  if (template === undefined) return `${what}: the path is not in the document`
  const op = doc.paths[template]?.[r.method.toLowerCase()]
  if (op === undefined) return `${what}: the operation is not in the document`
  const response = op.responses[String(r.status)]
  if (response === undefined) {
    return `${what}: status not documented (documented: ${Object.keys(op.responses).join(", ")}): ${r.text.slice(0, 300)}`
  }
  if (response.content === undefined) return r.text === "" ? undefined : `${what}: a body where none is documented`
  const media = r.contentType?.split(";")[0]?.trim() ?? ""
  if (response.content[media] === undefined) {
    return `${what}: content type ${media} not documented (${Object.keys(response.content).join(", ")})`
  }
  const validate = ajv.getSchema(
    `${DOC_ID}#/${pointer("paths", template, r.method.toLowerCase(), "responses", String(r.status), "content", media, "schema")}`,
  )!
  const body = media === "application/json" ? JSON.parse(r.text) : r.text
  return validate(body) ? undefined : `${what}: ${ajv.errorsText(validate.errors)}; body: ${r.text.slice(0, 500)}`
}

/** Checks every response received since the last call against the document, and forgets them. */
const expectDocumented = (): ReadonlyArray<Seen> => {
  const batch = seen
  seen = []
  expect(batch.map(mismatch).filter((m) => m !== undefined)).toEqual([])
  return batch
}

const get = (path: string, apiKey = stack.apiKey) => send(stack.baseUrl, { method: "GET" }, path, apiKey)
const post = (path: string, body: unknown, apiKey = stack.apiKey) =>
  send(stack.baseUrl, { method: "POST" }, path, apiKey, JSON.stringify(body))

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_openapi")
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    // nodes created here have no agent: their probes and converges fail fast
    env: { HOSTING_AGENT_TIMEOUT_SECONDS: "2" },
  })
  doc = (await (await realFetch(`${stack.baseUrl}/openapi.json`)).json()) as Document
  // strictTypes only asks schema authors to repeat `type` next to `minimum` where a $ref gives it
  ajv = new Ajv2020.default({ allErrors: true, strictTypes: false })
  addFormats.default(ajv)
  // registered whole: response schemas $ref into components.schemas. The document's own fields
  // are declared as keywords so strict mode, which stays on for every schema in it, accepts the root.
  ajv.addVocabulary(Object.keys(doc))
  ajv.addSchema({ ...doc, $id: DOC_ID })
  globalThis.fetch = recordingFetch

  const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const brand = await admin.brands.create({ payload: { name: "OpenAPI" } })
  const key = await admin.apiKeys.create({ payload: { name: "fixture", scopes: ["brands:read"], brands: [brand.id] } })
  const platform = await createPlatformResources(admin, LABEL)
  const resources = await createBrandResources(admin, brand.id, platform.cluster.id, LABEL)
  Object.assign(ids, {
    brands: brand.id,
    "api-keys": key.id,
    ...platform.ids,
    ...brandResourceIds(resources),
  })
  const shards = await admin.shards.list({ path: { id: platform.cluster.id }, urlParams: {} })
  idsByPath["/api/v1/shards/{id}/replication"] = shards.items.find((s) => s.role === "database")!.id
})

afterAll(async () => {
  globalThis.fetch = realFetch
  await stack?.stop()
  await db?.stop()
})

const getOperations = () =>
  Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([method]) => method === "get")
      .map(([, op]) => ({ template, op })),
  )

/** A concrete path and query for a GET of the document, from the fixtures. */
const requestFor = (template: string, op: Operation): string => {
  const segment = template.split("/")[3] ?? ""
  const path = template.replace("{id}", () => {
    const id = idsByPath[template] ?? ids[segment]
    if (id === undefined) throw new Error(`no fixture id for /${segment}: add one to this test's beforeAll`)
    return id
  })
  const query = new URLSearchParams()
  for (const p of op.parameters ?? []) {
    if (p.in !== "query" || p.required !== true) continue
    // search for what the fixtures are named after, so results are not empty
    if (p.name !== "q") throw new Error(`no value for the required query parameter ${p.name} of ${template}`)
    query.set(p.name, LABEL)
  }
  return query.size === 0 ? path : `${path}?${query}`
}

describe("responses match the published OpenAPI document", () => {
  it("while the fixtures are created through the SDK", () => {
    const batch = expectDocumented()
    // brand, key, region, cluster, shard, node, LB address, probe, then createBrandResources' writes
    // (then the s3 shard, a bucket, its key; the email shard, an account, its alias, forward, auto-reply)
    expect(batch.filter((r) => r.method !== "GET").map((r) => r.status)).toEqual([
      201, 201, 201, 201, 201, 201, 201, 202, 200, 202, 202, 202, 202, 202, 200, 202, 202, 201, 202, 202, 201, 202, 202,
      201, 202, 202, 202, 202,
    ])
  })

  it("on every GET of the document, lists and single resources", async () => {
    const operations = getOperations()
    expect(operations.map((o) => o.template)).toContain("/api/v1/dns-records/{id}")
    for (const { template, op } of operations) {
      const res = await get(requestFor(template, op))
      expect(res.status, `GET ${template}: ${JSON.stringify(res.json)?.slice(0, 300)}`).toBe(200)
      // a list answering no items would validate without checking its item schema
      if (Array.isArray(res.json?.items)) expect(res.json.items.length, `GET ${template}`).toBeGreaterThan(0)
    }
    expect(expectDocumented()).toHaveLength(operations.length)
  })

  // the `["*"]` of a platform key is what the old document described as an impossible tuple
  it('on a platform key\'s brands ["*"] in /whoami and /api-keys', async () => {
    expect((await get("/api/v1/whoami")).json.brands).toEqual(["*"])
    const reader = await post("/api/v1/api-keys", { name: "platform reader", scopes: ["brands:read"], brands: ["*"] })
    expect(reader.status).toBe(201)
    expect(reader.json.brands).toEqual(["*"])
    expect((await get(`/api/v1/api-keys/${reader.json.id}`)).json.brands).toEqual(["*"])
    expectDocumented()
  })

  it("on the error envelopes: 400, 401, 404", async () => {
    expect((await get(`/api/v1/brands/${randomUUID()}`)).status).toBe(404)
    expect((await get("/api/v1/brands/not-a-uuid")).status).toBe(400)
    expect((await send(stack.baseUrl, { method: "GET" }, "/api/v1/brands", undefined)).status).toBe(401)
    expect((await post("/api/v1/brands", { name: 42 })).status).toBe(400)
    expectDocumented()
  })

  it("for a *:read key: it lists brands and is refused a create (403)", async () => {
    const created = await post("/api/v1/api-keys", { name: "reader", scopes: ["*:read"], brands: ["*"] })
    expect(created.status, JSON.stringify(created.json)).toBe(201)
    expect(created.json.scopes).toEqual(["*:read"])
    keys.reader = created.json.key
    const list = await get("/api/v1/brands", keys.reader)
    expect(list.status).toBe(200)
    expect(list.json.items.map((b: { id: string }) => b.id)).toContain(ids["brands"])
    const refused = await post("/api/v1/brands", { name: "not allowed" }, keys.reader)
    expect(refused.status).toBe(403)
    expect(refused.json).toEqual({
      error: {
        code: "forbidden",
        message: "this API key lacks the scope brands:write",
        details: { required_scope: "brands:write" },
      },
    })
    expectDocumented()
  })

  it("for API key bodies over the limits: 400 naming the limit", async () => {
    const brands = Array.from({ length: 101 }, () => randomUUID())
    const tooMany = await post("/api/v1/api-keys", { name: "wide", scopes: ["brands:read"], brands })
    expect(tooMany.status).toBe(400)
    expect(tooMany.json.error.code).toBe("invalid_request")
    expect(tooMany.json.error.message).toContain('a key may name at most 100 brands; ["*"] stands for every brand')
    const scopes = Array.from({ length: 65 }, (_, i) => `r${i}:read`)
    const tooManyScopes = await post("/api/v1/api-keys", { name: "wide", scopes, brands: ["*"] })
    expect(tooManyScopes.status).toBe(400)
    expect(tooManyScopes.json.error.message).toContain("a key may carry at most 64 scopes")
    expectDocumented()
  })

  it("for the audit log's since/until: ISO 8601 only", async () => {
    for (const bad of ["yesterday", "1", "2026-12-04 10:00:00", "2026-02-30", "2026-12-04T10:00:00"]) {
      const res = await get(`/api/v1/audit-logs?since=${encodeURIComponent(bad)}`)
      expect(res.status, bad).toBe(400)
      expect(res.json.error.code, bad).toBe("invalid_request")
    }
    const since = new Date(Date.now() - 3_600_000).toISOString()
    const recent = await get(`/api/v1/audit-logs?since=${encodeURIComponent(since)}&limit=200`)
    expect(recent.status).toBe(200)
    expect(recent.json.items.length).toBeGreaterThan(0)
    const offset = await get(`/api/v1/audit-logs?until=${encodeURIComponent("2000-01-01T02:00:00+02:00")}`)
    expect(offset.json.items).toEqual([])
    const date = await get("/api/v1/audit-logs?since=2999-01-01")
    expect(date.json.items).toEqual([])
    expectDocumented()
  })

  // last: these change the fixtures. Bodies are generated from each endpoint's payload schema;
  // whatever the API answers (created, refused, conflict) must be what the document says.
  it("on every other operation with a generated body, deletes last", async () => {
    const operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.keys(ops)
        .filter((m) => m !== "get")
        .map((method) => ({ template, method: method.toUpperCase() })),
    )
    operations.sort((a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"))
    for (const { template, method } of operations) {
      const c = endpointCases.find((e) => e.method === method && e.path === template.replace("{id}", ":id"))
      if (c === undefined) throw new Error(`${method} ${template} is in the document but not in the contract`)
      const body = validBody(c)
      const res = await send(
        stack.baseUrl,
        c,
        requestFor(template, {} as Operation),
        stack.apiKey,
        body === undefined ? undefined : JSON.stringify(body),
      )
      expect(res.status, `${method} ${template}: ${JSON.stringify(res.json)?.slice(0, 300)}`).toBeLessThan(500)
    }
    expect(expectDocumented().length).toBe(operations.length)
  })
})
