// Benchmark, not a test: replication lag under a write load. A primary and a replica (two real
// MariaDB servers under unique roots, the replica seeded from a dump of the primary as a shard's
// converge does it), then BENCH_RATE inserts/s (default 500) for BENCH_SECONDS (default 30) by an
// application on the primary, one autocommit INSERT each. Every second the replica's
// replicationStatus() is sampled, as the shard's health check reads it: seconds_behind
// (Seconds_Behind_Master, whole seconds) and, finer, how many rows the replica lacks at that
// moment (in ms at the insert rate). Prints p50/p99/max and the load average. Exits 0 whatever
// the numbers. See bench/README.md.
import { randomUUID } from "node:crypto"
import { loadavg } from "node:os"
import { adminPassword, DatabaseNode, databaseNodeConfigFromEnv, databasePaths } from "@hosting/agent"
import { mysqlNativePasswordHash } from "@hosting/core/node"
import { createConnection } from "mysql2/promise"
import { login, makeTestDatabaseNode } from "../../test/support/database-node.js"
import { log } from "../support/web-bench.js"

const RATE = Number(process.env["BENCH_RATE"] ?? 500)
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 30)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 4)
const DB = "db_lagbench01"
const PASSWORD = "bench password 1"

const pctl = (xs: ReadonlyArray<number>, p: number) => {
  const sorted = [...xs].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

const [pt, rt] = await Promise.all([makeTestDatabaseNode(), makeTestDatabaseNode()])
const member = (t: typeof pt) =>
  new DatabaseNode(databaseNodeConfigFromEnv({ ...t.env, HOSTING_NODE_ID: randomUUID() }))
const primary = member(pt)
const replica = member(rt)
try {
  await Promise.all([primary.start(), replica.start()])
  await primary.ensureDatabase({
    name: DB,
    charset: "utf8mb4",
    collation: "utf8mb4_unicode_ci",
    users: [{ name: `${DB}_app`, password_hash: mysqlNativePasswordHash(PASSWORD), privileges: "all", locked: false }],
  })
  const app = await login(pt.port, `${DB}_app`, PASSWORD, DB)
  await app.query("CREATE TABLE t (id INT PRIMARY KEY, at BIGINT, pad VARCHAR(100))")
  const seeded = await replica.seedFromPrimary(await primary.replicationSource(), await primary.offerReplicaSeed())
  log(`replica ${seeded.outcome}`)
  const watcher = await createConnection({
    socketPath: databasePaths(rt.root).socket,
    user: "hosting_admin",
    password: await adminPassword(rt.root),
  })

  let inserted = 0
  const behind: Array<number> = []
  const rowsBehind: Array<number> = []
  const start = Date.now()
  const end = start + SECONDS * 1000
  const sampler = (async () => {
    for (let s = 1; s <= SECONDS; s++) {
      await new Promise((r) => setTimeout(r, start + s * 1000 - Date.now()))
      const sentBefore = inserted
      const status = await replica.replicationStatus()
      const [rows] = await watcher.query(`SELECT COUNT(*) AS n FROM ${DB}.t`)
      behind.push(status.replica?.seconds_behind ?? Number.NaN)
      rowsBehind.push(Math.max(0, sentBefore - Number((rows as Array<{ n: number }>)[0]!.n)))
    }
  })()
  // paced: insert i is due at start + i / RATE, taken by whichever of BENCH_CONNECTIONS (default 4)
  // application connections is free; each commit waits for its fsyncs, so one connection alone
  // cannot keep up on a slow disk (concurrent commits share them: group commit)
  let late = 0
  let next = 0
  const worker = async (c: typeof app) => {
    for (;;) {
      const i = next++
      const due = start + (i * 1000) / RATE
      if (due >= end) return
      const wait = due - Date.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      else if (wait < -100) late++
      await c.query("INSERT INTO t VALUES (?, ?, REPEAT('x', 100))", [i, Date.now()])
      inserted++
    }
  }
  const extra = await Promise.all(
    Array.from({ length: CONNECTIONS - 1 }, () => login(pt.port, `${DB}_app`, PASSWORD, DB)),
  )
  await Promise.all([app, ...extra].map(worker))
  for (const c of extra) await c.end()
  await sampler
  const achieved = inserted / ((Date.now() - start) / 1000)
  await app.end()
  const drained = Date.now()
  for (;;) {
    const [rows] = await watcher.query(`SELECT COUNT(*) AS n FROM ${DB}.t`)
    if (Number((rows as Array<{ n: number }>)[0]!.n) === inserted || Date.now() - drained > 60_000) break
    await new Promise((r) => setTimeout(r, 10))
  }
  const catchUp = Date.now() - drained
  await watcher.end()
  const final = await replica.replicationStatus()
  const ms = rowsBehind.map((n) => (n * 1000) / RATE)
  console.log(
    [
      `inserts: ${inserted} in ${SECONDS} s (${achieved.toFixed(0)}/s achieved, target ${RATE}/s; ${late} over 100 ms late; ${CONNECTIONS} connections)`,
      `seconds_behind (replicationStatus, ${behind.length} samples): p50 ${pctl(behind, 50)} s, p99 ${pctl(behind, 99)} s, max ${Math.max(...behind)} s`,
      `rows behind at each sample: p50 ${pctl(rowsBehind, 50)}, p99 ${pctl(rowsBehind, 99)}, max ${Math.max(...rowsBehind)} (≈ p99 ${pctl(ms, 99).toFixed(0)} ms of writes)`,
      `replica caught up ${catchUp} ms after the last insert; threads ${final.replica?.io_running ? "Yes" : "No"}/${final.replica?.sql_running ? "Yes" : "No"}`,
      `load average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
    ].join("\n"),
  )
} finally {
  await primary.close()
  await replica.close()
  await pt.cleanup()
  await rt.cleanup()
}
