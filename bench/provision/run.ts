// Benchmark, not a test: how long from the API calls for a tenant + static webroot + FQDN until
// nginx answers 200 for the name (p50, p95 over BENCH_RUNS, default 20), through the real stack
// (API → SyncTenantWorkflow → agent → useradd, nginx), against a floor measured in the same run
// on the same nginx: a script doing the same steps directly (useradd, mkdir, index page, server
// block, nginx reload, curl until 200). Target: p50 < 1.5 s and < 3× the floor's p50.
// Exits 0 whatever the numbers. See bench/README.md.
import { execFileSync } from "node:child_process"
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findExecutable, freePort, startTemporalDevServer } from "@hosting/dev"
import { createClient } from "@hosting/sdk"
import { waitForAgent } from "../../test/support/agents.js"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { startStack } from "../../test/support/stack.js"
import { httpGet, makeTestWebNode } from "../../test/support/web-node.js"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 20)
const log = (m: string) => console.error(`[bench] ${m}`)
const pct = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const ms = (x: number) => `${x.toFixed(0)} ms`

/** Polls nginx every 10 ms until `host` answers 200; bounded. */
const until200 = async (port: number, host: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const r = await httpGet(port, host).catch(() => ({ status: 0 }))
    if (r.status === 200) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${host} did not answer 200 within ${timeoutMs} ms`)
}

const temporalCli = findExecutable("temporal")
if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
const work = mkdtempSync(join(tmpdir(), "hosting-bench-provision-"))
const database = await createTestDatabase(postgresAdminUrl(), "hp_bench_prov")
const node = await makeTestWebNode()
const temporal = await startTemporalDevServer({
  executable: temporalCli,
  port: await freePort(),
  httpPort: await freePort(),
  metricsPort: await freePort(),
  logFile: join(work, "temporal.log"),
})
const floorUsers: Array<string> = []
const stack = await startStack({ databaseUrl: database.url, temporalAddress: temporal.address, env: node.env })
try {
  const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  await waitForAgent(client, stack.nodeId)
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const brand = await client.brands.create({ payload: { name: "bench" } })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })

  // warm-up: the first sync pays for workflow bundle caches and the first nginx reload
  const platform: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const host = `p${i + 2}.provision.bench.test`
    const started = performance.now()
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: host } })
    await until200(node.httpPort, host)
    if (i >= 0) platform.push(performance.now() - started)
  }
  log(`platform: ${platform.map((x) => x.toFixed(0)).join(" ")}`)

  // the floor: the same steps by hand on the same nginx
  const nginxPrefix = join(node.root, "nginx")
  const nginx = (args: Array<string>) =>
    execFileSync("/usr/sbin/nginx", ["-p", nginxPrefix, "-c", join(nginxPrefix, "nginx.conf"), ...args], {
      stdio: "ignore",
    })
  const floor: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const user = `${node.userPrefix}f${i + 2}`
    const host = `f${i + 2}.floor.bench.test`
    const home = join(node.root, "floor", user)
    const started = performance.now()
    execFileSync("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", user])
    floorUsers.push(user)
    const uid = Number(execFileSync("id", ["-u", user]).toString())
    mkdirSync(join(home, "www"), { recursive: true, mode: 0o755 })
    writeFileSync(join(home, "www", "index.html"), "ready\n")
    chownSync(join(home, "www", "index.html"), uid, uid)
    writeFileSync(
      join(nginxPrefix, "sites", `zz-floor-${i + 2}.conf`),
      `server { listen 127.0.0.1:${node.httpPort}; server_name ${host}; root ${join(home, "www")}; }\n`,
    )
    nginx(["-t"])
    nginx(["-s", "reload"])
    await until200(node.httpPort, host)
    if (i >= 0) floor.push(performance.now() - started)
  }
  log(`floor: ${floor.map((x) => x.toFixed(0)).join(" ")}`)

  const [p50, p95, f50, f95] = [pct(platform, 50), pct(platform, 95), pct(floor, 50), pct(floor, 95)]
  console.log("\n| path | p50 | p95 | runs |")
  console.log("| --- | ---: | ---: | ---: |")
  console.log(`| platform: POST tenant + webroot + FQDN → 200 from nginx | ${ms(p50)} | ${ms(p95)} | ${RUNS} |`)
  console.log(
    `| floor: useradd, mkdir, index, server block, nginx -t + reload → 200 | ${ms(f50)} | ${ms(f95)} | ${RUNS} |`,
  )
  console.log(`\nratio p50 platform/floor: ${(p50 / f50).toFixed(1)}×`)
  const ok = (b: boolean) => (b ? "met" : "MISSED")
  console.log(`Targets: p50 < 1.5 s: ${ok(p50 < 1500)}; p50 < 3× floor: ${ok(p50 < 3 * f50)}`)
} finally {
  await stack.stop()
  for (const u of floorUsers) execFileSync("userdel", [u])
  await node.cleanup()
  await temporal.process.stop()
  await database.drop()
  rmSync(work, { recursive: true, force: true })
}
