// Scope and brand-isolation matrix over every endpoint of the contract: no key → 401; a key
// without the scope → 403; a key of another brand → 404 or filtered (403 on platform
// resources); the platform admin → allowed. Endpoints added to the contract are covered here
// without changing this file (they need a fixture id if they introduce a new path segment).
import { randomUUID } from "node:crypto"
import { createClient } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { brandResourceIds, createBrandResources, createPlatformResources } from "../support/brand-resources.js"
import { type EndpointCase, endpointCases, fillPath, requiredQuery, send, validBody } from "../support/contract.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

let db: TestDatabase
let stack: Stack
const ids: Record<string, string> = {}
const keys: Record<"brandA" | "brandB" | "noScope", string> = { brandA: "", brandB: "", noScope: "" }
let brandAIds: Array<string> = []

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_matrix")
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: { HOSTING_AGENT_TIMEOUT_SECONDS: "2" },
  })
  const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const brandA = await admin.brands.create({ payload: { name: "Brand A" } })
  const brandB = await admin.brands.create({ payload: { name: "Brand B" } })
  const keyA = await admin.apiKeys.create({ payload: { name: "key A", scopes: ["*"], brands: [brandA.id] } })
  const keyB = await admin.apiKeys.create({ payload: { name: "key B", scopes: ["*"], brands: [brandB.id] } })
  // the api-keys fixture is a second key of brand A, so deleting it never revokes key A itself
  const keyA2 = await admin.apiKeys.create({
    payload: { name: "key A2", scopes: ["brands:read"], brands: [brandA.id] },
  })
  const noScope = await admin.apiKeys.create({
    payload: { name: "no scope", scopes: ["zz-nothing:read"], brands: ["*"] },
  })
  const platform = await createPlatformResources(admin, "matrix")
  // brand A's web tier and DNS: a tenant with a webroot, an FQDN, a certificate and an SSH key; a zone with a record
  const resources = await createBrandResources(admin, brandA.id, platform.cluster.id, "matrix")
  Object.assign(ids, {
    brands: brandA.id,
    "api-keys": keyA2.id,
    ...platform.ids,
    ...brandResourceIds(resources),
  })
  Object.assign(keys, { brandA: keyA.key, brandB: keyB.key, noScope: noScope.key })
  brandAIds = [brandA.id, keyA.id, keyA2.id, ...Object.values(brandResourceIds(resources))]
})

afterAll(async () => {
  await stack?.stop()
  await db?.stop()
})

const segment = (c: EndpointCase) => c.path.split("/")[3]!
const idFor = (c: EndpointCase) => {
  const id = ids[segment(c)]
  if (id === undefined) throw new Error(`no fixture id for /${segment(c)}: add one to this test's beforeAll`)
  return id
}
const request = (c: EndpointCase, apiKey: string | undefined, id = c.path.includes(":id") ? idFor(c) : "") => {
  const body = validBody(c)
  return send(
    stack.baseUrl,
    c,
    fillPath(c, id) + requiredQuery(c),
    apiKey,
    body === undefined ? undefined : JSON.stringify(body),
  )
}

const authenticated = endpointCases.filter((c) => c.authenticated)

describe("scope and brand-isolation matrix", () => {
  it("covers the whole contract", () => {
    expect(authenticated.length).toBeGreaterThan(40)
  })

  it.each(authenticated.map((c) => [`${c.method} ${c.path}`, c] as const))("%s: no key → 401", async (_, c) => {
    const res = await request(c, undefined)
    expect(res.status).toBe(401)
    expect(res.json).toMatchObject({ error: { code: "unauthorized" } })
  })

  it.each(authenticated.filter((c) => c.scope !== undefined).map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: key without the scope → 403",
    async (_, c) => {
      const res = await request(c, keys.noScope)
      expect(res.status).toBe(403)
      expect(res.json).toMatchObject({ error: { code: "forbidden", details: { required_scope: c.scope } } })
    },
  )

  it.each(authenticated.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: key of another brand → 404/filtered",
    async (_, c) => {
      const res = await request(c, keys.brandB)
      if (c.platformOnly) {
        expect(res.status).toBe(403)
        expect(res.json).toMatchObject({ error: { code: "forbidden" } })
      } else if (c.path.includes(":id")) {
        expect(res.status).toBe(404)
        expect(res.json).toMatchObject({ error: { code: "not_found" } })
      } else {
        expect(res.status).toBeLessThan(500)
        for (const id of brandAIds) expect(JSON.stringify(res.json)).not.toContain(id)
      }
    },
  )

  it.each(authenticated.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: brand A's own key is not refused",
    async (_, c) => {
      if (c.platformOnly) return
      const res = await request(c, keys.brandA)
      expect(res.status).not.toBe(401)
      // a 403 here may only be a refused escalation (e.g. granting brands "*"), never the scope
      // or platform-only checks
      if (res.status === 403) expect(res.json.error.details ?? {}).toEqual({})
      expect(res.status).toBeLessThan(500)
    },
  )

  // last: the admin's requests may change fixtures, so they use fresh ids (deletes find nothing)
  it.each(authenticated.map((c) => [`${c.method} ${c.path}`, c] as const))(
    "%s: platform admin → allowed",
    async (_, c) => {
      const res = await request(c, stack.apiKey, randomUUID())
      expect([401, 403]).not.toContain(res.status)
      expect(res.status).toBeLessThan(500)
    },
  )
})
