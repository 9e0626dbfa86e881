import { existsSync, readdirSync, readFileSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { livePid, stopPids } from "../process.js"
import { runsAs } from "./apps.js"
import type { WebNodeConfig } from "./config.js"
import { run } from "./exec.js"
import { ensureDir, writeIfChanged } from "./files.js"

/** Paths of the node's own services under its root. */
export const nodePaths = (root: string) => ({
  nginxPrefix: join(root, "nginx"),
  nginxConf: join(root, "nginx", "nginx.conf"),
  nginxPid: join(root, "nginx", "nginx.pid"),
  sites: join(root, "nginx", "sites"),
  phpConf: join(root, "php", "php-fpm.conf"),
  phpPid: join(root, "php", "php-fpm.pid"),
  pools: join(root, "php", "pool.d"),
  phpRun: join(root, "php", "run"),
  sshdConf: join(root, "ssh", "sshd_config"),
  sshdPid: join(root, "ssh", "sshd.pid"),
  hostKey: join(root, "ssh", "ssh_host_ed25519_key"),
  keys: join(root, "ssh", "keys"),
  homes: join(root, "home"),
  apps: join(root, "apps"),
})

const nginxConf = (c: WebNodeConfig, p: ReturnType<typeof nodePaths>) => `# written by the hosting agent
worker_processes 1;
user ${c.webUser};
pid ${p.nginxPid};
error_log ${p.nginxPrefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  server_tokens off;
  server_names_hash_bucket_size 128;
  server_names_hash_max_size 131072;
  client_max_body_size 64m;
  client_body_temp_path ${p.nginxPrefix}/tmp/body;
  proxy_temp_path ${p.nginxPrefix}/tmp/proxy;
  fastcgi_temp_path ${p.nginxPrefix}/tmp/fastcgi;
  uwsgi_temp_path ${p.nginxPrefix}/tmp/uwsgi;
  scgi_temp_path ${p.nginxPrefix}/tmp/scgi;
  server {
    listen ${c.layout.listen.host}:${c.layout.listen.port} default_server;
    access_log off;
    return 404;
  }
  include ${p.sites}/*.conf;
}
`

// php-fpm refuses to start without a pool: an idle ondemand pool keeps the master up at no cost.
const phpConf = (c: WebNodeConfig, p: ReturnType<typeof nodePaths>) => `; written by the hosting agent
[global]
pid = ${p.phpPid}
error_log = ${c.layout.root}/php/php-fpm.log
daemonize = yes
include = ${p.pools}/*.conf

[hosting-idle]
user = ${c.webUser}
group = ${c.webUser}
listen = ${p.phpRun}/hosting-idle.sock
pm = ondemand
pm.max_children = 1
`

const sshdConf = (c: WebNodeConfig, p: ReturnType<typeof nodePaths>) => `# written by the hosting agent
Port ${c.sshPort}
ListenAddress ${c.layout.listen.host}
HostKey ${p.hostKey}
PidFile ${p.sshdPid}
AuthorizedKeysFile ${p.keys}/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UsePAM no
StrictModes yes
AllowUsers ${c.layout.userPrefix}t_*
Subsystem sftp internal-sftp
Match User ${c.layout.userPrefix}t_*
  ChrootDirectory ${p.homes}/%u
  ForceCommand internal-sftp -l INFO
  AllowTcpForwarding no
  AllowAgentForwarding no
  X11Forwarding no
  PermitTTY no
`

/**
 * Brings the node's own daemons up (nginx, php-fpm master, sshd) on its root and ports, each
 * detached with a pid file: they keep serving while the agent restarts, and a restarted agent
 * adopts them instead of starting second copies.
 */
export const ensureDaemons = async (c: WebNodeConfig): Promise<void> => {
  const p = nodePaths(c.layout.root)
  // sshd checks every component of the chroot and keys paths: root-owned, not group/other-writable
  for (const d of [c.layout.root, join(c.layout.root, "ssh"), p.keys, p.homes, join(c.layout.root, "php"), p.phpRun])
    await ensureDir(d, 0, 0, 0o755)
  for (const d of ["logs", "tmp", "sites"]) await mkdir(join(p.nginxPrefix, d), { recursive: true })
  for (const d of [p.pools, p.apps]) await mkdir(d, { recursive: true, mode: 0o700 })
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 })

  const nginxChanged = await writeIfChanged(p.nginxConf, nginxConf(c, p))
  const phpChanged = await writeIfChanged(p.phpConf, phpConf(c, p))
  const sshdChanged = await writeIfChanged(p.sshdConf, sshdConf(c, p), 0o600)
  if (!existsSync(p.hostKey)) await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", p.hostKey])

  const nginxPid = livePid(p.nginxPid, "nginx")
  if (nginxPid === undefined) {
    await run(c.binaries.nginx, ["-p", p.nginxPrefix, "-c", p.nginxConf, "-e", `${p.nginxPrefix}/logs/error.log`])
  } else if (nginxChanged) {
    await run(c.binaries.nginx, ["-p", p.nginxPrefix, "-c", p.nginxConf, "-s", "reload"])
  }
  const phpPid = livePid(p.phpPid, "php-fpm")
  if (phpPid === undefined) await run(c.binaries.phpFpm, ["-y", p.phpConf])
  else if (phpChanged) process.kill(phpPid, "SIGUSR2")
  const sshdPid = livePid(p.sshdPid, "sshd")
  if (sshdPid === undefined)
    await run(c.binaries.sshd, ["-f", p.sshdConf, "-E", join(c.layout.root, "ssh", "sshd.log")])
  else if (sshdChanged) process.kill(sshdPid, "SIGHUP")
}

/**
 * Stops every process the node's root has a pid file for: the daemons and supervised apps. Used
 * by the dev launcher on exit and by tests; never by process name.
 */
export const stopNodeServices = async (root: string, timeoutMs = 10_000): Promise<void> => {
  const p = nodePaths(root)
  const pids: Array<number> = []
  for (const [file, name] of [
    [p.nginxPid, "nginx"],
    [p.phpPid, "php-fpm"],
    [p.sshdPid, "sshd"],
  ] as const) {
    const pid = livePid(file, name)
    if (pid !== undefined) pids.push(pid)
  }
  if (existsSync(p.apps))
    for (const f of readdirSync(p.apps).filter((n) => n.endsWith(".json"))) {
      try {
        const state = JSON.parse(readFileSync(join(p.apps, f), "utf8")) as { pid: number | null; uid: number }
        if (runsAs(state.pid, state.uid)) pids.push(-state.pid!) // the app's process group
      } catch {
        // a torn state file: nothing to stop
      }
    }
  await stopPids(pids, timeoutMs, 50)
}
