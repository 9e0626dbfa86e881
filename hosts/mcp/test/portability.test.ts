// Tool schemas derived from the contract pass the MCP Inspector's `--strict` portability check
// (its rules are reproduced in schema-lint.ts): no errors, and no warnings either.
import { OpenApi } from "@effect/platform"
import { HostingApi } from "@hosting/sdk"
import { describe, expect, it } from "vitest"
import { withObjectSchemas } from "../src/json-schema.js"
import { deriveTools } from "../src/openapi-tools.js"
import { hostingTools } from "../src/server.js"
import { lintSchema } from "./schema-lint.js"

describe("tool schema portability", () => {
  it("every tool of the contract passes the Inspector's --strict rules without a finding", () => {
    const tools = hostingTools()
    expect(tools.length).toBeGreaterThan(40)
    const findings = tools.flatMap((t) => lintSchema(t.inputSchema).map((f) => `${t.name}: ${f.rule} at ${f.path}`))
    expect(findings).toEqual([])
    // the served tools are the document's, with the contract's hints
    expect(tools.map((t) => t.name)).toEqual(deriveTools(OpenApi.fromApi(HostingApi)).map((t) => t.name))
  })

  it("the rules find what the Inspector finds", () => {
    expect(lintSchema({ type: "object", properties: { a: false, b: {}, c: { type: ["string", "null"] } } })).toEqual([
      { rule: "boolean-schema", severity: "error", path: "inputSchema.properties.a" },
      { rule: "untyped-schema", severity: "warning", path: "inputSchema.properties.b" },
      { rule: "type-union", severity: "warning", path: "inputSchema.properties.c" },
    ])
    expect(lintSchema({ type: "array", prefixItems: [{ type: "string" }], items: false })).toEqual([
      { rule: "boolean-schema", severity: "error", path: "inputSchema.items" },
    ])
    expect(lintSchema({ type: "object", additionalProperties: false, properties: { n: { not: {} } } })).toEqual([])
    expect(lintSchema({ $ref: "https://example.test/s.json" })).toEqual([
      { rule: "remote-ref", severity: "warning", path: "inputSchema" },
    ])
  })

  it("bare boolean schemas are written in object form, except where a boolean is meant", () => {
    // Effect's JSON Schema of a fixed tuple ends in `"items": false`
    const tuple = { type: "array", minItems: 1, prefixItems: [{ type: "string" }], items: false }
    expect(
      withObjectSchemas({ type: "object", properties: { t: tuple, any: true }, additionalProperties: false }),
    ).toEqual({
      type: "object",
      properties: { t: { ...tuple, items: { not: {} } }, any: {} },
      additionalProperties: false,
    })
    expect(lintSchema(withObjectSchemas({ type: "object", properties: { t: tuple } }))).toEqual([])
  })
})
