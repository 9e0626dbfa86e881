import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import {
  API_KEY_PREFIX,
  generateApiKeySecret,
  hashApiKeySecret,
  isPlatformAdmin,
  scopeAllows,
} from "../src/domain/api-key.js"

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
