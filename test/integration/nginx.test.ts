// NginxManager against a real nginx on a private loopback port: only differing files are
// written, one reload per change, a config nginx rejects is rolled back with nginx's message,
// and files the platform does not own are never touched.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { NginxConfig, NginxManager, type PlannedFile } from "@hosting/core"
import { findExecutable, freePort, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let dir: string
let nginx: ServiceProcess
let port: number
let run: <A, E>(e: Effect.Effect<A, E, NginxManager>) => Promise<A>

// node:http rather than fetch: fetch does not let a caller set the Host header. A fresh
// connection each time, because after a reload old workers finish their keep-alive connections
// with the old configuration.
const get = (host: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { Host: host, Connection: "close" }, agent: false },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (d) => (body += d))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on("error", reject)
    req.end()
  })

interface Site {
  readonly name: string
  readonly names: ReadonlyArray<string>
  readonly root: string
}
const site = (name: string, names: Array<string>, root: string): Site => ({ name, names, root })

/** The fixture's planner: one platform-owned server block per site (the manager is under test, not this). */
const planSites = (sites: ReadonlyArray<Site>, listen: { host: string; port: number }): Array<PlannedFile> =>
  sites.map((s) => ({
    file: `hp-${s.name}.conf`,
    content: `server {\n    listen ${listen.host}:${listen.port};\n    server_name ${s.names.join(" ")};\n    root "${s.root}";\n    location / { try_files $uri $uri/ =404; }\n}\n`,
  }))

beforeAll(async () => {
  const binary = findExecutable("nginx")
  if (binary === undefined) throw new Error("nginx is not installed; `npm test` installs it (infra/dev/setup.sh)")
  dir = mkdtempSync(join(tmpdir(), "hosting-nginx-"))
  chmodSync(dir, 0o755) // workers run as www-data and must reach the document roots
  for (const d of ["sites", "logs", "tmp", "www/a", "www/b"]) mkdirSync(join(dir, d), { recursive: true })
  writeFileSync(join(dir, "www/a/index.html"), "site A\n")
  writeFileSync(join(dir, "www/b/index.html"), "site B\n")
  port = await freePort()
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server { listen 127.0.0.1:${port} default_server; return 404 "no site\\n"; }
  include ${dir}/sites/*.conf;
}
`,
  )
  // a file an operator put there by hand: the platform must leave it alone
  writeFileSync(join(dir, "sites/operator.conf"), "# not ours\n")
  nginx = startProcess({
    name: "nginx",
    command: binary,
    args: ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "logs/error.log"), "-g", "daemon off;"],
    logFile: join(dir, "logs/stdout.log"),
  })
  await waitFor("nginx", async () => (await get("x")).status === 404, 10_000)
  const layer = NginxManager.Default.pipe(
    Layer.provide(
      Layer.succeed(NginxConfig, {
        binary,
        prefix: dir,
        configFile: join(dir, "nginx.conf"),
        sitesDir: join(dir, "sites"),
        pidFile: join(dir, "nginx.pid"),
      }),
    ),
    Layer.provide(NodeContext.layer),
  )
  run = (e) => Effect.runPromise(Effect.provide(e, layer))
})

afterAll(async () => {
  await nginx?.stop()
  if (dir && !process.env["KEEP"]) rmSync(dir, { recursive: true, force: true })
})

const listen = () => ({ host: "127.0.0.1", port })
const ensure = (sites: Array<Site>) => run(Effect.flatMap(NginxManager, (m) => m.ensure(planSites(sites, listen()))))

/** nginx applies a reload asynchronously: wait until a request sees the new config. */
const until = (host: string, expected: { status: number; body?: string }) =>
  waitFor(
    `${host} → ${expected.status}`,
    async () => {
      const r = await get(host)
      return r.status === expected.status && (expected.body === undefined || r.body === expected.body)
    },
    10_000,
  )

describe("NginxManager with a real nginx", () => {
  it("writes, reloads once, and then has nothing to do", async () => {
    const a = site("web_aaaaaaaaaa", ["a.example.test"], join(dir, "www/a"))
    const b = site("web_bbbbbbbbbb", ["b.example.test", "www.b.example.test"], join(dir, "www/b"))
    const first = await ensure([a, b])
    expect(first).toEqual({
      written: ["hp-web_aaaaaaaaaa.conf", "hp-web_bbbbbbbbbb.conf"],
      removed: [],
      reloaded: true,
    })
    await until("a.example.test", { status: 200, body: "site A\n" })
    await until("www.b.example.test", { status: 200, body: "site B\n" })
    expect(await ensure([a, b])).toEqual({ written: [], removed: [], reloaded: false })
  })

  it("removes only platform files that are no longer planned", async () => {
    const a = site("web_aaaaaaaaaa", ["a.example.test"], join(dir, "www/a"))
    const result = await ensure([a])
    expect(result).toEqual({ written: [], removed: ["hp-web_bbbbbbbbbb.conf"], reloaded: true })
    await until("b.example.test", { status: 404 })
    expect(readdirSync(join(dir, "sites")).sort()).toEqual(["hp-web_aaaaaaaaaa.conf", "operator.conf"])
    expect(readFileSync(join(dir, "sites/operator.conf"), "utf8")).toBe("# not ours\n")
  })

  it("rolls back a configuration nginx rejects and reports nginx's message", async () => {
    const before = readFileSync(join(dir, "sites/hp-web_aaaaaaaaaa.conf"), "utf8")
    // a planned file nginx cannot parse, as a planner bug would produce
    const broken = run(
      Effect.flatMap(NginxManager, (m) =>
        m.ensure([
          { file: "hp-web_aaaaaaaaaa.conf", content: before },
          { file: "hp-web_cccccccccc.conf", content: "server { listen 127.0.0.1:1; bogus_directive on; }\n" },
        ]),
      ).pipe(Effect.flip),
    )
    const error = await broken
    expect(error).toMatchObject({ _tag: "NginxConfigRejected" })
    expect((error as { message: string }).message).toContain('unknown directive "bogus_directive"')
    expect(readdirSync(join(dir, "sites")).sort()).toEqual(["hp-web_aaaaaaaaaa.conf", "operator.conf"])
    expect(readFileSync(join(dir, "sites/hp-web_aaaaaaaaaa.conf"), "utf8")).toBe(before)
    // still serving site A (polled: a reload from the previous test may still be settling)
    await until("a.example.test", { status: 200, body: "site A\n" })
  })
})
