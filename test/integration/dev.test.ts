// `npm run dev` as a user runs it: a fresh directory, no settings, PGlite and the Temporal dev
// server started by the launcher; then Ctrl-C, and a second start on the same data.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, portOpen, type ServiceProcess, startProcess, waitFor } from "@hosting/api/dev"
import { createClient } from "@hosting/sdk"
import { afterAll, describe, expect, it } from "vitest"
import { eventually, httpGet } from "../support/web-node.js"

const launcher = fileURLToPath(new URL("../../hosts/api/dist/dev/main.js", import.meta.url))
const cwd = mkdtempSync(join(tmpdir(), "hosting-dev-"))
const dataDir = join(cwd, ".hosting")
const logFile = join(cwd, "launcher.log")
let running: ServiceProcess | undefined

/** A base port p with p, p+10 and p+11 free (Temporal's gRPC, HTTP and metrics ports). */
const temporalPort = async () => {
  for (let i = 0; i < 20; i++) {
    const p = await freePort()
    if (p + 11 > 65535) continue
    if (!(await portOpen("127.0.0.1", p + 10)) && !(await portOpen("127.0.0.1", p + 11))) return p
  }
  throw new Error("no free port block for Temporal")
}

// HAProxy's root and port of this run (the launcher's defaults belong to a developer's own box)
const lbRoot = `/var/lib/hosting-test/devlb-${Math.random().toString(36).slice(2, 8)}`
let lbPort = 0

const start = async (apiPort: number, tPort: number, uiPort: number) => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOSTING_DATA_DIR: dataDir,
    HOSTING_API_PORT: String(apiPort),
    HOSTING_TEMPORAL_PORT: String(tPort),
    HOSTING_UI_PORT: String(uiPort),
    HOSTING_LB_ROOT: lbRoot,
    HOSTING_LB_HTTP_PORT: String(lbPort),
  }
  for (const k of ["HOSTING_API_KEY", "HOSTING_DATABASE_URL", "HOSTING_TEMPORAL_ADDRESS"]) delete env[k]
  const before = existsSync(logFile) ? readFileSync(logFile, "utf8").length : 0
  const proc = startProcess({ name: "dev", command: process.execPath, args: [launcher], env, cwd, logFile })
  running = proc
  const startedAt = Date.now()
  await waitFor(
    `npm run dev to be ready (log ${logFile})`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`launcher exited: ${readFileSync(logFile, "utf8")}`)
      return readFileSync(logFile, "utf8").slice(before).includes("[dev] ready in")
    },
    120_000,
    200,
  )
  return { proc, output: () => readFileSync(logFile, "utf8").slice(before), seconds: (Date.now() - startedAt) / 1000 }
}

const pidsOf = () =>
  ["api", "cp-worker", "agent", "ui", "temporal"].map((n) =>
    Number(readFileSync(join(dataDir, "run", `${n}.pid`), "utf8")),
  )
const alive = (pid: number) => {
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"))
  } catch {
    return false
  }
}

const probeLocalNode = async (baseUrl: string, apiKey: string, nodeId: string) => {
  const client = createClient({ baseUrl, apiKey })
  const probe = await client.nodes.probe({ path: { id: nodeId as never } })
  for (let i = 0; i < 100; i++) {
    const p = await client.nodes.getProbe({ path: { id: probe.id } })
    if (p.status === "active" || p.status === "failed") return p
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error("probe did not finish")
}

afterAll(async () => {
  await running?.stop()
  rmSync(cwd, { recursive: true, force: true })
  rmSync(lbRoot, { recursive: true, force: true })
})

describe("npm run dev", () => {
  it("starts the whole platform with nothing configured, and Ctrl-C stops all of it", async () => {
    const apiPort = await freePort()
    const tPort = await temporalPort()
    const uiPort = await freePort()
    lbPort = await freePort()
    const { proc, output, seconds } = await start(apiPort, tPort, uiPort)
    console.log(`dev stack ready in ${seconds.toFixed(1)} s (cold PGlite)`)

    const apiKey = /^HOSTING_API_KEY=(hpk_\w+)$/m.exec(readFileSync(join(cwd, ".env"), "utf8"))?.[1]
    expect(apiKey).toBeDefined()
    expect(output()).toContain(apiKey!)
    const nodeId = readFileSync(join(dataDir, "node-id"), "utf8").trim()
    const baseUrl = `http://127.0.0.1:${apiPort}`
    const ready = await (await fetch(`${baseUrl}/readyz`)).json()
    expect(ready).toMatchObject({ ready: true, checks: { database: { ok: true }, temporal: { ok: true } } })
    expect((await probeLocalNode(baseUrl, apiKey!, nodeId)).status).toBe("active")
    // the admin UI is served, and reaches the API through its proxy
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`)
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('<div id="root">')
    expect((await fetch(`http://127.0.0.1:${uiPort}/readyz`)).status).toBe(200)

    // a name bound on the box is served through its own HAProxy, as an LB node would route it
    const client = createClient({ baseUrl, apiKey: apiKey! })
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: `dev box ${Date.now()}` } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "devbox.example.test" } })
    const viaLb = await eventually(
      "the name served through HAProxy",
      () => httpGet(lbPort, "devbox.example.test"),
      (r) => r.status === 200,
      60_000,
    )
    expect(viaLb.body).toContain("This site is ready")
    const haproxy = Number.parseInt(readFileSync(join(lbRoot, "haproxy.pid"), "utf8"), 10)
    await client.tenants.delete({ path: { id: tenant.id } })
    await eventually(
      "the tenant gone",
      () =>
        client.tenants.get({ path: { id: tenant.id } }).then(
          () => "present",
          () => "gone",
        ),
      (s) => s === "gone",
      60_000,
    )

    const pids = [...pidsOf(), haproxy]
    proc.child.kill("SIGINT")
    expect(await proc.exited).toBe(0)
    await waitFor("every process of the stack to end", async () => pids.every((p) => !alive(p)), 10_000)
    expect(existsSync(join(dataDir, "run", "api.pid"))).toBe(false)

    // second start: same key (not printed again), same node, data kept
    const again = await start(apiPort, tPort, uiPort)
    console.log(`dev stack ready in ${again.seconds.toFixed(1)} s (warm)`)
    expect(again.output()).not.toContain("generated a platform-admin API key")
    expect(readFileSync(join(dataDir, "node-id"), "utf8").trim()).toBe(nodeId)
    expect((await probeLocalNode(baseUrl, apiKey!, nodeId)).status).toBe("active")
    again.proc.child.kill("SIGINT")
    expect(await again.proc.exited).toBe(0)
  })
})
