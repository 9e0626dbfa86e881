// What the web benchmarks share: the real stack with a real web node as its agent, a brand mapped
// to the local cluster, and the floor's hand-made sites on the same nginx. Everything it makes is
// removed by `stop`, also after a failure.
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

export const log = (m: string) => console.error(`[bench] ${m}`)
export const pct = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
export const ms = (x: number) => `${x.toFixed(0)} ms`
export const met = (b: boolean) => (b ? "met" : "MISSED")

/** Polls nginx every `everyMs` until every host answers 200; bounded. */
export const untilServed = async (port: number, hosts: ReadonlyArray<string>, everyMs = 10, timeoutMs = 300_000) => {
  const pending = new Set(hosts)
  const deadline = Date.now() + timeoutMs
  while (pending.size > 0 && Date.now() < deadline) {
    for (const host of [...pending]) {
      const r = await httpGet(port, host).catch(() => ({ status: 0 }))
      if (r.status === 200) pending.delete(host)
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, everyMs))
  }
  if (pending.size > 0) throw new Error(`${pending.size} names not served within ${timeoutMs} ms`)
}

/** Starts the bench: a fresh database, a Temporal dev server, the stack with a real web node. */
export const startWebBench = async (label: string) => {
  // undone in reverse by `stop`, also when starting fails half-way
  const cleanups: Array<() => unknown> = []
  const stop = async () => {
    for (const undo of cleanups.reverse()) await undo()
  }
  try {
    const temporalCli = findExecutable("temporal")
    if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
    const work = mkdtempSync(join(tmpdir(), `hosting-bench-${label}-`))
    cleanups.push(() => rmSync(work, { recursive: true, force: true }))
    const database = await createTestDatabase(postgresAdminUrl(), `hp_bench_${label}`)
    cleanups.push(() => database.drop())
    const node = await makeTestWebNode()
    cleanups.push(() => node.cleanup())
    const temporal = await startTemporalDevServer({
      executable: temporalCli,
      port: await freePort(),
      httpPort: await freePort(),
      metricsPort: await freePort(),
      logFile: join(work, "temporal.log"),
    })
    cleanups.push(() => temporal.process.stop())
    const floorUsers: Array<string> = []
    cleanups.push(() => {
      for (const u of floorUsers) execFileSync("userdel", [u])
    })
    const stack = await startStack({ databaseUrl: database.url, temporalAddress: temporal.address, env: node.env })
    cleanups.push(() => stack.stop())
    const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    await waitForAgent(client, stack.nodeId)
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: "bench" } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const nginxPrefix = join(node.root, "nginx")
    return {
      node,
      client,
      brandId: brand.id,
      stop,
      /**
       * The platform's way: tenant, webroot, FQDN (each call passed through `timed`). A static
       * webroot by default; a PHP one also gets an FPM pool (and a php-fpm reload) per tenant.
       */
      createSite: async (
        host: string,
        timed: <A>(f: () => Promise<A>) => Promise<A> = (f) => f(),
        runtime: "static" | "php" = "static",
      ) => {
        const tenant = await timed(() => client.tenants.create({ payload: { brand_id: brand.id } }))
        const webroot = await timed(() => client.webroots.create({ path: { id: tenant.id }, payload: { runtime } }))
        await timed(() => client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: host } }))
      },
      /** The floor's way, by hand on the same nginx: a user, an index page, a server block. */
      floorSite: (name: string, host: string) => {
        const user = `${node.userPrefix}${name}`
        const home = join(node.root, "floor", user)
        execFileSync("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", user])
        floorUsers.push(user)
        const uid = Number(execFileSync("id", ["-u", user]).toString())
        mkdirSync(join(home, "www"), { recursive: true, mode: 0o755 })
        writeFileSync(join(home, "www", "index.html"), "ready\n")
        chownSync(join(home, "www", "index.html"), uid, uid)
        writeFileSync(
          join(nginxPrefix, "sites", `zz-floor-${name}.conf`),
          `server { listen 127.0.0.1:${node.httpPort}; server_name ${host}; root ${join(home, "www")}; }\n`,
        )
      },
      /** `nginx -t` and a reload of the node's nginx. */
      reloadNginx: () => {
        for (const args of [["-t"], ["-s", "reload"]])
          execFileSync("/usr/sbin/nginx", ["-p", nginxPrefix, "-c", join(nginxPrefix, "nginx.conf"), ...args], {
            stdio: "ignore",
          })
      },
    }
  } catch (e) {
    await stop()
    throw e
  }
}
