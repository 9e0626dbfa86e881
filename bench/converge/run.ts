// Benchmark, not a test: converging a web node with 1,000 webroots (100 tenants × 10 webroots,
// one FQDN each; 2 of each tenant's 10 are PHP, so 100 FPM pools) on real nginx, php-fpm and
// useradd, then again with nothing to do, then after drift. Prints wall times, reloads and
// writes against the targets (one nginx reload and < 20 s for the 1,000; a no-op converge with
// zero reloads and zero writes), and a floor: the same 1,000 site files written directly and
// nginx reloaded once. Exits 0 whatever the numbers. See bench/README.md.
import { execFileSync } from "node:child_process"
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { nodePaths, WebNode, webNodeConfigFromEnv } from "@hosting/agent"
import { generateName, type TenantSpec } from "@hosting/core"
import { eventually, httpGet, makeTestWebNode } from "../../test/support/web-node.js"

const TENANTS = Number(process.env["BENCH_TENANTS"] ?? 100)
const PER_TENANT = 10
const log = (m: string) => console.error(`[bench] ${m}`)
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

const node = await makeTestWebNode()
const config = webNodeConfigFromEnv(node.env)
const web = new WebNode(config)
try {
  await web.start()
  const specs: Array<TenantSpec> = Array.from({ length: TENANTS }, (_, t) => ({
    name: generateName("tenant"),
    suspended: false,
    ssh_keys: [],
    webroots: Array.from({ length: PER_TENANT }, (_, w) => ({
      name: generateName("webroot"),
      runtime: w < 2 ? ("php" as const) : ("static" as const),
      runtime_version: w < 2 ? "8.2" : null,
      entrypoint: null,
      numprocs: 1,
      server_names: [`w${w}.t${t}.bench.test`],
    })),
  }))
  const webroots = TENANTS * PER_TENANT
  log(`${TENANTS} tenants, ${webroots} webroots`)

  const timed = async (label: string, f: () => Promise<Awaited<ReturnType<WebNode["converge"]>>>) => {
    const started = performance.now()
    const report = await f()
    const ms = performance.now() - started
    const writes = report.changes.filter((c) => c.action !== "delete").length
    log(`${label}: ${seconds(ms)}, ${report.changes.length} changes, reloads ${JSON.stringify(report.reloads)}`)
    if (report.errors.length > 0) log(`  errors: ${JSON.stringify(report.errors.slice(0, 3))}`)
    return { label, ms, report, writes }
  }

  const cold = await timed("first converge (users, homes, pools, sites)", () => web.converge(specs, false))
  const probe = await eventually(
    "a converged site",
    () => httpGet(node.httpPort, `w5.t${TENANTS - 1}.bench.test`),
    (r) => r.status === 404 || r.status === 403 || r.status === 200,
  )
  log(`sample site answered ${probe.status} (empty webroot)`)
  const noop = await timed("no-op converge", () => web.converge(specs, false))

  // drift: 10 site files deleted by hand, 5 stray ones added
  const sites = nodePaths(config.layout.root).sites
  for (const f of readdirSync(sites).slice(0, 10)) rmSync(join(sites, f))
  for (let i = 0; i < 5; i++) writeFileSync(join(sites, `hp-stray-${i}.conf`), "# stray\n")
  const drift = await timed("converge after drift (10 deleted, 5 stray)", () => web.converge(specs, false))

  // a changed set: every site file rewritten (a new listen address would do the same)
  const renamed = specs.map((s) => ({
    ...s,
    webroots: s.webroots.map((w) => ({ ...w, server_names: [...w.server_names, `alias.${w.name}.bench.test`] })),
  }))
  const rewrite = await timed("converge rewriting all 1,000 sites", () => web.converge(renamed, false))

  // floor: the same number of files written directly, then one nginx -t and one reload
  const floorDir = join(config.layout.root, "floor-sites")
  execFileSync("mkdir", ["-p", floorDir])
  const started = performance.now()
  for (let i = 0; i < webroots; i++)
    writeFileSync(
      join(sites, `zz-floor-${i}.conf`),
      `server { listen 127.0.0.1:${node.httpPort}; server_name f${i}.floor.test; root /nonexistent; }\n`,
    )
  const p = nodePaths(config.layout.root)
  execFileSync(config.binaries.nginx, ["-p", p.nginxPrefix, "-c", p.nginxConf, "-t"], { stdio: "ignore" })
  execFileSync(config.binaries.nginx, ["-p", p.nginxPrefix, "-c", p.nginxConf, "-s", "reload"])
  const floorMs = performance.now() - started
  for (let i = 0; i < webroots; i++) rmSync(join(sites, `zz-floor-${i}.conf`))
  log(`floor (write ${webroots} files, nginx -t, reload): ${seconds(floorMs)}`)

  console.log("\n| run | wall | changes | nginx reloads | php reloads |")
  console.log("| --- | ---: | ---: | ---: | ---: |")
  for (const r of [cold, noop, drift, rewrite])
    console.log(
      `| ${r.label} | ${seconds(r.ms)} | ${r.report.changes.length} | ${r.report.reloads.nginx} | ${r.report.reloads.php} |`,
    )
  console.log(`| floor: ${webroots} files + nginx -t + reload | ${seconds(floorMs)} | ${webroots} | 1 | 0 |`)
  console.log("\nTargets:")
  const ok = (b: boolean) => (b ? "met" : "MISSED")
  console.log(
    `- 1,000 webroots in one converge with one nginx reload, < 20 s: ${ok(cold.report.reloads.nginx === 1 && cold.ms < 20_000)} (${seconds(cold.ms)}, ${cold.report.reloads.nginx} reload)`,
  )
  console.log(
    `- no-op converge: zero reloads and zero writes: ${ok(noop.report.reloads.nginx === 0 && noop.report.reloads.php === 0 && noop.report.changes.length === 0)} (${seconds(noop.ms)})`,
  )
  console.log(
    `- rewriting all 1,000 sites vs the floor: ${(rewrite.ms / floorMs).toFixed(1)}× (${seconds(rewrite.ms)} vs ${seconds(floorMs)})`,
  )
} finally {
  await web.close()
  await node.cleanup()
}
