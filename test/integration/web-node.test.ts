// The node side of the web tier against real daemons: useradd, nginx, php-fpm, sshd and the
// app supervisor, driven through WebNode exactly as the agent's activities drive it.
import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { WebNode, webNodeConfigFromEnv } from "@hosting/agent"
import { generateName, type TenantSpec } from "@hosting/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientKey, eventually, httpGet, makeTestWebNode, sftp, type TestWebNode } from "../support/web-node.js"

let node: TestWebNode
let web: WebNode
let keys: string

const tenant = (over: Partial<TenantSpec> = {}): TenantSpec => ({
  name: generateName("tenant"),
  suspended: false,
  webroots: [],
  ssh_keys: [],
  ...over,
})
const webroot = (runtime: TenantSpec["webroots"][number]["runtime"], names: Array<string>, over = {}) => ({
  name: generateName("webroot"),
  runtime,
  runtime_version: runtime === "php" ? "8.2" : null,
  entrypoint: null,
  numprocs: 1,
  server_names: names,
  ...over,
})
const user = (t: TenantSpec) => `${node.userPrefix}${t.name}`
const dirOf = (t: TenantSpec, w: { name: string }) => join(node.root, "home", user(t), "webroots", w.name)
// files written as root for a tenant, as an SFTP upload would leave them
const put = (t: TenantSpec, w: { name: string }, file: string, content: string) => {
  const path = join(dirOf(t, w), file)
  writeFileSync(path, content)
  execFileSync("chown", [`${user(t)}:${user(t)}`, path])
}
const get = (host: string, path = "/") => httpGet(node.httpPort, host, path)

beforeAll(async () => {
  node = await makeTestWebNode()
  web = new WebNode(webNodeConfigFromEnv(node.env))
  await web.start()
  keys = mkdtempSync(join(tmpdir(), "hosting-keys-"))
})

afterAll(async () => {
  await web?.close()
  await node?.cleanup()
  if (keys) rmSync(keys, { recursive: true, force: true })
})

