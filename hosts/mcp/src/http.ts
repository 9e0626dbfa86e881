#!/usr/bin/env node
// MCP server over Streamable HTTP at /mcp, stateless: every request gets a fresh server that
// calls the API with that request's own key (X-API-Key or Authorization: Bearer), so each client
// is held to its key's scopes and brands exactly as with the REST API. The server keeps no key.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Effect } from "effect"
import { HttpConfig } from "./config.js"
import type { Domain } from "./domains.js"
import { createServer } from "./server.js"

// Tool arguments are small JSON documents; a cap keeps one request from holding the process.
const MAX_BODY_BYTES = 1024 * 1024

const apiKeyOf = (req: IncomingMessage): string | undefined => {
  const header = req.headers["x-api-key"]
  if (typeof header === "string" && header.trim() !== "") return header.trim()
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")
  return bearer?.[1]
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body))
}

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers = {}) =>
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers)

const readBody = async (req: IncomingMessage): Promise<string | undefined> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString("utf8")
}

/**
 * Bound to loopback, only loopback Host headers are accepted: a web page whose name an attacker
 * re-points at 127.0.0.1 (DNS rebinding) cannot reach the server through the victim's browser.
 * Bound elsewhere (behind a proxy), the names are unknown here and each request's key is the guard.
 */
const loopbackHosts = (host: string, port: number): Array<string> | undefined =>
  ["127.0.0.1", "localhost", "::1"].includes(host)
    ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
    : undefined

const handleMcp = async (
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    readonly apiUrl: string
    readonly groups: ReadonlyArray<Domain>
    readonly allowedHosts: Array<string> | undefined
  },
) => {
  // stateless: no session to resume (GET) or end (DELETE)
  if (req.method !== "POST") return rpcError(res, 405, -32000, "Method not allowed.", { allow: "POST" })
  const text = await readBody(req)
  if (text === undefined) return rpcError(res, 413, -32600, `request body over ${MAX_BODY_BYTES} bytes`)
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return rpcError(res, 400, -32700, "Parse error: the body is not JSON")
  }
  const server = createServer({
    apiUrl: options.apiUrl,
    apiKey: apiKeyOf(req),
    groups: options.groups,
  })
  const transport = new StreamableHTTPServerTransport(
    options.allowedHosts === undefined
      ? { enableJsonResponse: true }
      : { enableJsonResponse: true, enableDnsRebindingProtection: true, allowedHosts: options.allowedHosts },
  )
  res.on("close", () => {
    transport.close().catch(() => undefined)
    server.close().catch(() => undefined)
  })
  await server.connect(transport)
  await transport.handleRequest(req, res, message)
}

const main = Effect.gen(function* () {
  const config = yield* HttpConfig
  const options = { ...config, allowedHosts: loopbackHosts(config.host, config.port) }
  const http = createHttpServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    const handled =
      path === "/mcp"
        ? handleMcp(req, res, options)
        : Promise.resolve(sendJson(res, 404, { error: { code: "not_found", message: `no route ${path}; use /mcp` } }))
    handled.catch((e: unknown) => {
      console.error("hosting-mcp-http: request failed:", e)
      if (!res.headersSent) rpcError(res, 500, -32603, "Internal error")
      else res.end()
    })
  })
  yield* Effect.async<void, Error>((resume) => {
    http.once("error", (e) => resume(Effect.fail(e)))
    http.listen(config.port, config.host, () => resume(Effect.void))
  })
  console.error(
    `hosting-mcp-http: serving ${config.groups.join(", ")} tools at http://${config.host}:${config.port}/mcp for ${config.apiUrl}`,
  )
  const stop = () => {
    http.close(() => process.exit(0))
    http.closeIdleConnections()
    // answers in flight get a moment to finish; nothing else is kept between requests
    setTimeout(() => process.exit(0), 5_000).unref()
  }
  process.once("SIGTERM", stop)
  process.once("SIGINT", stop)
})

Effect.runPromise(main).catch((e: unknown) => {
  console.error(`hosting-mcp-http: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
