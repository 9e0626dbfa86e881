// Derives one MCP tool per operation of the OpenAPI document (pure: document in, definitions out).
import type { OpenApi } from "@effect/platform"
import type { Domain } from "./domains.js"
import { componentName, isJsonObject, type JsonObject, refInliner, withObjectSchemas } from "./json-schema.js"

/** HTTP methods a tool may call. */
export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "TRACE"

/** What a tool call sends: the operation, and where each argument goes. */
export interface ToolRequest {
  readonly operationId: string
  readonly method: HttpMethod
  /** Path template of the document, e.g. `/api/v1/brands/{id}`. */
  readonly path: string
  readonly pathParams: ReadonlyArray<string>
  readonly queryParams: ReadonlyArray<string>
  readonly hasBody: boolean
}

/** For an operation answering 202: the GET tool that shows the resource, and where its id is in the answer. */
export interface PollHint {
  readonly tool: string
  /** Property path of the resource id in the 202 body (`["id"]`, `["shard", "id"]`). */
  readonly idPath: ReadonlyArray<string>
}

/** Hints clients use to decide about confirmation and retries. */
export interface ToolAnnotations {
  readonly title: string
  readonly readOnlyHint: boolean
  readonly destructiveHint: boolean
  readonly idempotentHint: boolean
}

/**
 * What the contract says of operations beyond the OpenAPI document, by operationId: whether the
 * operation is destructive (the contract's `Destructive` annotation; see contract-hints.ts).
 */
export interface ContractHints {
  readonly destructive?: ReadonlyMap<string, boolean>
  /** The tool domain of each operation (its group's `ToolDomain`); "platform" when absent. */
  readonly domains?: ReadonlyMap<string, Domain>
}

/** A tool's input: `{ path?, query?, body? }`, self-contained (no references outside it). */
export type InputSchema = {
  type: "object"
  properties: { [key: string]: object }
  required: Array<string>
  additionalProperties: false
  $defs?: { [key: string]: unknown }
}

/** Everything the server needs to list and call one tool. */
export interface ToolDefinition {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly domain: Domain
  readonly inputSchema: InputSchema
  readonly annotations: ToolAnnotations
  readonly request: ToolRequest
  readonly poll?: PollHint
}

/** MCP tool names: letters, digits, `_` and `-`, at most 64 characters. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

/** `brands.create` → `brands_create`; any other character outside the allowed set becomes `_` too. */
export const toolName = (operationId: string): string => {
  const name = operationId.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64)
  return name === "" ? "_" : name
}

const ACRONYMS: Readonly<Record<string, string>> = { api: "API", lb: "LB", dns: "DNS", ssh: "SSH", sftp: "SFTP" }

const words = (identifier: string): string =>
  identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .split(" ")
    .filter((w) => w !== "")
    .map((w) => ACRONYMS[w] ?? w)
    .join(" ")

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** `apiKeys.create` → `API keys: create`. */
export const toolTitle = (operationId: string): string => {
  const dot = operationId.indexOf(".")
  if (dot < 0) return capitalized(words(operationId))
  return `${capitalized(words(operationId.slice(0, dot)))}: ${words(operationId.slice(dot + 1))}`
}

const METHODS: ReadonlyArray<OpenApi.OpenAPISpecMethodName> = [
  "get",
  "put",
  "post",
  "delete",
  "patch",
  "head",
  "options",
  "trace",
]

interface Operation {
  readonly path: string
  readonly method: HttpMethod
  readonly op: OpenApi.OpenAPISpecOperation
}

const operationsOf = (spec: OpenApi.OpenAPISpec): Array<Operation> =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.flatMap((m) => {
      const op = item[m]
      return op === undefined ? [] : [{ path, method: m.toUpperCase() as HttpMethod, op }]
    }),
  )

const jsonSchemaOf = (content: OpenApi.OpenApiSpecContent | undefined): unknown => content?.["application/json"]?.schema

const successOf = (
  op: OpenApi.OpenAPISpecOperation,
): { readonly status: number; readonly schema: unknown } | undefined => {
  const statuses = Object.keys(op.responses)
    .map(Number)
    .filter((s) => s >= 200 && s < 300)
    .sort((a, b) => a - b)
  const status = statuses[0]
  return status === undefined ? undefined : { status, schema: jsonSchemaOf(op.responses[status]?.content) }
}

const refName = (schema: unknown): string | undefined => {
  const ref = isJsonObject(schema) ? schema["$ref"] : undefined
  return typeof ref === "string" ? componentName(ref) : undefined
}

const hasStatus = (schema: unknown): boolean =>
  isJsonObject(schema) && isJsonObject(schema["properties"]) && Object.hasOwn(schema["properties"], "status")

/**
 * Which resource a 202 answer is about: the answered component itself when it has a `status`,
 * or else the first of its properties that refers to such a component (`{shard, plan}` → shard).
 */
const acceptedResource = (
  schema: unknown,
  components: Readonly<Record<string, unknown>>,
): { readonly component: string; readonly idPath: ReadonlyArray<string> } | undefined => {
  const name = refName(schema)
  const target = name === undefined ? schema : components[name]
  if (name !== undefined && hasStatus(target)) return { component: name, idPath: ["id"] }
  const properties = isJsonObject(target) && isJsonObject(target["properties"]) ? target["properties"] : {}
  for (const [key, value] of Object.entries(properties)) {
    const inner = refName(value)
    if (inner !== undefined && hasStatus(components[inner])) return { component: inner, idPath: [key, "id"] }
  }
  return undefined
}

