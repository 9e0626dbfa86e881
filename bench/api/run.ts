// Benchmark, not a test: the API's brand reads against a floor measured in the same run (bare
// node:http + pg answering the same queries), on a fresh PostgreSQL database and the real API
// stack. Prints a table, the API/bare ratios and whether the targets hold. Exits 0 whatever the
// numbers; non-zero only when the benchmark could not run or was interrupted. See bench/README.md.
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, constants, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  findExecutable,
  freePort,
  portOpen,
  type ServiceProcess,
  startProcess,
  startTemporalDevServer,
  waitFor,
} from "@hosting/dev"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { startStack } from "../../test/support/stack.js"
import { type Load, loadAutocannon, measure, type Target } from "./load.js"
import { printReport, type Row } from "./report.js"

const CONNECTIONS = 10
/** The API's pool in the stack (HOSTING_DATABASE_POOL_SIZE); the floor gets the same. */
const POOL_SIZE = 4
const BRANDS = 60
const PAGE = 50
const WARMUP_SECONDS = 2
const FIXED_RATE = 500
const TARGETS = { minRequestsRatio: 0.5, maxP99Ms: 10 }

const log = (message: string) => console.error(`[bench] ${message}`)

const benchSeconds = (): number => {
  const raw = process.env["BENCH_SECONDS"] ?? "10"
  const seconds = Number(raw)
  if (!(seconds > 0)) throw new Error(`BENCH_SECONDS must be a positive number of seconds, got "${raw}"`)
  return seconds
}

/** Aborted by the first SIGINT/SIGTERM: the run in progress stops, nothing new starts. */
const interruption = new AbortController()

/** What to undo, run last-in first-out; each step is bounded by its helper (SIGKILL after a grace). */
const cleanups: Array<{ readonly what: string; readonly run: () => Promise<unknown> }> = []
const defer = (what: string, run: () => Promise<unknown>) => {
  cleanups.push({ what, run })
  interruption.signal.throwIfAborted()
}
const cleanUp = async () => {
  for (const step of cleanups.splice(0).reverse()) {
    await step.run().catch((e: unknown) => log(`cleanup: could not ${step.what}: ${String(e)}`))
  }
}
/** Log directories, removed after a successful run and kept (and named) after a failed one. */
const logDirs: Array<string> = []

const getJson = async (url: string, headers: Record<string, string> = {}): Promise<unknown> => {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`)
  return res.json()
}

const seedBrands = async (baseUrl: string, apiKey: string): Promise<ReadonlyArray<string>> => {
  const ids: Array<string> = []
  for (let i = 1; i <= BRANDS; i++) {
    const res = await fetch(`${baseUrl}/api/v1/brands`, {
      method: "POST",
      headers: { "X-API-Key": apiKey, "content-type": "application/json" },
      body: JSON.stringify({ name: `Bench brand ${String(i).padStart(2, "0")}` }),
      signal: AbortSignal.timeout(10_000),
    })
    if (res.status !== 201) throw new Error(`POST /api/v1/brands answered ${res.status}: ${await res.text()}`)
    ids.push(((await res.json()) as { id: string }).id)
  }
  return ids
}

const startFloor = async (databaseUrl: string, logFile: string): Promise<{ url: string; process: ServiceProcess }> => {
  const port = await freePort()
  const proc = startProcess({
    name: "floor",
    command: process.execPath,
    // the same loader flags as this process (tsx), so floor.ts runs as it is
    args: [...process.execArgv, fileURLToPath(new URL("./floor.ts", import.meta.url))],
    env: {
      ...process.env,
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_FLOOR_PORT: String(port),
      BENCH_POOL_SIZE: String(POOL_SIZE),
    },
    logFile,
  })
  await waitFor(
    "the floor server",
    async () => proc.child.exitCode !== null || portOpen("127.0.0.1", port),
    30_000,
  ).catch(async (e: unknown) => {
    await proc.stop(2_000)
    throw e
  })
  if (proc.child.exitCode !== null) throw new Error(`the floor server exited with ${proc.child.exitCode} (${logFile})`)
  return { url: `http://127.0.0.1:${port}`, process: proc }
}

/** Both servers must give the same rows, or the ratio compares different work. */
const checkSameAnswers = async (api: string, apiKey: string, floor: string, id: string) => {
  const headers = { "X-API-Key": apiKey }
  const [apiOne, floorOne] = (await Promise.all([
    getJson(`${api}/api/v1/brands/${id}`, headers),
    getJson(`${floor}/brands/${id}`),
  ])) as Array<{ id: string }>
  if (apiOne?.id !== id || floorOne?.id !== id) throw new Error(`GET brand ${id}: the API and the floor disagree`)
  const [apiPage, floorPage] = (await Promise.all([
    getJson(`${api}/api/v1/brands?limit=${PAGE}`, headers),
    getJson(`${floor}/brands?limit=${PAGE}`),
  ])) as Array<{ items: Array<{ id: string }> }>
  const ids = (page: { items: Array<{ id: string }> } | undefined) => page?.items.map((b) => b.id).join()
  if (apiPage?.items.length !== PAGE || ids(apiPage) !== ids(floorPage)) {
    throw new Error(`GET brands?limit=${PAGE}: the API and the floor return different pages`)
  }
}

