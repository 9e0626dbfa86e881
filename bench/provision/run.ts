// Benchmark, not a test: how long from the API calls for a tenant + static webroot + FQDN until
// nginx answers 200 for the name (p50, p95 over BENCH_RUNS, default 20), through the real stack
// (API → SyncTenantWorkflow → agent → useradd, nginx), against a floor measured in the same run
// on the same nginx: a script doing the same steps directly (useradd, mkdir, index page, server
// block, nginx reload, curl until 200). Target: p50 < 1.5 s and < 3× the floor's p50.
// Exits 0 whatever the numbers. See bench/README.md.
import { log, met, ms, pct, startWebBench, untilServed } from "../support/web-bench.js"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 20)

const bench = await startWebBench("prov")
try {
  const { node } = bench
  // two warm-up runs: the first sync pays for workflow bundle caches and the first nginx reload
  const platform: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const host = `p${i + 2}.provision.bench.test`
    const started = performance.now()
    await bench.createSite(host)
    await untilServed(node.httpPort, [host])
    if (i >= 0) platform.push(performance.now() - started)
  }
  log(`platform: ${platform.map((x) => x.toFixed(0)).join(" ")}`)

  // the floor: the same steps by hand on the same nginx
  const floor: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const host = `f${i + 2}.floor.bench.test`
    const started = performance.now()
    bench.floorSite(`f${i + 2}`, host)
    bench.reloadNginx()
    await untilServed(node.httpPort, [host])
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
  console.log(`Targets: p50 < 1.5 s: ${met(p50 < 1500)}; p50 < 3× floor: ${met(p50 < 3 * f50)}`)
} finally {
  await bench.stop()
}
