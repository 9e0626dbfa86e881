import { HttpApi, OpenApi, type OpenApiJsonSchema } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HostingApi, ToolDomain } from "@hosting/sdk"
import { Context, FastCheck as fc, Option } from "effect"
import { contractHints } from "../src/contract-hints.js"
import { DOMAINS, parseDomains } from "../src/domains.js"
import { deriveTools, pollAdvice, TOOL_NAME, type ToolDefinition, toolName, toolTitle } from "../src/openapi-tools.js"

const document = OpenApi.fromApi(HostingApi)
const tools = deriveTools(document, contractHints(HostingApi as never))
const tool = (name: string): ToolDefinition => {
  const found = tools.find((t) => t.name === name)
  if (found === undefined) throw new Error(`no tool ${name}`)
  return found
}

const operations = Object.values(document.paths).flatMap((item) =>
  Object.values(item).flatMap((op) => (op === undefined ? [] : [op])),
)

const operation = (
  operationId: string,
  extra: Partial<OpenApi.OpenAPISpecOperation> = {},
): OpenApi.OpenAPISpecOperation => ({
  operationId,
  parameters: [],
  responses: { 200: { description: "ok" } },
  tags: [operationId.split(".")[0] ?? operationId],
  security: [],
  ...extra,
})

const spec = (
  paths: OpenApi.OpenAPISpecPaths,
  schemas: Record<string, OpenApiJsonSchema.JsonSchema> = {},
): OpenApi.OpenAPISpec => ({
  openapi: "3.1.0",
  info: { title: "test", version: "0" },
  paths,
  components: { schemas, securitySchemes: {} },
  security: [],
  tags: [],
})

const json = { "application/json": { schema: { $ref: "#/components/schemas/Tree" } } } as const

describe("deriveTools over the platform's contract", () => {
  it("makes one tool per operation, named after its operationId", () => {
    expect(operations.length).toBeGreaterThan(40)
    expect(tools.map((t) => t.request.operationId).sort()).toEqual(operations.map((o) => o.operationId).sort())
    for (const t of tools) expect(t.name).toBe(t.request.operationId.replaceAll(".", "_"))
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["brands_create", "brands_list", "regions_create"]))
  })

  it("gives every tool a valid, unique name", () => {
    for (const t of tools) expect(t.name).toMatch(TOOL_NAME)
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length)
  })

  it("leaves no reference to the document in any input schema", () => {
    for (const t of tools) {
      const text = JSON.stringify(t.inputSchema)
      expect(text, t.name).not.toContain("#/components/")
      expect(text, t.name).not.toContain('"$id"')
      expect(t.inputSchema.type).toBe("object")
      expect(t.inputSchema.$defs, t.name).toBeUndefined()
    }
  })

  it("takes path, query and body as the operation needs them", () => {
    expect(tool("brands_create").inputSchema).toMatchObject({
      properties: { body: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
      required: ["body"],
      additionalProperties: false,
    })
    expect(tool("brands_get").inputSchema).toMatchObject({
      properties: { path: { type: "object", required: ["id"], properties: { id: { format: "uuid" } } } },
      required: ["path"],
    })
    expect(tool("brands_list").inputSchema.properties["query"]).toMatchObject({
      properties: { limit: {}, cursor: {}, search: {}, sort: {} },
      required: [],
    })
    expect(tool("brands_list").inputSchema.required).toEqual([])
    expect(Object.keys(tool("session_whoami").inputSchema.properties)).toEqual([])
    // every field of a converge body is optional: the body itself may be left out
    expect(tool("shards_converge").inputSchema.required).toEqual(["path"])
    expect(tool("shards_converge").inputSchema.properties["body"]).toMatchObject({ properties: { plan: {} } })
  })

  it("sets read-only and idempotent hints from the method, destructive from the contract", () => {
    const marked = [
      "brands_setClusters",
      "regions_setRuntimes",
      "shards_failover",
      "tenants_suspend",
      "tenants_migrate",
      "databases_migrate",
    ]
    for (const t of tools) {
      const { method } = t.request
      expect(t.annotations, t.name).toEqual({
        title: t.title,
        readOnlyHint: method === "GET",
        destructiveHint: method === "DELETE" || marked.includes(t.name),
        idempotentHint: method === "GET" || method === "PUT" || method === "DELETE",
      })
    }
    expect(tool("brands_list").annotations.readOnlyHint).toBe(true)
    expect(tool("brands_delete").annotations).toMatchObject({ destructiveHint: true, idempotentHint: true })
    expect(tool("brands_create").annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false })
    expect(tool("brands_update").annotations).toMatchObject({ destructiveHint: false, idempotentHint: true })
    expect(tool("brands_setClusters").annotations).toMatchObject({ destructiveHint: true, idempotentHint: true })
    expect(tool("tenants_suspend").annotations).toMatchObject({ destructiveHint: true, idempotentHint: false })
    expect(tool("tenants_unsuspend").annotations.destructiveHint).toBe(false)
  })

  it("reads Destructive from the contract, and without it only a DELETE is destructive", () => {
    const hints = contractHints(HostingApi as never)
    expect([...(hints.destructive ?? new Map())].sort()).toEqual([
      ["brands.setClusters", true],
      ["databases.migrate", true],
      ["regions.setRuntimes", true],
      ["shards.failover", true],
      ["tenants.migrate", true],
      ["tenants.suspend", true],
    ])
    const bare = deriveTools(document)
    expect(bare.filter((t) => t.annotations.destructiveHint).every((t) => t.request.method === "DELETE")).toBe(true)
    const kept = deriveTools(document, { destructive: new Map([["brands.delete", false]]) })
    expect(kept.find((t) => t.name === "brands_delete")?.annotations.destructiveHint).toBe(false)
  })

  it("titles each tool with its operation summary and describes its method and path", () => {
    expect(tool("brands_create").title).toBe("Create a brand")
    expect(tool("apiKeys_create").title).toBe("Create an API key (the secret is returned only here)")
    expect(tool("brands_create").description).toContain("POST /api/v1/brands")
    expect(tool("brands_get").description).toContain("GET /api/v1/brands/{id}")
  })

  it("names the get tool to poll for operations answering 202", () => {
    expect(tool("shards_converge").poll).toEqual({ tool: "shards_get", idPath: ["shard", "id"] })
    expect(tool("shards_retry").poll).toEqual({ tool: "shards_get", idPath: ["id"] })
    expect(tool("nodes_probe").poll).toEqual({ tool: "nodes_getProbe", idPath: ["id"] })
    expect(tool("nodes_probe").description).toContain("poll nodes_getProbe until its status is active or failed")
    expect(tool("brands_create").poll).toBeUndefined()
    expect(pollAdvice("DELETE", "tenants_get")).toBe(
      "poll tenants_get until it answers not_found (deleted) or its status is failed",
    )
  })

  it("puts each group in the domain its contract declares, and every group declares one", () => {
    expect(tool("regions_create").domain).toBe("infrastructure")
    expect(tool("nodes_probe").domain).toBe("infrastructure")
    expect(tool("brands_create").domain).toBe("platform")
    expect(tool("session_whoami").domain).toBe("platform")
    expect(tool("sshKeys_create").domain).toBe("tenants")
    expect(tool("emailAutoreplies_update").domain).toBe("email")
    // a new contract group must declare its domain (else its tools silently land in "platform")
    const undeclared: Array<string> = []
    const groups: Array<string> = []
    HttpApi.reflect(HostingApi as never, {
      onGroup: ({ group }) => {
        groups.push(group.identifier)
        if (Option.isNone(Context.getOption(group.annotations, ToolDomain))) undeclared.push(group.identifier)
      },
      onEndpoint: () => {},
    })
    expect([groups.sort(), undeclared]).toEqual([document.tags.map((t) => t.name).sort(), []])
  })
})

