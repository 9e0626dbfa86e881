// What a tool call sends and how answers become results, against a local HTTP server that records
// requests (the real API is exercised in test/integration/mcp.test.ts).
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { OpenApi } from "@effect/platform"
import { HostingApi } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callTool } from "../src/call-tool.js"
import { deriveTools, type ToolDefinition } from "../src/openapi-tools.js"

interface Recorded {
  readonly method: string
  readonly url: string
  readonly apiKey: string | undefined
  readonly contentType: string | undefined
  readonly body: string
}

interface Answer {
  readonly status: number
  readonly body?: string
  readonly contentType?: string
}

const tools = deriveTools(OpenApi.fromApi(HostingApi))
const tool = (name: string): ToolDefinition => {
  const found = tools.find((t) => t.name === name)
  if (found === undefined) throw new Error(`no tool ${name}`)
  return found
}

const SHARD = "7d1f5a0e-7c2b-4a43-9b1e-3f0a2c4d5e6f"

let server: Server
let apiUrl: string
let recorded: Array<Recorded> = []
let answer: Answer = { status: 200, body: "{}" }

const readAll = async (req: IncomingMessage): Promise<string> => {
  let text = ""
  for await (const chunk of req) text += String(chunk)
  return text
}

beforeAll(async () => {
  server = createServer((req, res) => {
    readAll(req)
      .then((body) => {
        const key = req.headers["x-api-key"]
        recorded.push({
          method: req.method ?? "",
          url: req.url ?? "",
          apiKey: typeof key === "string" ? key : undefined,
          contentType: req.headers["content-type"],
          body,
        })
        res.writeHead(answer.status, { "content-type": answer.contentType ?? "application/json" })
        res.end(answer.body)
      })
      .catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

const call = async (name: string, args: unknown, next: Answer, apiKey?: string) => {
  recorded = []
  answer = next
  const result = await callTool(tool(name), args, { apiUrl, apiKey })
  return { result, requests: recorded }
}

const textOf = (result: Awaited<ReturnType<typeof callTool>>): Array<string> =>
  result.content.map((c) => (c.type === "text" ? c.text : `<${c.type}>`))

describe("callTool", () => {
  it("sends path, query and the key, and returns the JSON body as text and structured content", async () => {
    const page = { items: [], next_cursor: null, has_more: false }
    const { result, requests } = await call(
      "brands_list",
      { query: { limit: 5, search: "a b", sort: "-name" } },
      { status: 200, body: JSON.stringify(page) },
      "hpk_secret",
    )
    expect(requests).toEqual([
      {
        method: "GET",
        url: "/api/v1/brands?limit=5&search=a+b&sort=-name",
        apiKey: "hpk_secret",
        contentType: undefined,
        body: "",
      },
    ])
    expect(result).toEqual({ content: [{ type: "text", text: JSON.stringify(page) }], structuredContent: page })
  })

  it("encodes path parameters and sends the body as JSON", async () => {
    const { requests } = await call(
      "brands_update",
      { path: { id: "a/b?c" }, body: { name: "x" } },
      { status: 200, body: "{}" },
    )
    expect(requests[0]).toMatchObject({
      method: "PUT",
      url: "/api/v1/brands/a%2Fb%3Fc",
      apiKey: undefined,
      contentType: "application/json",
      body: '{"name":"x"}',
    })
  })

  it("sends {} for an omitted body, and names the tool to poll after a 202", async () => {
    const accepted = { shard: { id: SHARD, status: "pending" }, plan: null }
    const { result, requests } = await call(
      "shards_converge",
      { path: { id: SHARD } },
      { status: 202, body: JSON.stringify(accepted) },
    )
    expect(requests[0]).toMatchObject({ method: "POST", url: `/api/v1/shards/${SHARD}/converge`, body: "{}" })
    expect(result.isError).toBeUndefined()
    expect(result.structuredContent).toEqual(accepted)
    expect(textOf(result)[1]).toBe(
      `Accepted: this runs asynchronously. Poll shards_get with {"path":{"id":"${SHARD}"}} until its status is active or failed.`,
    )
  })

  it("returns API errors as isError results with the envelope unchanged", async () => {
    const envelope = { error: { code: "forbidden", message: "the key lacks brands:write" } }
    const { result } = await call(
      "brands_create",
      { body: { name: "x" } },
      { status: 403, body: JSON.stringify(envelope) },
    )
    expect(result).toEqual({ isError: true, content: [{ type: "text", text: JSON.stringify(envelope) }] })
  })

  it("wraps an error that is not an envelope into one", async () => {
    const { result } = await call(
      "session_whoami",
      {},
      { status: 502, body: "<html>bad gateway</html>", contentType: "text/html" },
    )
    expect(result.isError).toBe(true)
    expect(JSON.parse(textOf(result)[0]!)).toEqual({ error: { code: "http_502", message: "<html>bad gateway</html>" } })
  })

  it("answers a 204 with its status", async () => {
    const { result } = await call("brands_delete", { path: { id: SHARD } }, { status: 204 })
    expect(result).toEqual({ content: [{ type: "text", text: "204 No Content" }] })
  })

  it("refuses arguments it cannot make a request from, without calling the API", async () => {
    for (const [name, args, message] of [
      ["brands_get", {}, "path.id is required"],
      ["brands_get", { id: SHARD }, "unexpected argument(s) id; brands_get takes path"],
      ["session_whoami", { body: {} }, "unexpected argument(s) body; session_whoami takes no arguments"],
      ["brands_list", "limit=5", "arguments must be an object with path, query and body"],
    ] as const) {
      const { result, requests } = await call(name, args, { status: 200, body: "{}" })
      expect(requests).toEqual([])
      expect(result.isError).toBe(true)
      expect(JSON.parse(textOf(result)[0]!)).toEqual({ error: { code: "invalid_request", message } })
    }
  })

  it("returns an unreachable API as an isError result", async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const result = await callTool(tool("session_whoami"), {}, { apiUrl: `http://127.0.0.1:${port}` })
    expect(result.isError).toBe(true)
    const { error } = JSON.parse(textOf(result)[0]!) as { error: { code: string; message: string } }
    expect(error.code).toBe("unavailable")
    expect(error.message).toContain("GET /api/v1/whoami failed")
  })
})