describe("a web node", () => {
  it("serves a php webroot through the tenant's own FPM pool, a static one, and a node app", async () => {
    const php = webroot("php", ["shop.example.test"])
    const html = webroot("static", ["static.example.test"])
    const app = webroot("node", ["app.example.test"])
    const t = tenant({ webroots: [php, html, app] })
    const first = await web.ensureTenant(t)
    expect(first.reloads).toEqual({ nginx: 1, php: 1 })
    put(t, php, "index.php", "<?php echo 'hello from ', posix_getpwuid(posix_geteuid())['name'];")
    put(t, html, "index.html", "static ok\n")
    put(
      t,
      app,
      "server.js",
      "require('http').createServer((q, r) => r.end('node ok ' + process.getuid())).listen(process.env.PORT, '127.0.0.1')",
    )
    const phpAnswer = await eventually(
      "php",
      () => get("shop.example.test"),
      (r) => r.status === 200,
    )
    expect(phpAnswer.body).toBe(`hello from ${user(t)}`)
    // old workers may still take a connection or two right after a reload
    await eventually(
      "static",
      () => get("static.example.test"),
      (r) => r.body === "static ok\n",
    )
    const nodeAnswer = await eventually(
      "node app",
      () => get("app.example.test"),
      (r) => r.status === 200,
    )
    expect(nodeAnswer.body).toMatch(/^node ok \d+$/)
    expect(nodeAnswer.body).not.toBe("node ok 0")
    // unknown names get the default server's 404
    expect((await get("nobody.example.test")).status).toBe(404)

    // the same spec again changes nothing and reloads nothing
    const again = await web.ensureTenant(t)
    expect(again).toEqual({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })

    // suspend: 503 page, pool gone, app stopped; unsuspend: all back
    const suspended = await web.ensureTenant({ ...t, suspended: true })
    expect(suspended.reloads.nginx).toBe(1)
    const s = await eventually(
      "suspended",
      () => get("shop.example.test"),
      (r) => r.status === 503,
    )
    expect(s.body).toContain("suspended")
    expect(web.phpSocketExists(t.name, "8.2")).toBe(false)
    await eventually(
      "app stopped",
      () => get("app.example.test"),
      (r) => r.status === 503,
    )
    await web.ensureTenant(t)
    await eventually(
      "unsuspended",
      () => get("shop.example.test"),
      (r) => r.status === 200,
    )
    await eventually(
      "app back",
      () => get("app.example.test"),
      (r) => r.status === 200,
    )

    await web.removeTenant(t.name)
    expect(existsSync(join(node.root, "home", user(t)))).toBe(false)
    expect(readdirSync(join(node.root, "nginx", "sites")).filter((f) => f.includes(t.name))).toEqual([])
    expect(execFileSync("getent", ["passwd"]).toString()).not.toContain(user(t))
    await eventually(
      "site gone",
      () => get("shop.example.test"),
      (r) => r.status === 404,
    )
  })

  it("runs python and ruby apps and a worker's processes as the tenant, restarting one that dies", async () => {
    const py = webroot("python", ["py.example.test"])
    const rb = webroot("ruby", ["rb.example.test"])
    const worker = webroot("worker", [], { numprocs: 2, entrypoint: "tick.js" })
    const t = tenant({ webroots: [py, rb, worker] })
    await web.ensureTenant(t)
    put(
      t,
      py,
      "app.py",
      [
        "import os, http.server",
        "class H(http.server.BaseHTTPRequestHandler):",
        "    def do_GET(self):",
        "        self.send_response(200); self.end_headers(); self.wfile.write(b'python ok')",
        "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()",
      ].join("\n"),
    )
    put(
      t,
      rb,
      "app.rb",
      "require 'socket'; s = TCPServer.new('127.0.0.1', ENV['PORT'].to_i); loop { c = s.accept; c.gets; c.print \"HTTP/1.0 200 OK\\r\\n\\r\\nruby ok\"; c.close }",
    )
    put(t, worker, "tick.js", "setInterval(() => {}, 1000)")
    await eventually(
      "python",
      () => get("py.example.test"),
      (r) => r.body === "python ok",
      30_000,
    )
    await eventually(
      "ruby",
      () => get("rb.example.test"),
      (r) => r.body === "ruby ok",
      30_000,
    )
    const procs = () =>
      execFileSync("ps", ["-o", "pid=,args=", "-u", user(t)])
        .toString()
        .split("\n")
        .filter((l) => l.includes("tick.js"))
    const workers = await eventually(
      "two worker processes",
      async () => procs(),
      (p) => p.length === 2,
    )
    process.kill(Number(workers[0]!.trim().split(/\s+/)[0]), "SIGKILL")
    await eventually(
      "the watchdog restarts it",
      async () => procs(),
      (p) => p.length === 2 && p[0] !== workers[0],
    )
    await web.removeTenant(t.name)
    expect(() => execFileSync("ps", ["-u", user(t)], { stdio: "pipe" })).toThrow()
  })

  it("gives each tenant SFTP into its own home only, refused while suspended", async () => {
    const key = clientKey(keys, "alice")
    const w = webroot("static", ["sftp.example.test"])
    const t = tenant({ webroots: [w], ssh_keys: [key.publicKey] })
    await web.ensureTenant(t)
    const local = join(keys, "upload.html")
    writeFileSync(local, "uploaded over sftp\n")
    chmodSync(local, 0o644)
    const up = sftp(node.sshPort, user(t), key.file, `put ${local} /webroots/${w.name}/index.html\npwd\nls /\n`)
    expect(up.output).toContain("Remote working directory: /")
    expect(up.code).toBe(0)
    expect(up.output).toContain("webroots")
    const served = await eventually(
      "upload served",
      () => get("sftp.example.test"),
      (r) => r.status === 200,
    )
    expect(served.body).toBe("uploaded over sftp\n")
    // chrooted: the rest of the machine is not there
    expect(sftp(node.sshPort, user(t), key.file, "ls /etc\n").code).not.toBe(0)

    await web.ensureTenant({ ...t, suspended: true })
    expect(sftp(node.sshPort, user(t), key.file, "pwd\n").code).not.toBe(0)
    await web.ensureTenant(t)
    expect(sftp(node.sshPort, user(t), key.file, "pwd\n").code).toBe(0)
    await web.removeTenant(t.name)
  })

  it("keeps tenants apart: one tenant's PHP cannot read another's files", async () => {
    const a = tenant({ webroots: [webroot("php", ["a.example.test"])] })
    const b = tenant({ webroots: [webroot("php", ["b.example.test"])] })
    await web.ensureTenant(a)
    await web.ensureTenant(b)
    put(b, b.webroots[0]!, "secret.txt", "b's secret\n")
    const target = join(dirOf(b, b.webroots[0]!), "secret.txt")
    put(
      a,
      a.webroots[0]!,
      "index.php",
      `<?php $r = @file_get_contents(${JSON.stringify(target)}); echo $r === false ? 'denied' : $r;`,
    )
    const r = await eventually(
      "php of a",
      () => get("a.example.test"),
      (x) => x.status === 200,
    )
    expect(r.body).toBe("denied")
    // and not by going around open_basedir either: the home itself is closed to other users
    const asA = () =>
      execFileSync("setpriv", [`--reuid=${user(a)}`, `--regid=${user(a)}`, "--init-groups", "cat", target], {
        stdio: "pipe",
      })
    expect(asA).toThrow()
    await web.removeTenant(a.name)
    await web.removeTenant(b.name)
  })

  it("a configuration nginx refuses fails as ConfigRejected (never retried) and leaves no file behind", async () => {
    const sites = join(node.root, "nginx", "sites")
    // an operator's broken file makes every nginx -t fail until it is fixed
    writeFileSync(join(sites, "operator-broken.conf"), "server { listen nowhere; }\n")
    const t = tenant({ webroots: [webroot("static", ["refused.example.test"])] })
    try {
      const refused = await web.ensureTenant(t).then(
        () => undefined,
        (e: Error) => e,
      )
      expect(refused?.constructor.name).toBe("ConfigRejected")
      expect(refused?.message).toContain("nginx rejected the configuration")
      expect(readdirSync(sites).filter((f) => f.includes(t.name))).toEqual([])
    } finally {
      rmSync(join(sites, "operator-broken.conf"))
    }
    await web.ensureTenant(t)
    expect(readdirSync(sites).filter((f) => f.includes(t.name))).toHaveLength(1)
    await web.removeTenant(t.name)
  })

  it("converges: heals a deleted file, removes a stray one, one reload; a second converge does nothing", async () => {
    const tenants = Array.from({ length: 3 }, (_, i) =>
      tenant({ webroots: [webroot("static", [`c${i}.example.test`])] }),
    )
    const first = await web.converge(tenants, false)
    expect(first.errors).toEqual([])
    expect(first.reloads.nginx).toBe(1)
    const sites = join(node.root, "nginx", "sites")
    const files = readdirSync(sites).filter((f) => f.startsWith("hp-"))
    expect(files).toHaveLength(3)
    rmSync(join(sites, files[0]!))
    writeFileSync(join(sites, "hp-stray.conf"), "# left by someone\n")
    writeFileSync(join(sites, "operator.conf"), "# the operator's own\n")

    const plan = await web.converge(tenants, true)
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        { action: "update", kind: "nginx_site", target: files[0] },
        { action: "delete", kind: "nginx_site", target: "hp-stray.conf" },
      ]),
    )
    expect(existsSync(join(sites, "hp-stray.conf"))).toBe(true)

    const healed = await web.converge(tenants, false)
    expect(healed.reloads.nginx).toBe(1)
    expect(readdirSync(sites).sort()).toEqual([...files, "operator.conf"].sort())
    const noop = await web.converge(tenants, false)
    expect(noop).toEqual({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })
    rmSync(join(sites, "operator.conf"))
    for (const t of tenants) await web.removeTenant(t.name)
  })
})
