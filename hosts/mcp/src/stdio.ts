#!/usr/bin/env node
// MCP server over stdio, for one local client: calls the API with HOSTING_API_KEY.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect, Option, Redacted } from "effect"
import { StdioConfig } from "./config.js"
import { createServer } from "./server.js"

const main = Effect.gen(function* () {
  const config = yield* StdioConfig
  const server = createServer({
    apiUrl: config.apiUrl,
    apiKey: Option.getOrUndefined(Option.map(config.apiKey, Redacted.value)),
    groups: config.groups,
  })
  yield* Effect.promise(() => server.connect(new StdioServerTransport()))
  // the client closed our stdin: no request can arrive any more, and idle HTTP keep-alive
  // sockets to the API must not keep the process around
  process.stdin.once("end", () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
  // stdout carries the protocol; anything for humans goes to stderr
  console.error(`hosting-mcp: serving ${config.groups.join(", ")} tools over stdio for ${config.apiUrl}`)
})

Effect.runPromise(main).catch((e: unknown) => {
  console.error(`hosting-mcp: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