describe("deriveTools over hand-made documents", () => {
  it("inlines references with their sibling keywords, and keeps recursive ones as $defs", () => {
    const tools = deriveTools(
      spec(
        { "/trees": { post: operation("trees.create", { requestBody: { content: json, required: true } }) } },
        {
          Tree: {
            type: "object",
            required: ["name"],
            properties: {
              name: { $ref: "#/components/schemas/Name", description: "the tree's name" },
              children: { type: "array", items: { $ref: "#/components/schemas/Tree" } },
            },
          },
          Name: { type: "string", description: "a name", maxLength: 10 },
        },
      ),
    )
    const schema = tools[0]!.inputSchema
    expect(schema.required).toEqual(["body"])
    expect(schema.properties["body"]).toEqual({
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", description: "the tree's name", maxLength: 10 },
        children: { type: "array", items: { $ref: "#/$defs/Tree" } },
      },
    })
    expect(schema.$defs?.["Tree"]).toMatchObject({
      properties: { children: { items: { $ref: "#/$defs/Tree" } } },
    })
  })

  it("refuses a reference the document does not define", () => {
    const document = spec({
      "/trees": { post: operation("trees.create", { requestBody: { content: json, required: true } }) },
    })
    expect(() => deriveTools(document)).toThrow("unresolvable $ref #/components/schemas/Tree")
  })

  it("refuses two operations that would get the same tool name", () => {
    const document = spec({ "/a": { get: operation("a.b") }, "/b": { get: operation("a_b") } })
    expect(() => deriveTools(document)).toThrow("operations a.b and a_b both become tool a_b")
  })

  it("puts an operation whose group declares no domain in platform", () => {
    expect(deriveTools(spec({ "/x": { get: operation("someday.list") } }))[0]!.domain).toBe("platform")
  })
})

describe("names", () => {
  it.prop("toolName always yields a valid MCP tool name", [fc.string({ maxLength: 100 })], ([id]) => {
    expect(toolName(id)).toMatch(TOOL_NAME)
  })

  it.prop(
    "toolName keeps operationIds made of identifiers, with . as _",
    [fc.array(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,9}$/), { minLength: 1, maxLength: 3 })],
    ([parts]) => {
      expect(toolName(parts.join("."))).toBe(parts.join("_"))
    },
  )

  it("titles split camelCase and spell acronyms", () => {
    expect(toolTitle("lbAddresses.list")).toBe("LB addresses: list")
    expect(toolTitle("brands.getClusters")).toBe("Brands: get clusters")
    expect(toolTitle("health")).toBe("Health")
  })
})

describe("parseDomains", () => {
  it("reads a comma-separated list; empty means every domain", () => {
    expect(parseDomains("")).toEqual(DOMAINS)
    expect(parseDomains(" infrastructure , platform,infrastructure")).toEqual(["infrastructure", "platform"])
  })

  it("refuses an unknown domain", () => {
    expect(() => parseDomains("infrastructure,billing")).toThrow("unknown tool group(s) billing")
  })
})
