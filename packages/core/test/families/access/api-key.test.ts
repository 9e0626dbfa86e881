import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Schema } from "effect"
import { accessDenied, endpointAccess } from "../../../src/api/access.js"
import { HostingApi } from "../../../src/api/index.js"
import type { ApiKeyId } from "../../../src/domain/ids.js"
import {
  API_KEY_PREFIX,
  CreateApiKey,
  generateApiKeySecret,
  hashApiKeySecret,
  isPlatformAdmin,
  MAX_KEY_BRANDS,
  MAX_KEY_SCOPES,
  type Principal,
  Scope,
  scopeAllows,
  UpdateApiKey,
} from "../../../src/families/access/domain-api-key.js"
import { scopesCover } from "../../../src/families/access/service-api-keys.js"

const resource = fc.constantFrom("tenants", "brands", "nodes", "shards", "api-keys")
const action = fc.constantFrom("read", "write")

describe("scopeAllows", () => {
  it.prop("`*` allows everything", [resource, action], ([r, a]) => {
    expect(scopeAllows(["*"], `${r}:${a}`)).toBe(true)
  })

  it.prop("an exact scope allows itself", [resource, action], ([r, a]) => {
    expect(scopeAllows([`${r}:${a}`], `${r}:${a}`)).toBe(true)
  })

  it.prop("a scope for one resource never allows another", [resource, resource, action], ([r1, r2, a]) => {
    fc.pre(r1 !== r2)
    expect(scopeAllows([`${r1}:${a}`, `${r1}:*`], `${r2}:${a}`)).toBe(false)
  })

  it.prop("write implies read, read never implies write", [resource], ([r]) => {
    expect(scopeAllows([`${r}:write`], `${r}:read`)).toBe(true)
    expect(scopeAllows([`${r}:read`], `${r}:write`)).toBe(false)
    expect(scopeAllows(["*:read"], `${r}:write`)).toBe(false)
    expect(scopeAllows(["*:read"], `${r}:read`)).toBe(true)
  })

  it("no scopes allow nothing", () => {
    expect(scopeAllows([], "nodes:read")).toBe(false)
  })
})

describe("scope forms", () => {
  it("accept every documented form", () => {
    for (const s of ["*", "*:read", "*:write", "tenants:read", "tenants:write", "tenants:*", "api-keys:read"]) {
      expect(Schema.is(Scope)(s), s).toBe(true)
    }
  })

  it("refuse anything else", () => {
    for (const s of ["", "*:*", "*:delete", "tenants", "tenants:", ":read", "Tenants:read", "tenants:read ", "**"]) {
      expect(Schema.is(Scope)(s), s).toBe(false)
    }
  })
})

describe("a *:read key", () => {
  const rules = endpointAccess(HostingApi).filter((r) => r.scope !== undefined)
  const reader: Principal = {
    keyId: "6f1c1c2e-0b7c-4c2b-9a43-2b7f0f0a8f11" as ApiKeyId,
    name: "reader",
    scopes: ["*:read"],
    brands: ["*"],
  }

  it("may call every GET of the contract and nothing else", () => {
    expect(rules.length).toBeGreaterThan(40)
    for (const r of rules) {
      expect(accessDenied(r, reader)?.details, `${r.method} ${r.path}`).toEqual(
        r.method === "GET" ? undefined : { required_scope: r.scope },
      )
    }
  })

  it("may create keys with read scopes only", () => {
    const resources = ["brands", "tenants"]
    expect(scopesCover(["*:read"], ["brands:read", "*:read"], resources)).toBe(true)
    expect(scopesCover(["*:read"], ["brands:write"], resources)).toBe(false)
    expect(scopesCover(["*:read"], ["brands:*"], resources)).toBe(false)
    expect(scopesCover(["*:read"], ["*:write"], resources)).toBe(false)
    expect(scopesCover(["tenants:read", "brands:read"], ["*:read"], resources)).toBe(false)
    expect(scopesCover(["*"], ["*:read", "*:write"], resources)).toBe(true)
  })
})

const uuids = (n: number) =>
  Array.from({ length: n }, (_, i) => `6f1c1c2e-0b7c-4c2b-9a43-${i.toString(16).padStart(12, "0")}`)
const decodeMessage = (schema: Schema.Schema<any, any>, input: unknown): string | undefined =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all" })(input), {
    onLeft: (e) => e.message,
    onRight: () => undefined,
  })

describe("API key bodies", () => {
  const valid = { name: "ci", scopes: ["brands:read"], brands: uuids(1) }

  it("cap brands at 100, naming the limit", () => {
    expect(MAX_KEY_BRANDS).toBe(100)
    for (const schema of [CreateApiKey, UpdateApiKey]) {
      expect(decodeMessage(schema, { ...valid, brands: uuids(100) })).toBeUndefined()
      expect(decodeMessage(schema, { ...valid, brands: uuids(101) })).toContain("at most 100 brands")
    }
  })

  it("cap scopes at 64 and names at 100 characters", () => {
    expect(MAX_KEY_SCOPES).toBe(64)
    const scopes = Array.from({ length: 65 }, (_, i) => `r${i}:read`)
    for (const schema of [CreateApiKey, UpdateApiKey]) {
      expect(decodeMessage(schema, { ...valid, scopes: scopes.slice(0, 64) })).toBeUndefined()
      expect(decodeMessage(schema, { ...valid, scopes })).toContain("at most 64 scopes")
      expect(decodeMessage(schema, { ...valid, name: "n".repeat(100) })).toBeUndefined()
      expect(decodeMessage(schema, { ...valid, name: "n".repeat(101) })).toContain("at most 100 character")
    }
  })

  it('refuse an empty brand list and "*" next to brand ids', () => {
    for (const schema of [CreateApiKey, UpdateApiKey]) {
      expect(decodeMessage(schema, { ...valid, brands: [] })).toContain("at least one brand")
      expect(decodeMessage(schema, { ...valid, scopes: [] })).toContain("at least one scope")
      expect(decodeMessage(schema, { ...valid, brands: ["*", ...uuids(1)] })).toContain('"*" stands alone')
      expect(decodeMessage(schema, { ...valid, brands: ["*", "*"] })).toContain('"*" stands alone')
      expect(decodeMessage(schema, { ...valid, brands: ["*"] })).toBeUndefined()
      expect(decodeMessage(schema, { ...valid, brands: ["brand-a"] })).toBeDefined()
    }
  })

  it("accept *:read", () => {
    expect(decodeMessage(CreateApiKey, { ...valid, scopes: ["*:read"], brands: ["*"] })).toBeUndefined()
  })
})

describe("API key secrets", () => {
  it("have the prefix, 40 alphanumerics, and do not repeat", () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const k = generateApiKeySecret()
      expect(k).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9]{40}$`))
      seen.add(k)
    }
    expect(seen.size).toBe(1000)
  })

  it.effect("are stored as their SHA-256", () =>
    Effect.gen(function* () {
      // sha256("abc"), FIPS 180-2 test vector
      expect(yield* hashApiKeySecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }),
  )

  it("platform admin means brand access exactly ['*']", () => {
    expect(isPlatformAdmin({ brands: ["*"] })).toBe(true)
    expect(isPlatformAdmin({ brands: [] })).toBe(false)
    expect(isPlatformAdmin({ brands: ["6f1c1c2e-0b7c-4c2b-9a43-2b7f0f0a8f11"] })).toBe(false)
  })
})
