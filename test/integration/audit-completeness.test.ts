// The audit log is complete: for generated sequences of mutations — valid, invalid, with NUL,
// oversized, deeply nested, not JSON, with good, bad and read-only keys — every request that
// changed state has exactly one audit entry, with its action and its 2xx status, and every
// authenticated mutation has exactly one entry whatever its outcome.
import { createClient } from "@hosting/sdk"
import { FastCheck as fc } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

let db: TestDatabase
let stack: Stack
let sql: pg.Client
let readOnlyKey: string

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_auditall")
  stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  readOnlyKey = (await admin.apiKeys.create({ payload: { name: "reader", scopes: ["*:read"], brands: ["*"] } })).key
})

afterAll(async () => {
  await sql?.end()
  await stack?.stop()
  await db?.stop()
})

// Everything these mutations can change, compared as text before and after each request.
const STATE = `SELECT json_build_object(
  'brands', (SELECT json_agg(b ORDER BY id) FROM brands b),
  'regions', (SELECT json_agg(r ORDER BY id) FROM regions r),
  'api_keys', (SELECT json_agg(json_build_object('id', id, 'name', name, 'scopes', scopes, 'brands', brands, 'revoked', revoked_at) ORDER BY id) FROM api_keys),
  'platform', (SELECT json_agg(config) FROM platform_config)
)::text AS s`
const state = async () => (await sql.query(STATE)).rows[0].s as string
// New entries by id (timestamps have millisecond precision, so order cannot tell new from old)
const seenIds = new Set<string>()
const newEntries = async () => {
  const rows = (await sql.query(`SELECT id, action, status_code FROM audit_logs WHERE action <> 'auth.refused'`))
    .rows as Array<{ id: string; action: string; status_code: number | null }>
  const fresh = rows.filter((r) => !seenIds.has(r.id))
  for (const r of fresh) seenIds.add(r.id)
  return fresh.map(({ action, status_code }) => ({ action, status_code }))
}

type Target = "brand" | "region" | "key"
type BodyShape = "valid" | "nul" | "huge" | "deep" | "not-json" | "invalid"
type KeyKind = "admin" | "bad" | "read-only"
interface Command {
  readonly op: "create" | "update" | "delete" | "config"
  readonly target: Target
  readonly pick: number
  readonly shape: BodyShape
  readonly key: KeyKind
  readonly salt: number
}

const command = fc.record({
  op: fc.constantFrom("create", "create", "update", "delete", "config"),
  target: fc.constantFrom<Target>("brand", "region", "key"),
  pick: fc.nat(),
  shape: fc.constantFrom<BodyShape>("valid", "valid", "valid", "nul", "huge", "deep", "not-json", "invalid"),
  key: fc.constantFrom<KeyKind>("admin", "admin", "admin", "bad", "read-only"),
  salt: fc.nat(),
}) as fc.Arbitrary<Command>

const ids: Record<Target, Array<string>> = { brand: [], region: [], key: [] }
const collection: Record<Target, string> = { brand: "brands", region: "regions", key: "api-keys" }

const validBody = (c: Command): unknown => {
  if (c.op === "config") return { audit_retention_days: 1 + (c.salt % 3650) }
  if (c.target === "brand") return { name: `Brand ${c.salt}` }
  if (c.target === "region") return { name: `r-${c.salt}` }
  return c.op === "create"
    ? { name: `key ${c.salt}`, scopes: ["brands:read"], brands: ["*"] }
    : { name: `key ${c.salt}` }
}

const bodyText = (c: Command): string | undefined => {
  if (c.op === "delete" && c.shape === "valid") return undefined
  const valid = validBody(c) as Record<string, unknown>
  switch (c.shape) {
    case "valid":
      return JSON.stringify(valid)
    case "nul":
      return JSON.stringify({ ...valid, name: `nul\u0000${c.salt}` })
    case "huge":
      return JSON.stringify({ ...valid, name: "h".repeat(1_100_000) })
    case "deep":
      return `${"[".repeat(5_000)}${"]".repeat(5_000)}`
    case "not-json":
      return `name=${c.salt}`
    case "invalid":
      return JSON.stringify({ ...valid, zz_unknown: true })
  }
}

const requestOf = (c: Command): { method: string; path: string } | undefined => {
  if (c.op === "config") return { method: "PUT", path: "/api/v1/platform/config" }
  if (c.op === "create") return { method: "POST", path: `/api/v1/${collection[c.target]}` }
  const known = ids[c.target]
  if (known.length === 0) return undefined
  const id = known[c.pick % known.length]!
  return { method: c.op === "update" ? "PUT" : "DELETE", path: `/api/v1/${collection[c.target]}/${id}` }
}

const expectedAction = (c: Command): string =>
  c.op === "config" ? "platform.updateConfig" : `${c.target === "key" ? "apiKeys" : `${c.target}s`}.${c.op}`

describe("the audit log is complete", () => {
  it("every request that changed state has exactly one entry; every authenticated mutation has one", async () => {
    await newEntries()
    let steps = 0
    let changes = 0
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 16 }), async (commands) => {
        for (const c of commands) {
          const req = requestOf(c)
          if (req === undefined) continue
          const key = c.key === "admin" ? stack.apiKey : c.key === "read-only" ? readOnlyKey : "hpk_not-a-key"
          const before = await state()
          const body = bodyText(c)
          const res = await fetch(`${stack.baseUrl}${req.path}`, {
            method: req.method,
            headers: { "x-api-key": key, "content-type": "application/json" },
            ...(body === undefined ? {} : { body }),
          })
          const answer = res.headers.get("content-type")?.includes("json") ? await res.json() : undefined
          const changed = (await state()) !== before
          const entries = await newEntries()
          steps++
          const what = `${req.method} ${req.path} (${c.shape}, ${c.key}) → ${res.status}`
          expect(res.status, what).toBeLessThan(500)
          if (changed) {
            changes++
            expect(entries, what).toEqual([{ action: expectedAction(c), status_code: res.status }])
            expect(res.status, what).toBeLessThan(300)
          }
          if (c.key === "bad") expect(entries, what).toEqual([])
          else expect(entries, what).toEqual([{ action: expectedAction(c), status_code: res.status }])
          if (c.op === "create" && res.status === 201) ids[c.target].push((answer as { id: string }).id)
        }
      }),
      { numRuns: 15, endOnFailure: true },
    )
    // the generator must have exercised both outcomes for the property to mean something
    expect(steps).toBeGreaterThan(40)
    expect(changes).toBeGreaterThan(5)
  })
})
