// Benchmark, not a test: pushing 10,000 FQDN mappings into a real HAProxy's map through the
// runtime API (no reload), the ways the agent can, against rewriting the map file and reloading
// HAProxy once, in the same run. Prints wall times and reload counts (read from HAProxy's own
// `show info`: a reload is a new process). Exits 0 whatever the numbers. See bench/README.md.
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { commandLines, haproxyCli, haproxyInfo, LbNode, lbNodeConfigFromEnv, payloadRequests } from "@hosting/agent"
import { LbSpec, lbBackendName, lbPaths, lbServerName } from "@hosting/core"
import { Schema } from "effect"
import { makeTestLbNode, startNamedServer } from "../../test/support/lb-node.js"
import { eventually, httpGet } from "../../test/support/web-node.js"

const COUNT = Number(process.env["BENCH_FQDNS"] ?? 10_000)
const log = (m: string) => console.error(`[bench] ${m}`)
const ms = (n: number) => `${n.toFixed(0)} ms`

const node = await makeTestLbNode()
const web = [await startNamedServer("A"), await startNamedServer("B")]
const config = lbNodeConfigFromEnv(node.env)
const p = lbPaths(config.layout.root)
const lb = new LbNode(config)
const shard = (n: number) => `0${n}000000-0000-4000-8000-000000000000`
const backends = web.map((w, i) => ({
  name: lbBackendName(shard(i + 1)),
  servers: [{ name: lbServerName(`1${i}000000-0000-4000-8000-000000000000`), address: "127.0.0.1", port: w.port }],
}))
const names = Array.from({ length: COUNT }, (_, i) => `site${i}.bench.test`)
const backendOf = (i: number) => backends[i % 2]!.name
const spec = (n: number): LbSpec => ({
  backends: backends.map((b, k) => ({ ...b, hosts: names.slice(0, n).filter((_, i) => i % 2 === k) })),
})
const cli = (command: string) => haproxyCli(p.socket, command)
const last = names.length - 1
// the run's last name answers through HAProxy from its backend: the push took effect
const routed = () =>
  eventually(
    "the last name routed",
    () => httpGet(config.layout.listen.port, names[last]!),
    (r) => r.body.startsWith(last % 2 === 0 ? "A " : "B "),
  )

interface Row {
  readonly label: string
  readonly ms: number
  readonly reloads: number
}
const rows: Array<Row> = []
const measure = async (label: string, f: () => Promise<unknown>) => {
  const before = await haproxyInfo(config.layout.root)
  const started = performance.now()
  await f()
  await routed()
  const wall = performance.now() - started
  const after = await haproxyInfo(config.layout.root)
  const count = (await cli(`show map ${p.map}`)).split("\n").filter((l) => l.trim() !== "").length
  const reloads = after.pid === before.pid && after.startTime === before.startTime ? 0 : 1
  log(`${label}: ${ms(wall)}, ${reloads} reload(s), ${count} entries in the map`)
  if (count < COUNT) log(`  only ${count} of ${COUNT} entries arrived`)
  rows.push({ label, ms: wall, reloads })
}
const empty = async () => {
  await lb.apply(spec(0), false)
  await cli(`clear map ${p.map}`)
}

try {
  await lb.start()
  await lb.apply(spec(0), false) // the two backends: the only reload before measuring
  log(`${COUNT} names, 2 backends, HAProxy ${execFileSync(config.binary, ["-v"]).toString().split("\n")[0]}`)

  await empty()
  await measure("LbNode.apply: empty → 10,000 (prepare map + payloads + commit, verified)", () =>
    lb.apply(spec(COUNT), false),
  )
  await measure("LbNode.apply: the same 10,000 again (show map diff, nothing to change)", () =>
    lb.apply(spec(COUNT), false),
  )
  names.push("extra.bench.test")
  await measure("LbNode.apply: one name bound on top of 10,000 (show map diff + one add map)", () =>
    lb.apply(spec(COUNT + 1), false),
  )
  await measure("LbNode.apply: that name unbound again (show map diff + one del map)", () =>
    lb.apply(spec(COUNT), false),
  )
  names.pop()
  const decodeStarted = performance.now()
  Schema.decodeUnknownSync(LbSpec)(spec(COUNT))
  log(`decoding a 10,000-name LbSpec (the activity's input check): ${ms(performance.now() - decodeStarted)}`)

  await empty()
  await measure("runtime API: `add map <<` payloads, 8 kB each", async () => {
    for (const r of payloadRequests(
      `add map ${p.map}`,
      names.map((n, i) => `${n} ${backendOf(i)}`),
    ))
      await cli(r)
  })
  await empty()
  await measure("runtime API: one `add map` per name, `;`-joined lines of 8 kB", async () => {
    for (const line of commandLines(names.map((n, i) => `add map ${p.map} ${n} ${backendOf(i)}`))) await cli(line)
  })
  await empty()
  await measure("runtime API: one `add map` per connection (10,000 connections)", async () => {
    for (let i = 0; i < names.length; i++) await cli(`add map ${p.map} ${names[i]} ${backendOf(i)}`)
  })

  // floor: the map file rewritten and HAProxy reloaded once (seamlessly, -x + -sf)
  await empty()
  await measure("floor: write the map file + one HAProxy reload", async () => {
    writeFileSync(p.map, names.map((n, i) => `${n} ${backendOf(i)}\n`).join(""))
    const old = (await haproxyInfo(config.layout.root)).pid
    execFileSync(config.binary, ["-D", "-f", p.config, "-x", p.socket, "-sf", String(old)])
  })

  const floor = rows.at(-1)!
  console.log(`\n| ${COUNT.toLocaleString("en")} mappings | wall | HAProxy reloads | vs floor |`)
  console.log("| --- | ---: | ---: | ---: |")
  for (const r of rows) console.log(`| ${r.label} | ${ms(r.ms)} | ${r.reloads} | ${(r.ms / floor.ms).toFixed(2)}× |`)
  const push = rows[0]!
  console.log(
    `\nTarget: 10,000 names through the runtime API with zero reloads: ${push.reloads === 0 ? "met" : "MISSED"} (${ms(push.ms)}, ${push.reloads} reloads; the reload floor took ${ms(floor.ms)} with 1 reload)`,
  )
} finally {
  await node.cleanup()
  for (const w of web) w.server.close()
}
