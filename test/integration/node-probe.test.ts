// The first end-to-end path: API → Temporal workflow → node agent on node-{uuid} → database,
// with the real processes, the run's Temporal dev server and a fresh PostgreSQL database.
import { execFile } from "node:child_process"
import { hostname } from "node:os"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { createClient, Forbidden, type NodeProbe, NotFound, Unauthorized } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { insertApiKey } from "../support/keys.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let stack: Stack

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_probe")
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    // short, so the dead-agent case fails within the test
    env: { HOSTING_AGENT_TIMEOUT_SECONDS: "8" },
  })
})

afterAll(async () => {
  await stack?.stop()
  await db?.drop()
})

const waitForProbe = async (client: ReturnType<typeof createClient>, id: NodeProbe["id"], status: string) => {
  for (let i = 0; i < 100; i++) {
    const p = await client.nodes.getProbe({ path: { id } })
    if (p.status === status) return p
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`probe ${id} did not reach ${status}`)
}

describe("probing a node", () => {
  it("runs through the workflow and the node's agent and records the facts", async () => {
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const started = await client.nodes.probe({ path: { id: stack.nodeId as never } })
    expect(started.status).toBe("pending")
    expect(started.workflow_id).toBe(`node-probe:${started.id}:probe`)
    const done = await waitForProbe(client, started.id, "active")
    expect(done.status_message).toBeNull()
    expect(done.facts?.hostname).toBe(hostname())
    expect(done.facts?.agent_version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it("is available as `hostctl nodes probe`, which waits, with --json and exit codes", async () => {
    const hostctl = fileURLToPath(new URL("../../hosts/cli/bin/run.js", import.meta.url))
    const run = (args: Array<string>, apiKey = stack.apiKey) =>
      promisify(execFile)(process.execPath, [hostctl, ...args], {
        env: { ...process.env, HOSTING_API_URL: stack.baseUrl, HOSTING_API_KEY: apiKey },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
      )
    const ok = await run(["nodes", "probe", stack.nodeId, "--json"])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({
      status: "active",
      node_id: stack.nodeId,
      facts: { hostname: hostname() },
    })
    const missing = await run(["nodes", "probe", "00000000-0000-4000-8000-000000000000"])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain("NotFound: node 00000000-0000-4000-8000-000000000000 not found")
    const unauthorized = await run(["nodes", "probe", stack.nodeId], "hpk_wrong")
    expect(unauthorized.code).toBe(3)
    expect(unauthorized.stderr).toContain("Unauthorized")
  })

  it("answers 404 with the envelope for a node that does not exist", async () => {
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const err = await client.nodes
      .probe({ path: { id: "00000000-0000-4000-8000-000000000000" as never } })
      .catch((e) => e)
    expect(err).toBeInstanceOf(NotFound)
    const raw = await fetch(`${stack.baseUrl}/api/v1/nodes/00000000-0000-4000-8000-000000000000/probes`, {
      method: "POST",
      headers: { "X-API-Key": stack.apiKey },
    })
    expect(raw.status).toBe(404)
    expect(await raw.json()).toMatchObject({ error: { code: "not_found" } })
  })

  it("refuses a missing or unknown key with 401", async () => {
    for (const apiKey of [undefined, "hpk_notakeyatall"]) {
      const client = createClient({ baseUrl: stack.baseUrl, ...(apiKey === undefined ? {} : { apiKey }) })
      const err = await client.nodes.probe({ path: { id: stack.nodeId as never } }).catch((e) => e)
      expect(err).toBeInstanceOf(Unauthorized)
    }
  })

  it("refuses a key without the scope, and a brand key on a platform resource, with 403", async () => {
    const readOnly = await insertApiKey(db.url, { scopes: ["nodes:read"], brands: ["*"] })
    const brandKey = await insertApiKey(db.url, { scopes: ["*"], brands: ["6f1c1c2e-0b7c-4c2b-9a43-2b7f0f0a8f11"] })
    for (const apiKey of [readOnly, brandKey]) {
      const client = createClient({ baseUrl: stack.baseUrl, apiKey })
      const err = await client.nodes.probe({ path: { id: stack.nodeId as never } }).catch((e) => e)
      expect(err).toBeInstanceOf(Forbidden)
    }
  })

  it("answers malformed input with 400 and the envelope, never 5xx", async () => {
    for (const id of ["not-a-uuid", "'; DROP TABLE nodes; --", "%00", "../../etc/passwd", "é", "x".repeat(5000)]) {
      const res = await fetch(`${stack.baseUrl}/api/v1/nodes/${encodeURIComponent(id)}/probes`, {
        method: "POST",
        headers: { "X-API-Key": stack.apiKey },
      })
      // an over-long segment matches no route at all (404); everything else fails decoding (400)
      const expected = id.length > 100 ? { status: 404, code: "not_found" } : { status: 400, code: "invalid_request" }
      expect(res.status, id).toBe(expected.status)
      expect(await res.json()).toMatchObject({ error: { code: expected.code } })
    }
    const unknown = await fetch(`${stack.baseUrl}/api/v1/no-such-thing`, { headers: { "X-API-Key": stack.apiKey } })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } })
  })

  it("fails a probe whose node has no agent, with the reason in status_message", async () => {
    const agent = stack.processes.get(`agent-${stack.nodeId}`)!
    await agent.stop()
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const started = await client.nodes.probe({ path: { id: stack.nodeId as never } })
    const provisioning = await waitForProbe(client, started.id, "provisioning")
    expect(provisioning.facts).toBeNull()
    const failed = await waitForProbe(client, started.id, "failed")
    expect(failed.status_message).toMatch(/timed out|timeout/i)
    expect(failed.facts).toBeNull()
  })

  it("waits for a restarting agent: a probe started while it is down completes when it is back", async () => {
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    await stack.processes.get(`agent-${stack.nodeId}`)?.stop()
    const started = await client.nodes.probe({ path: { id: stack.nodeId as never } })
    await waitForProbe(client, started.id, "provisioning")
    stack.startAgent(stack.nodeId)
    const done = await waitForProbe(client, started.id, "active")
    expect(done.facts?.hostname).toBe(hostname())
  })
})
