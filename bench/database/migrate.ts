// Benchmark, not a test: a database of BENCH_MB (default 200) MiB moved between two database
// shards through the platform (POST /databases/{id}/migrate → SyncDatabaseWorkflow's migration
// round: dump on the source's agent, gzip'd offer, download, SHA-256, load on the target's,
// row switched, source dropped) against the floor measured in the same run between the same two
// servers: `mariadb-dump | mariadb` piped directly. BENCH_ROUNDS (default 2) round trips, each
// direction floor first, then the platform, each after a scan of the source so both start
// from the same cache. Target: platform < 1.5× the floor. Exits 0 whatever the numbers. See
// bench/README.md.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { databasePaths } from "@hosting/agent"
import { findExecutable, freePort, startTemporalDevServer } from "@hosting/dev"
import { Client, Connection } from "@temporalio/client"
import type { Connection as MysqlConnection } from "mysql2/promise"
import { login, type TestDatabaseNode } from "../../test/support/database-node.js"
import { startDatabaseShardPair } from "../../test/support/database-shards.js"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { log, met, pct } from "../support/web-bench.js"

const TARGET_MB = Number(process.env["BENCH_MB"] ?? 200)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2)
const PASSWORD = "bench password 1"
// the same content options as the platform's dump (packages/agent/src/database/transfer.ts)
const DUMP_OPTIONS = ["--single-transaction", "--quick", "--routines", "--triggers", "--events", "--hex-blob"]