const main = async () => {
  const seconds = benchSeconds()
  const autocannon = await loadAutocannon()
  const temporalCli = findExecutable("temporal")
  if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
  const workDir = mkdtempSync(join(tmpdir(), "hosting-bench-"))
  logDirs.push(workDir)

  const database = await createTestDatabase(postgresAdminUrl(), "hp_bench")
  defer("drop the database", () => database.drop())
  log(`database ${new URL(database.url).pathname.slice(1)}`)

  const temporal = await startTemporalDevServer({
    executable: temporalCli,
    port: await freePort(),
    httpPort: await freePort(),
    metricsPort: await freePort(),
    logFile: join(workDir, "temporal.log"),
  })
  defer("stop Temporal", () => temporal.process.stop())

  log("starting the API stack")
  const stack = await startStack({
    databaseUrl: database.url,
    temporalAddress: temporal.address,
    env: { HOSTING_DATABASE_POOL_SIZE: String(POOL_SIZE) },
  })
  logDirs.push(stack.logDir)
  defer("stop the API stack", () => stack.stop())

  log(`seeding ${BRANDS} brands`)
  const ids = await seedBrands(stack.baseUrl, stack.apiKey)
  const floor = await startFloor(database.url, join(workDir, "floor.log"))
  defer("stop the floor server", () => floor.process.stop(2_000))
  await checkSameAnswers(stack.baseUrl, stack.apiKey, floor.url, ids[0]!)

  const apiHeaders = { "X-API-Key": stack.apiKey }
  const apiOne: Target = { url: stack.baseUrl, headers: apiHeaders, paths: ids.map((id) => `/api/v1/brands/${id}`) }
  const apiList: Target = { url: stack.baseUrl, headers: apiHeaders, paths: [`/api/v1/brands?limit=${PAGE}`] }
  const saturated = { seconds, connections: CONNECTIONS }
  const run = async (label: string, target: Target, load: Load, warmUp = true): Promise<Row> => {
    const signal = interruption.signal
    log(`${label}: ${warmUp ? `${WARMUP_SECONDS} s warm-up, then ` : ""}${seconds} s`)
    if (warmUp) await measure(autocannon, target, { ...load, seconds: WARMUP_SECONDS }, signal)
    return { label, measurement: await measure(autocannon, target, load, signal) }
  }
  const single = {
    api: await run("API  GET /api/v1/brands/{id}", apiOne, saturated),
    bare: await run("bare GET /brands/{id}", { url: floor.url, paths: ids.map((id) => `/brands/${id}`) }, saturated),
  }
  const list = {
    api: await run(`API  GET /api/v1/brands?limit=${PAGE}`, apiList, saturated),
    bare: await run(`bare GET /brands?limit=${PAGE}`, { url: floor.url, paths: [`/brands?limit=${PAGE}`] }, saturated),
  }
  const fixedRate = {
    rate: FIXED_RATE,
    ...(await run(
      `API  GET /api/v1/brands/{id} at ${FIXED_RATE}/s`,
      apiOne,
      { ...saturated, overallRate: FIXED_RATE },
      false, // warm from the first run
    )),
  }
  printReport({
    settings: [
      `${seconds} s per run`,
      `${CONNECTIONS} connections`,
      `pool ${POOL_SIZE}`,
      `${BRANDS} brands`,
      `${availableParallelism()} CPUs`,
      `Node ${process.version}`,
    ].join(", "),
    targets: TARGETS,
    single,
    list,
    fixedRate,
  })
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // a second signal does not wait for the step in progress to end (and may leave processes behind)
    if (interruption.signal.aborted) process.exit(128 + constants.signals[signal])
    log(`${signal}: stopping after the current step (send it again to exit at once)`)
    interruption.abort(new Error(`interrupted by ${signal}`))
    process.exitCode = 128 + constants.signals[signal]
  })
}

try {
  await main()
} catch (e) {
  log(`failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exitCode ??= 1
} finally {
  await cleanUp()
}
if (process.exitCode === undefined) {
  for (const dir of logDirs) rmSync(dir, { recursive: true, force: true })
} else if (logDirs.length > 0) {
  log(`logs kept in ${logDirs.join(", ")}`)
}
