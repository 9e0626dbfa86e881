// Benchmark, not a test: a burst of BENCH_SITES (default 100) sites — tenant, static webroot,
// FQDN — requested BENCH_CONCURRENCY (default 10) at a time through the real stack, until nginx
// serves every name; the API's write latencies during the burst (p50, p99). The floor, on the
// same nginx in the same run: the same number of users, pages and server blocks written by a
// script with one `nginx -t` and one reload, until every name answers.
// Targets (issue 13): every site served within 20 s, API write p99 < 500 ms.
// Exits 0 whatever the numbers. See bench/README.md.
import * as os from "node:os"
import { cpuBetween, cpuSample } from "../support/cpu.js"
import { log, met, ms, pct, startWebBench, untilServed } from "../support/web-bench.js"

const SITES = Number(process.env["BENCH_SITES"] ?? 100)
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 10)
// static by default; php adds an FPM pool and a php-fpm reload to every tenant's round
const RUNTIME = process.env["BENCH_RUNTIME"] === "php" ? "php" : "static"

const bench = await startWebBench("burst")
try {
  const { node } = bench
  // warm-up: workflow bundle caches, the first nginx reload
  await bench.createSite("warm.burst.bench.test")
  await untilServed(node.httpPort, ["warm.burst.bench.test"])

  const writes: Array<number> = []
  const timed = async <A>(f: () => Promise<A>): Promise<A> => {
    const t = performance.now()
    const a = await f()
    writes.push(performance.now() - t)
    return a
  }
  const hosts = Array.from({ length: SITES }, (_, i) => `s${i}.burst.bench.test`)
  const cpu0 = cpuSample()
  const t0 = performance.now()
  // CONCURRENCY workers take the next site until none is left
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < hosts.length) await bench.createSite(hosts[next++]!, timed, RUNTIME)
    }),
  )
  const requested = performance.now() - t0
  await untilServed(node.httpPort, hosts, 25)
  const served = performance.now() - t0
  const cpu = cpuBetween(cpu0, cpuSample())
  log(`platform: ${SITES} sites requested in ${ms(requested)}, all served after ${ms(served)}`)

  // the floor: the same sites by a script on the same nginx, one test and one reload
  const floorHosts = hosts.map((_, i) => `f${i}.burst.bench.test`)
  const f0 = performance.now()
  for (const [i, host] of floorHosts.entries()) bench.floorSite(`b${i}`, host)
  bench.reloadNginx()
  await untilServed(node.httpPort, floorHosts, 25)
  const floor = performance.now() - f0
  log(`floor: ${SITES} sites served after ${ms(floor)}`)

  const [p50, p99] = [pct(writes, 50), pct(writes, 99)]
  console.log(`\n| ${SITES} ${RUNTIME} sites, ${CONCURRENCY} at a time | all served | API writes p50 | p99 | writes |`)
  console.log("| --- | ---: | ---: | ---: | ---: |")
  console.log(
    `| platform (tenant + webroot + FQDN each) | ${ms(served)} | ${ms(p50)} | ${ms(p99)} | ${writes.length} |`,
  )
  console.log(`| floor: useradd, page, server block each; one nginx -t + reload | ${ms(floor)} | | | |`)
  const total = cpu.reduce((n, [, c]) => n + c, 0)
  console.log(`\nCPU time until all were served (${ms(total)} on ${os.cpus().length} cores in ${ms(served)}):`)
  for (const [program, c] of cpu.slice(0, 10)) console.log(`- ${program}: ${ms(c)}`)
  console.log(`\nratio all-served platform/floor: ${(served / floor).toFixed(1)}×`)
  console.log(`Targets: all served within 20 s: ${met(served < 20_000)}; write p99 < 500 ms: ${met(p99 < 500)}`)
} finally {
  await bench.stop()
}
