// Benchmark, not a test: a burst of BENCH_SITES (default 100) sites — tenant, static webroot,
// FQDN — requested BENCH_CONCURRENCY (default 10) at a time through the real stack, until nginx
// serves every name; the API's write latencies during the burst (p50, p99). The floor, on the
// same nginx in the same run: the same number of users, pages and server blocks written by a
// script with one `nginx -t` and one reload, until every name answers.
// Targets (issue 13): every site served within 20 s, API write p99 < 500 ms.
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

const SITES = Number(process.env["BENCH_SITES"] ?? 100)
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 10)
const log = (m: string) => console.error(`[bench] ${m}`)
const pct = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const ms = (x: number) => `${x.toFixed(0)} ms`

/** Polls until every host answers 200 from nginx; answers when the last one did (ms since `t0`). */
const untilAllServed = async (port: number, hosts: ReadonlyArray<string>, t0: number, timeoutMs = 300_000) => {
  const pending = new Set(hosts)
  const deadline = Date.now() + timeoutMs
  while (pending.size > 0 && Date.now() < deadline) {
    for (const host of [...pending]) {
      const r = await httpGet(port, host).catch(() => ({ status: 0 }))
      if (r.status === 200) pending.delete(host)
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 25))
  }
  if (pending.size > 0) throw new Error(`${pending.size} names not served within ${timeoutMs} ms`)
  return performance.now() - t0
}

/** Runs `tasks` with at most `n` at once. */
const pool = async <A>(n: number, tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const out: Array<A> = []
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++
        out[i] = await tasks[i]!()
      }
    }),
  )
  return out
}

const temporalCli = findExecutable("temporal")
if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
const work = mkdtempSync(join(tmpdir(), "hosting-bench-burst-"))
const database = await createTestDatabase(postgresAdminUrl(), "hp_bench_burst")
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
  // warm-up: workflow bundle caches, the first nginx reload
  {
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "warm.burst.bench.test" } })
    await untilAllServed(node.httpPort, ["warm.burst.bench.test"], performance.now())
  }

  const writes: Array<number> = []
  const timed = async <A>(f: () => Promise<A>): Promise<A> => {
    const t = performance.now()
    const a = await f()
    writes.push(performance.now() - t)
    return a
  }
  const hosts = Array.from({ length: SITES }, (_, i) => `s${i}.burst.bench.test`)
  const t0 = performance.now()
  await pool(
    CONCURRENCY,
    hosts.map((host) => async () => {
      const tenant = await timed(() => client.tenants.create({ payload: { brand_id: brand.id } }))
      const webroot = await timed(() =>
        client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } }),
      )
      await timed(() => client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: host } }))
    }),
  )
  const requested = performance.now() - t0
  const served = await untilAllServed(node.httpPort, hosts, t0)
  log(`platform: ${SITES} sites requested in ${ms(requested)}, all served after ${ms(served)}`)

  // the floor: the same sites by a script on the same nginx, one test and one reload
  const nginxPrefix = join(node.root, "nginx")
  const nginx = (args: Array<string>) =>
    execFileSync("/usr/sbin/nginx", ["-p", nginxPrefix, "-c", join(nginxPrefix, "nginx.conf"), ...args], {
      stdio: "ignore",
    })
  const floorHosts = hosts.map((_, i) => `f${i}.burst.bench.test`)
  const f0 = performance.now()
  for (let i = 0; i < SITES; i++) {
    const user = `${node.userPrefix}b${i}`
    const home = join(node.root, "floor", user)
    execFileSync("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", user])
    floorUsers.push(user)
    const uid = Number(execFileSync("id", ["-u", user]).toString())
    mkdirSync(join(home, "www"), { recursive: true, mode: 0o755 })
    writeFileSync(join(home, "www", "index.html"), "ready\n")
    chownSync(join(home, "www", "index.html"), uid, uid)
    writeFileSync(
      join(nginxPrefix, "sites", `zz-floor-${i}.conf`),
      `server { listen 127.0.0.1:${node.httpPort}; server_name ${floorHosts[i]}; root ${join(home, "www")}; }\n`,
    )
  }
  nginx(["-t"])
  nginx(["-s", "reload"])
  const floor = await untilAllServed(node.httpPort, floorHosts, f0)
  log(`floor: ${SITES} sites served after ${ms(floor)}`)

  const [p50, p99] = [pct(writes, 50), pct(writes, 99)]
  console.log(`\n| ${SITES} sites, ${CONCURRENCY} at a time | all served | API writes p50 | p99 | writes |`)
  console.log("| --- | ---: | ---: | ---: | ---: |")
  console.log(
    `| platform (tenant + webroot + FQDN each) | ${ms(served)} | ${ms(p50)} | ${ms(p99)} | ${writes.length} |`,
  )
  console.log(`| floor: useradd, page, server block each; one nginx -t + reload | ${ms(floor)} | | | |`)
  console.log(`\nratio all-served platform/floor: ${(served / floor).toFixed(1)}×`)
  const ok = (b: boolean) => (b ? "met" : "MISSED")
  console.log(`Targets: all served within 20 s: ${ok(served < 20_000)}; write p99 < 500 ms: ${ok(p99 < 500)}`)
} finally {
  await stack.stop()
  for (const u of floorUsers) execFileSync("userdel", [u])
  await node.cleanup()
  await temporal.process.stop()
  await database.drop()
  rmSync(work, { recursive: true, force: true })
}
