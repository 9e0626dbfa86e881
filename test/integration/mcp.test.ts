// The MCP server (hosts/mcp) against a real API stack: its built stdio and Streamable HTTP entry
// points, driven by the MCP SDK's client, with keys whose scopes the API enforces per call.
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, portOpen, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import { createClient } from "@hosting/sdk"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"

const mcpDist = fileURLToPath(new URL("../../hosts/mcp/dist/", import.meta.url))
const INFRASTRUCTURE = ["regions", "clusters", "lbAddresses", "shards", "nodes"]

let db: Awaited<ReturnType<typeof createTestDatabase>>
let stack: Stack
let logDir: string
const clients: Array<Client> = []
const processes: Array<ServiceProcess> = []

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_mcp")
  stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
  logDir = mkdtempSync(join(tmpdir(), "hosting-mcp-"))
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all(processes.map((p) => p.stop()))
  await stack?.stop()
  await db?.drop()
  if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true })
})

const connect = async (transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> => {
  const client = new Client({ name: "mcp-integration-test", version: "0.0.0" })
  clients.push(client)
  await client.connect(transport)
  return client
}

/** The stdio server as an MCP host runs it: `node hosts/mcp/dist/stdio.js` with the env. */
const stdioClient = (env: Record<string, string>) =>
  connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(mcpDist, "stdio.js")],
      env: { HOSTING_API_URL: stack.baseUrl, ...env },
      stderr: "ignore",
    }),
  )

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }) as Promise<CallToolResult>

const text = (result: CallToolResult): string => result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")

const structured = (result: CallToolResult): Record<string, unknown> => {
  expect(result.isError, text(result)).toBeFalsy()
  expect(result.structuredContent).toBeDefined()
  return result.structuredContent ?? {}
}

describe("over stdio, with the key from HOSTING_API_KEY", () => {
  let client: Client

  beforeAll(async () => {
    client = await stdioClient({ HOSTING_API_KEY: stack.apiKey })
  })

  it("lists a tool per operation, with titles and hints", async () => {
    const { tools } = await client.listTools()
    const byName = new Map(tools.map((t) => [t.name, t]))
    expect(tools.length).toBeGreaterThan(40)
    for (const t of tools) expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(byName.get("brands_list")?.annotations).toEqual({
      title: "List brands",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
    })
    expect(byName.get("brands_create")?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false })
    expect(byName.get("regions_create")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false })
    expect(byName.get("regions_delete")?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true })
    // destructive as the contract marks it, whatever the method
    const destructive = tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name)
    expect(destructive.filter((name) => !name.endsWith("_delete")).sort()).toEqual([
      "brands_setClusters",
      "databases_migrate",
      "regions_setRuntimes",
      "shards_failover",
      "tenants_migrate",
      "tenants_suspend",
    ])
    expect(byName.get("brands_create")?.inputSchema).toMatchObject({
      type: "object",
      properties: { body: { properties: { name: { type: "string" } } } },
      required: ["body"],
    })
    expect(byName.get("brands_create")?.description).toContain("POST /api/v1/brands")
  })

  it("calls a read tool", async () => {
    const whoami = structured(await call(client, "session_whoami"))
    expect(whoami).toMatchObject({ scopes: ["*"], brands: ["*"] })
  })

  it("creates a brand with a write tool and finds it with the get tool", async () => {
    const name = `MCP brand ${randomUUID().slice(0, 8)}`
    const created = structured(await call(client, "brands_create", { body: { name } }))
    expect(created["name"]).toBe(name)
    const got = structured(await call(client, "brands_get", { path: { id: created["id"] } }))
    expect(got).toMatchObject({ id: created["id"], name })
    const listed = structured(await call(client, "brands_list", { query: { search: name, limit: 10 } }))
    expect(listed["items"]).toEqual([expect.objectContaining({ id: created["id"] })])
  })

  it("returns the API's error envelope as an isError result", async () => {
    const missing = await call(client, "brands_get", { path: { id: "00000000-0000-4000-8000-000000000000" } })
    expect(missing.isError).toBe(true)
    expect(JSON.parse(text(missing))).toMatchObject({ error: { code: "not_found" } })
    const invalid = await call(client, "brands_create", { body: { name: 42 } })
    expect(invalid.isError).toBe(true)
    expect(JSON.parse(text(invalid))).toMatchObject({ error: { code: "invalid_request" } })
  })

  it("answers an async operation with the tool to poll, which shows it finish", async () => {
    const started = await call(client, "nodes_probe", { path: { id: stack.nodeId } })
    const probe = structured(started)
    expect(text(started)).toContain(
      `Poll nodes_getProbe with {"path":{"id":"${String(probe["id"])}"}} until its status is active or failed.`,
    )
    let status = probe["status"]
    await waitFor(
      "the probe to finish",
      async () => {
        status = structured(await call(client, "nodes_getProbe", { path: { id: probe["id"] } }))["status"]
        return status === "active" || status === "failed"
      },
      30_000,
      200,
    )
    expect(status).toBe("active")
  })
})

