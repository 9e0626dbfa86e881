// Benchmark, not a test: how long `hostctl` takes to start, against bare Node on the same machine
// in the same run. Each case runs BENCH_RUNS times (default 15), interleaved so load from other
// processes falls on every case alike; prints p50/p90/min per case and each p50's ratio to bare
// Node's, and whether the target (p50 under 0.4 s for the two help invocations) holds. Exits 0
// whatever the numbers. BENCH_BASELINE=/path/to/an/other/bin/run.js adds the same cases for
// another build of hostctl (an older commit's), measured in the same run. See bench/README.md.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 15)
const TARGET_MS = 400
const bin = fileURLToPath(new URL("../../hosts/cli/bin/run.js", import.meta.url))

interface Case {
  readonly label: string
  readonly args: ReadonlyArray<string>
  readonly target: boolean
}

const hostctlCases = (run: string, prefix: string, target: boolean): Array<Case> => [
  { label: `${prefix}hostctl --help`, args: [run, "--help"], target },
  { label: `${prefix}hostctl brands list --help`, args: [run, "brands", "list", "--help"], target },
  // no API is listening on port 9: the command loads the client, sends, and fails with exit 3
  {
    label: `${prefix}hostctl brands list (refused)`,
    args: [run, "brands", "list", "--api-url", "http://127.0.0.1:9"],
    target: false,
  },
]
const baseline = process.env["BENCH_BASELINE"]
const cases: ReadonlyArray<Case> = [
  { label: "node -e 0", args: ["-e", "0"], target: false },
  ...hostctlCases(bin, "", true),
  ...(baseline === undefined ? [] : hostctlCases(baseline, "baseline ", false)),
]

const runOnce = (c: Case): number => {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, c.args, { stdio: ["ignore", "pipe", "pipe"] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const expected = c.label.endsWith("(refused)") ? 3 : 0
  if (r.status !== expected) {
    console.error(`${c.label}: exit ${r.status}, expected ${expected}\n${r.stderr}`)
    process.exit(1)
  }
  return ms
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

console.error(`[bench] ${RUNS} runs per case on ${process.execPath} (Node ${process.version})`)
for (const c of cases) runOnce(c) // warm the file cache
const times = new Map<Case, Array<number>>(cases.map((c) => [c, []]))
for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c)!.push(runOnce(c))

const stats = cases.map((c) => {
  const sorted = [...times.get(c)!].sort((a, b) => a - b)
  return { c, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), min: sorted[0]! }
})
const bare = stats[0]!.p50
const ms = (n: number) => `${n.toFixed(0)} ms`.padStart(8)
console.log(`${"case".padEnd(41)}${"p50".padStart(8)}${"p90".padStart(8)}${"min".padStart(8)}  × bare p50`)
for (const s of stats)
  console.log(`${s.c.label.padEnd(41)}${ms(s.p50)}${ms(s.p90)}${ms(s.min)}  ${(s.p50 / bare).toFixed(1)}×`)
for (const s of stats.filter((s) => s.c.target))
  console.log(`target ${s.c.label}: p50 < ${TARGET_MS} ms: ${s.p50 < TARGET_MS ? "held" : "MISSED"}`)
