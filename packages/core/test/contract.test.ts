import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { OpenApi } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { endpointAccess, HostingApi, NotFound, NotFoundError, scopeAllows, workflowIdFor } from "../src/api/index.js"

describe("the contract", () => {
  const rules = endpointAccess(HostingApi)

  it("puts every /api/v1 endpoint behind an API key with a declared scope", () => {
    // /whoami answers any valid key: it is how a key learns what it may do
    const api = rules.filter((r) => r.path.startsWith("/api/v1/") && r.path !== "/api/v1/whoami")
    expect(rules.find((r) => r.path === "/api/v1/whoami")?.authenticated).toBe(true)
    expect(api.length).toBeGreaterThan(0)
    for (const r of api) {
      expect(r.authenticated, `${r.method} ${r.path}`).toBe(true)
      expect(r.scope, `${r.method} ${r.path}`).toMatch(/^[a-z][a-z0-9-]*:(read|write)$/)
      // reads need :read, anything else :write
      expect(r.scope?.endsWith(r.method === "GET" ? ":read" : ":write"), `${r.method} ${r.path}`).toBe(true)
      expect(scopeAllows(["*"], r.scope!)).toBe(true)
    }
  })

  it("leaves only the health probes unauthenticated", () => {
    expect(rules.filter((r) => !r.authenticated).map((r) => r.path)).toEqual(["/healthz", "/readyz"])
  })

  it("is what docs/openapi.json says (run `npm run openapi` after changing it)", () => {
    const committed = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../../docs/openapi.json", import.meta.url)), "utf8"),
    )
    expect(JSON.parse(JSON.stringify(OpenApi.fromApi(HostingApi)))).toEqual(committed)
  })
})

describe("the OpenAPI document", () => {
  const doc = JSON.parse(JSON.stringify(OpenApi.fromApi(HostingApi)))
  const brandAccess = {
    type: "array",
    items: { anyOf: [{ $ref: "#/components/schemas/UUID" }, { type: "string", enum: ["*"] }] },
    title: "BrandAccess",
    description: 'brand UUIDs, or `["*"]` alone for every brand (a platform administrator)',
  }

  // `["*"]` used to be a tuple (prefixItems + items: false + minItems: 1): a validator or
  // generator that does not know prefixItems reads that as an array that can hold nothing.
  it("describes an API key's brands as one array of brand ids or `*`", () => {
    for (const name of ["ApiKey", "CreatedApiKey", "Whoami"]) {
      expect(doc.components.schemas[name].properties.brands, name).toEqual(brandAccess)
    }
    for (const [path, method] of [
      ["/api/v1/api-keys", "post"],
      ["/api/v1/api-keys/{id}", "put"],
    ] as const) {
      expect(doc.paths[path][method].requestBody.content["application/json"].schema.properties.brands).toEqual({
        ...brandAccess,
        description: '1–100 brand UUIDs, or `["*"]` alone for every brand (a platform administrator)',
        minItems: 1,
        maxItems: 100,
      })
    }
  })

  // A JSON Schema document may give an $id to one schema only (ajv refuses to load it
  // otherwise); Effect gives every Schema.Unknown the same one, and every error envelope's
  // `details` holds one.
  it("gives no $id twice", () => {
    const ids: Array<string> = []
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== "object") return
      if (typeof (v as { $id?: unknown }).$id === "string") ids.push((v as { $id: string }).$id)
      for (const x of Object.values(v)) walk(x)
    }
    walk(doc)
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
    expect(doc.components.schemas.NotFoundError.properties.error.properties.details).toEqual({
      type: "object",
      required: [],
      properties: {},
      additionalProperties: { title: "unknown" },
    })
  })
})

describe("error envelope", () => {
  it.effect("encodes a domain error as {error:{code,message,details}} and decodes it back", () =>
    Effect.gen(function* () {
      const e = new NotFound({ message: "node x not found", details: { id: "x" } })
      const wire = yield* Schema.encode(NotFoundError)(e)
      expect(wire).toEqual({ error: { code: "not_found", message: "node x not found", details: { id: "x" } } })
      const back = yield* Schema.decodeUnknown(NotFoundError)(wire)
      expect(back).toBeInstanceOf(NotFound)
      expect(back.message).toBe("node x not found")
    }),
  )
})

describe("workflow ids", () => {
  it("are a pure function of resource, id and operation", () => {
    expect(workflowIdFor("node-probe", "a", "probe")).toBe(workflowIdFor("node-probe", "a", "probe"))
    expect(workflowIdFor("node-probe", "a", "probe")).not.toBe(workflowIdFor("node-probe", "a", "retry"))
  })
})
