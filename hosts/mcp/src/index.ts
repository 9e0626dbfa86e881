// @hosting/mcp: the platform API as MCP tools (`createServer`), with stdio and HTTP entry points.
export type { ApiConnection } from "./call-tool.js"
export { callTool } from "./call-tool.js"
export { contractHints } from "./contract-hints.js"
export { DOMAINS, type Domain, parseDomains } from "./domains.js"
export { refInliner, withObjectSchemas } from "./json-schema.js"
export {
  type ContractHints,
  deriveTools,
  type InputSchema,
  type PollHint,
  pollAdvice,
  type ToolDefinition,
  type ToolRequest,
  toolName,
  toolTitle,
} from "./openapi-tools.js"
export { createServer, hostingTools, type ServerOptions } from "./server.js"