/** The GET operation that returns one `component` by a single path parameter. */
const getterOf = (component: string, operations: ReadonlyArray<Operation>): Operation | undefined =>
  operations.find(
    ({ method, op }) =>
      method === "GET" &&
      op.parameters.filter((p) => p.in === "path").length === 1 &&
      refName(successOf(op)?.schema) === component,
  )

const objectSchema = (parameters: ReadonlyArray<OpenApi.OpenAPISpecParameter>): JsonObject => {
  const properties: JsonObject = {}
  for (const p of parameters) {
    const schema: JsonObject = { ...p.schema }
    properties[p.name] =
      p.description !== undefined && schema["description"] === undefined
        ? { ...schema, description: p.description }
        : schema
  }
  const required = parameters.filter((p) => p.required || p.in === "path").map((p) => p.name)
  return { type: "object", properties, required, additionalProperties: false }
}

/** How to follow an operation answered with 202 (a delete is done when the resource is gone). */
export const pollAdvice = (method: HttpMethod, tool: string): string =>
  method === "DELETE"
    ? `poll ${tool} until it answers not_found (deleted) or its status is failed`
    : `poll ${tool} until its status is active or failed`

const describe = (
  title: string,
  { path, method, op }: Operation,
  success: ReturnType<typeof successOf>,
  poll: PollHint | undefined,
): string => {
  const text = [op.summary, op.description].filter((s): s is string => s !== undefined && s.trim() !== "")
  const answer =
    success === undefined
      ? ""
      : ` → ${success.status}${refName(success.schema) === undefined ? "" : ` ${refName(success.schema)}`}`
  const lines = [text.length > 0 ? text.join("\n\n") : `${title}.`, `${method} ${path}${answer}`]
  if (success?.status === 202)
    lines.push(`Asynchronous: ${pollAdvice(method, poll?.tool ?? "the resource's get tool")}.`)
  return lines.join("\n")
}

/**
 * One tool per operation of the document: name from the operationId, input `{path, query, body}`
 * from its parameters and request body with every `$ref` resolved and bare boolean schemas in
 * object form, read-only and idempotent hints from the method, the destructive hint from the
 * contract (else: DELETE), domain from its group's declaration in the contract. Throws if two operations would get the same tool
 * name.
 */
export const deriveTools = (spec: OpenApi.OpenAPISpec, hints: ContractHints = {}): Array<ToolDefinition> => {
  const components: Readonly<Record<string, unknown>> = spec.components.schemas
  const operations = operationsOf(spec)
  const tools: Array<ToolDefinition> = []
  const seen = new Map<string, string>()
  for (const operation of operations) {
    const { path, method, op } = operation
    const name = toolName(op.operationId)
    const clash = seen.get(name)
    if (clash !== undefined) throw new Error(`operations ${clash} and ${op.operationId} both become tool ${name}`)
    seen.set(name, op.operationId)

    const pathParams = op.parameters.filter((p) => p.in === "path")
    const queryParams = op.parameters.filter((p) => p.in === "query")
    const bodySchema = jsonSchemaOf(op.requestBody?.content)
    const inliner = refInliner(components)
    const inline = (schema: unknown): object => {
      const inlined = withObjectSchemas(inliner.inline(schema))
      return isJsonObject(inlined) ? inlined : {}
    }
    const inputSchema: InputSchema = { type: "object", properties: {}, required: [], additionalProperties: false }
    if (pathParams.length > 0) {
      inputSchema.properties["path"] = inline(objectSchema(pathParams))
      inputSchema.required.push("path")
    }
    if (queryParams.length > 0) {
      inputSchema.properties["query"] = inline(objectSchema(queryParams))
      if (queryParams.some((p) => p.required)) inputSchema.required.push("query")
    }
    if (bodySchema !== undefined) {
      inputSchema.properties["body"] = inline(bodySchema)
      // a body whose fields are all optional may be left out: the call sends `{}`
      const bodyRef = refName(bodySchema)
      const body = bodyRef === undefined ? bodySchema : components[bodyRef]
      if (isJsonObject(body) && Array.isArray(body["required"]) && body["required"].length > 0) {
        inputSchema.required.push("body")
      }
    }
    if (Object.keys(inliner.defs).length > 0)
      inputSchema.$defs = Object.fromEntries(
        Object.entries(inliner.defs).map(([name, schema]) => [name, withObjectSchemas(schema)]),
      )

    const success = successOf(op)
    const accepted = success?.status === 202 ? acceptedResource(success.schema, components) : undefined
    const getter = accepted === undefined ? undefined : getterOf(accepted.component, operations)
    const poll =
      accepted === undefined || getter === undefined
        ? undefined
        : { tool: toolName(getter.op.operationId), idPath: accepted.idPath }
    const title = op.summary ?? toolTitle(op.operationId)
    tools.push({
      name,
      title,
      description: describe(title, operation, success, poll),
      domain: hints.domains?.get(op.operationId) ?? "platform",
      inputSchema,
      annotations: {
        title,
        readOnlyHint: method === "GET",
        destructiveHint: hints.destructive?.get(op.operationId) ?? method === "DELETE",
        idempotentHint: method === "GET" || method === "PUT" || method === "DELETE",
      },
      request: {
        operationId: op.operationId,
        method,
        path,
        pathParams: pathParams.map((p) => p.name),
        queryParams: queryParams.map((p) => p.name),
        hasBody: bodySchema !== undefined,
      },
      ...(poll === undefined ? {} : { poll }),
    })
  }
  return tools
}