const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`

/** Runs `mariadb-dump <db>` on one server piped into `mariadb <db>` on the other, as root would by hand. */
const dumpPipe = (from: TestDatabaseNode, to: TestDatabaseNode, source: string, target: string) =>
  new Promise<void>((resolve, reject) => {
    const dump = spawn(
      "/usr/bin/mariadb-dump",
      [`--defaults-file=${databasePaths(from.root).adminCnf}`, ...DUMP_OPTIONS, "--", source],
      { stdio: ["ignore", "pipe", "inherit"] },
    )
    const load = spawn(
      "/usr/bin/mariadb",
      [`--defaults-file=${databasePaths(to.root).adminCnf}`, "--one-database", "--", target],
      { stdio: ["pipe", "ignore", "inherit"] },
    )
    dump.stdout.pipe(load.stdin)
    let left = 2
    const done = (what: string) => (code: number | null) => {
      if (code !== 0) reject(new Error(`${what} exited ${code}`))
      else if (--left === 0) resolve()
    }
    dump.on("close", done("mariadb-dump"))
    load.on("close", done("mariadb"))
  })

/** Runs SQL as the node's admin (the floor's target database is made and dropped so). */
const adminSql = (node: TestDatabaseNode, statement: string) =>
  new Promise<void>((resolve, reject) => {
    const p = spawn("/usr/bin/mariadb", [`--defaults-file=${databasePaths(node.root).adminCnf}`, "-e", statement], {
      stdio: ["ignore", "ignore", "inherit"],
    })
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`mariadb -e exited ${code}`))))
  })

const sizeMb = async (c: MysqlConnection, name: string) => {
  await c.query("ANALYZE TABLE orders")
  const [rows] = await c.query(
    "SELECT SUM(data_length + index_length) / 1048576 AS mb FROM information_schema.TABLES WHERE table_schema = ?",
    [name],
  )
  return Number((rows as Array<{ mb: string }>)[0]!.mb)
}
const checksum = async (c: MysqlConnection) => JSON.stringify((await c.query("CHECKSUM TABLE orders"))[0])

const temporalCli = findExecutable("temporal")
if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
const work = mkdtempSync(join(tmpdir(), "hosting-bench-dbmove-"))
const db = await createTestDatabase(postgresAdminUrl(), "hp_bench_dbmove")
const temporal = await startTemporalDevServer({
  executable: temporalCli,
  port: await freePort(),
  httpPort: await freePort(),
  metricsPort: await freePort(),
  logFile: join(work, "temporal.log"),
})
// production's buffer pool on both servers (the test default of 16 MiB would measure its flushing)
const pair = await startDatabaseShardPair({
  databaseUrl: db.url,
  temporalAddress: temporal.address,
  env: { HOSTING_MARIADB_BUFFER_POOL_MB: "128" },
})
const connection = await Connection.connect({ address: temporal.address })
try {
  const { a, b, admin, shardA, shardB, tenantId } = pair
  const d = await admin.databases.create({ path: { id: tenantId as never }, payload: { shard_id: shardA as never } })
  await admin.databaseUsers.create({
    path: { id: d.id },
    payload: { username: `${d.name}_app`, password: PASSWORD },
  })
  const until = async (ok: (x: Awaited<ReturnType<typeof admin.databases.get>>) => boolean, what: string) => {
    for (let i = 0; i < 36_000; i++) {
      const x = await admin.databases.get({ path: { id: d.id } })
      if (x.status === "failed") throw new Error(`${what}: ${x.status_message}`)
      if (ok(x)) return x
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`${what}: timed out`)
  }
  await until((x) => x.status === "active", "create")
  await new Promise((r) => setTimeout(r, 500))

  // the data: orders as a shop keeps them, text that compresses as text does
  log(`filling ${d.name} to ${TARGET_MB} MiB`)
  const app = await login(a.port, `${d.name}_app`, PASSWORD, d.name)
  await app.query(`CREATE TABLE orders (id INT UNSIGNED PRIMARY KEY, customer_id INT UNSIGNED NOT NULL,
    email VARCHAR(64) NOT NULL, note VARCHAR(255) NOT NULL, amount DECIMAL(10,2) NOT NULL, created_at DATETIME NOT NULL,
    KEY customer (customer_id))`)
  const BATCH = 100_000
  let rows = 0
  let mb = 0
  while (mb < TARGET_MB) {
    await app.query(
      `INSERT INTO orders SELECT seq, seq % 50000, CONCAT('customer', seq % 50000, '@example.test'),
        CONCAT('order ', seq, ': ', MD5(seq), ' ', SHA1(seq * 7), ' ', SHA2(seq, 256), ' deliver to door'),
        (seq % 100000) / 100, '2024-01-01' + INTERVAL (seq * 37 % 31536000) SECOND
        FROM seq_${rows + 1}_to_${rows + BATCH}`,
    )
    rows += BATCH
    mb = await sizeMb(app, d.name)
  }
  const original = await checksum(app)
  await app.end()
  log(`${rows} rows, ${mb.toFixed(0)} MiB (InnoDB data + indexes)`)

  const history = async () => {
    const events = (await new Client({ connection }).workflow.getHandle(`database:${d.id}:sync`).fetchHistory()).events!
    const scheduled = new Map<string, { name: string; at: number }>()
    const at = (e: (typeof events)[number]) => Number(e.eventTime!.seconds) * 1000 + e.eventTime!.nanos! / 1e6
    const phases: Array<string> = []
    for (const e of events) {
      if (e.activityTaskScheduledEventAttributes)
        scheduled.set(String(e.eventId), {
          name: e.activityTaskScheduledEventAttributes.activityType!.name!,
          at: at(e),
        })
      const done = e.activityTaskCompletedEventAttributes
      if (done) {
        const s = scheduled.get(String(done.scheduledEventId))
        if (s !== undefined) phases.push(`${s.name} ${seconds(at(e) - s.at)}`)
      }
    }
    return phases.slice(-3).join(", ")
  }

  const floors: Array<number> = []
  const platform: Array<number> = []
  const loads: Array<number> = [loadavg()[0]!]
  const legs = [
    [shardA, shardB, a, b],
    [shardB, shardA, b, a],
  ] as const
  for (const [from, to, fromNode, toNode] of Array.from({ length: ROUNDS }, () => legs).flat()) {
    const warm = await login(fromNode.port, `${d.name}_app`, PASSWORD, d.name)
    await checksum(warm)
    await warm.end()
    const scratch = `db_floor${Math.random().toString(36).slice(2, 8)}`
    await adminSql(toNode, `CREATE DATABASE ${scratch} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
    const t0 = performance.now()
    await dumpPipe(fromNode, toNode, d.name, scratch)
    floors.push(performance.now() - t0)
    await adminSql(toNode, `DROP DATABASE ${scratch}`)
    log(`floor ${from === shardA ? "A→B" : "B→A"}: ${seconds(floors.at(-1)!)}`)

    const t1 = performance.now()
    await admin.databases.migrate({ path: { id: d.id }, payload: { shard_id: to as never } })
    await until((x) => x.status === "active" && x.shard_id === to, "migration")
    platform.push(performance.now() - t1)
    log(`platform ${from === shardA ? "A→B" : "B→A"}: ${seconds(platform.at(-1)!)} (${await history()})`)
    const moved = await login(toNode.port, `${d.name}_app`, PASSWORD, d.name)
    if ((await checksum(moved)) !== original) throw new Error("the moved database's checksum differs")
    await moved.end()
    loads.push(loadavg()[0]!)
  }

  const [p, f] = [platform.reduce((x, y) => x + y), floors.reduce((x, y) => x + y)]
  console.log(
    `\n${rows} rows, ${mb.toFixed(0)} MiB; load average (1 min) ${loads.map((l) => l.toFixed(1)).join(" → ")}`,
  )
  const directions = platform.map((_, i) => (i % 2 === 0 ? "A→B" : "B→A"))
  console.log(`\n| path | ${directions.join(" | ")} | median |`)
  console.log(`| --- | ${directions.map(() => "---:").join(" | ")} | ---: |`)
  const row = (what: string, xs: ReadonlyArray<number>) =>
    console.log(`| ${what} | ${xs.map(seconds).join(" | ")} | ${seconds(pct(xs, 50))} |`)
  row("platform: POST migrate → active on the target", platform)
  row("floor: mariadb-dump \\| mariadb", floors)
  const medians = pct(platform, 50) / pct(floors, 50)
  console.log(`\nratio platform/floor: ${(p / f).toFixed(2)}× (sums), ${medians.toFixed(2)}× (medians)`)
  console.log(`Target: < 1.5× the floor: ${met(p < 1.5 * f)}`)
} finally {
  await connection.close()
  await pair.stop()
  await temporal.process.stop()
  await db.drop()
  rmSync(work, { recursive: true, force: true })
}
