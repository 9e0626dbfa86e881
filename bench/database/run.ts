// Benchmark, not a test: how long from POST database + POST user until the user's first
// successful login (p50, p95 over BENCH_RUNS, default 20), through the real stack (API →
// SyncDatabaseWorkflow → agent → its MariaDB), against a floor measured in the same run on the
// same server: the same CREATE DATABASE / CREATE USER / GRANT sent directly with the `mariadb`
// client, then a login. Target: p50 < 1 s and < 3× the floor's p50. Exits 0 whatever the
// numbers. See bench/README.md.
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { databasePaths } from "@hosting/agent"
import { mysqlNativePasswordHash } from "@hosting/core/node"
import { findExecutable, freePort, startTemporalDevServer } from "@hosting/dev"
import { createClient } from "@hosting/sdk"
import { waitForAgent } from "../../test/support/agents.js"
import { login, makeTestDatabaseNode } from "../../test/support/database-node.js"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { startStack } from "../../test/support/stack.js"
import { log, met, ms, pct } from "../support/web-bench.js"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 20)
const PASSWORD = "bench password 1"

/** Logs in until the server lets the user in (bounded). */
const untilLogin = async (port: number, user: string, database: string) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      const c = await login(port, user, PASSWORD, database)
      await c.end()
      return
    } catch {
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  throw new Error(`${user} never logged in`)
}

const temporalCli = findExecutable("temporal")
if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
const work = mkdtempSync(join(tmpdir(), "hosting-bench-db-"))
const db = await createTestDatabase(postgresAdminUrl(), "hp_bench_db")
const node = await makeTestDatabaseNode()
const temporal = await startTemporalDevServer({
  executable: temporalCli,
  port: await freePort(),
  httpPort: await freePort(),
  metricsPort: await freePort(),
  logFile: join(work, "temporal.log"),
})
const stack = await startStack({
  databaseUrl: db.url,
  temporalAddress: temporal.address,
  env: { ...node.env, HOSTING_LOCAL_NODE_ROLES: "web,database", HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1" },
})
try {
  const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  await waitForAgent(client, stack.nodeId, 60)
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const brand = await client.brands.create({ payload: { name: "bench" } })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })

  // two warm-up runs: the first sync pays for workflow bundle caches
  const platform: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const started = performance.now()
    const d = await client.databases.create({ path: { id: tenant.id }, payload: {} })
    await client.databaseUsers.create({
      path: { id: d.id },
      payload: { username: `${d.name}_app`, password: PASSWORD },
    })
    await untilLogin(node.port, `${d.name}_app`, d.name)
    if (i >= 0) platform.push(performance.now() - started)
  }
  log(`platform: ${platform.map((x) => x.toFixed(0)).join(" ")}`)

  // the floor: the same statements by hand, with the admin account's client options, then a login
  const cnf = databasePaths(node.root).adminCnf
  const floor: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const name = `db_floor${String(i + 2).padStart(6, "0")}`
    const user = `${name}_app`
    const started = performance.now()
    execFileSync("/usr/bin/mariadb", [
      `--defaults-extra-file=${cnf}`,
      "-e",
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
       CREATE USER '${user}'@'%' IDENTIFIED BY PASSWORD '${mysqlNativePasswordHash(PASSWORD)}';
       GRANT ALL PRIVILEGES ON \`${name.replace(/_/g, "\\_")}\`.* TO '${user}'@'%';`,
    ])
    await untilLogin(node.port, user, name)
    if (i >= 0) floor.push(performance.now() - started)
  }
  log(`floor: ${floor.map((x) => x.toFixed(0)).join(" ")}`)

  const [p50, p95, f50, f95] = [pct(platform, 50), pct(platform, 95), pct(floor, 50), pct(floor, 95)]
  console.log("\n| path | p50 | p95 | runs |")
  console.log("| --- | ---: | ---: | ---: |")
  console.log(`| platform: POST database + POST user → first login | ${ms(p50)} | ${ms(p95)} | ${RUNS} |`)
  console.log(
    `| floor: mariadb -e CREATE DATABASE; CREATE USER; GRANT → first login | ${ms(f50)} | ${ms(f95)} | ${RUNS} |`,
  )
  console.log(`\nratio p50 platform/floor: ${(p50 / f50).toFixed(1)}×`)
  console.log(`Targets: p50 < 1 s: ${met(p50 < 1000)}; p50 < 3× floor: ${met(p50 < 3 * f50)}`)
} finally {
  await stack.stop()
  await temporal.process.stop()
  await node.cleanup()
  await db.drop()
  rmSync(work, { recursive: true, force: true })
}