describe("over Streamable HTTP, with each request's own key", () => {
  let url: URL
  let readOnlyKey: string

  beforeAll(async () => {
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, HOSTING_API_URL: stack.baseUrl, HOSTING_MCP_PORT: String(port) }
    delete env["HOSTING_API_KEY"]
    delete env["HOSTING_MCP_GROUPS"]
    processes.push(
      startProcess({
        name: "mcp-http",
        command: process.execPath,
        args: [join(mcpDist, "http.js")],
        env,
        logFile: join(logDir, "mcp-http.log"),
      }),
    )
    await waitFor(`the MCP HTTP server (logs in ${logDir})`, () => portOpen("127.0.0.1", port), 20_000)
    url = new URL(`http://127.0.0.1:${port}/mcp`)
    const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const created = await admin.apiKeys.create({
      payload: { name: "mcp read-only", scopes: ["brands:read"], brands: ["*"] },
    })
    readOnlyKey = created.key
  })

  const httpClient = (headers: Record<string, string>) =>
    connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))

  it("holds a client to its key's scopes: reads work, writes are forbidden", async () => {
    const client = await httpClient({ "X-API-Key": readOnlyKey })
    const listed = await call(client, "brands_list")
    expect(structured(listed)).toMatchObject({ items: expect.any(Array) })
    const refused = await call(client, "brands_create", { body: { name: `MCP refused ${randomUUID().slice(0, 8)}` } })
    expect(refused.isError).toBe(true)
    expect(text(refused)).toContain("forbidden")
    expect(JSON.parse(text(refused))).toMatchObject({ error: { code: "forbidden", message: expect.any(String) } })
  })

  it("takes the key from Authorization: Bearer as well", async () => {
    const client = await httpClient({ Authorization: `Bearer ${readOnlyKey}` })
    const whoami = structured(await call(client, "session_whoami"))
    expect(whoami).toMatchObject({ scopes: ["brands:read"] })
  })

  it("answers a request without a key with the API's unauthorized error", async () => {
    const client = await httpClient({})
    const result = await call(client, "session_whoami")
    expect(result.isError).toBe(true)
    expect(text(result)).toContain("unauthorized")
  })

  it("refuses a Host that is not loopback (DNS rebinding)", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      const req = request(url, {
        method: "POST",
        headers: {
          host: `attacker.example:${url.port}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "x-api-key": readOnlyKey,
        },
      })
      req.once("response", (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.once("error", reject)
      req.end(body)
    })
    expect(status).toBe(403)
  })

  it("is stateless: no session stream to open", async () => {
    const res = await fetch(url, { headers: { accept: "text/event-stream" } })
    expect(res.status).toBe(405)
  })
})

describe("HOSTING_MCP_GROUPS", () => {
  it("offers only the tools of the chosen groups", async () => {
    const client = await stdioClient({ HOSTING_API_KEY: stack.apiKey, HOSTING_MCP_GROUPS: "infrastructure" })
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).toContain("regions_create")
    expect(names).toContain("nodes_probe")
    expect(names).not.toContain("brands_create")
    expect(names.filter((n) => !INFRASTRUCTURE.includes(n.split("_")[0]!))).toEqual([])
  })
})
