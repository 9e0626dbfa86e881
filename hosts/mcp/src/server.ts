// The MCP server: the platform's API as tools, one per operation of the contract's OpenAPI
// document. The low-level `Server` is used because the tools' input schemas are the document's
// JSON Schemas, which `McpServer.registerTool` (zod shapes) cannot take as they are.
import { createRequire } from "node:module"
import { OpenApi } from "@effect/platform"
import { HostingApi } from "@hosting/sdk"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js"
import { type ApiConnection, callTool } from "./call-tool.js"
import { contractHints } from "./contract-hints.js"
import { DOMAINS, type Domain } from "./domains.js"
import { deriveTools, type ToolDefinition } from "./openapi-tools.js"

const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

let derived: ReadonlyArray<ToolDefinition> | undefined

/** Every tool of the platform API, derived from the contract once per process. */
export const hostingTools = (): ReadonlyArray<ToolDefinition> => {
  derived ??= deriveTools(OpenApi.fromApi(HostingApi), contractHints(HostingApi as never))
  return derived
}

/** What a server calls and which of its tools it offers. */
export interface ServerOptions extends ApiConnection {
  /** Domains whose tools are offered; all when absent. */
  readonly groups?: ReadonlyArray<Domain> | undefined
}

const INSTRUCTIONS = `Tools of the hosting platform API, one per operation; each takes {path, query, body} as its schema says.
Lists answer {items, next_cursor, has_more}: pass next_cursor back as query.cursor for the next page.
Operations that provision answer 202 with the resource in status pending: poll its get tool until status is active or failed.
Errors come back as {"error": {"code", "message"}} from the API, unchanged.`

const listed = (tool: ToolDefinition): Tool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: tool.inputSchema,
  annotations: tool.annotations,
})

const unknownTool = (name: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text: JSON.stringify({ error: { code: "not_found", message: `no tool ${name}` } }) }],
})

/**
 * A server offering the tools of the enabled groups, calling the API at `apiUrl` with `apiKey`
 * (so the caller is limited to that key's scopes and brands, as with the REST API).
 */
export const createServer = (options: ServerOptions): Server => {
  const groups = new Set<Domain>(options.groups ?? DOMAINS)
  const tools = hostingTools().filter((t) => groups.has(t.domain))
  const byName = new Map(tools.map((t) => [t.name, t]))
  const api: ApiConnection = { apiUrl: options.apiUrl, apiKey: options.apiKey }
  const server = new Server(
    { name: "hosting-platform", title: "Hosting Platform", version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  )
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map(listed) }))
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = byName.get(request.params.name)
    return tool === undefined
      ? unknownTool(request.params.name)
      : callTool(tool, request.params.arguments, api, extra.signal)
  })
  return server
}
