import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { chown, mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { livePid, spawnDetached, stopPid, tail, waitUntil } from "../process.js"
import { readIfExists, writeIfChanged } from "../web/files.js"
import type { DnsNodeConfig } from "./config.js"

/** Paths of the node's PowerDNS under its root. */
export const dnsPaths = (root: string) => ({
  dir: join(root, "pdns"),
  conf: join(root, "pdns", "pdns.conf"),
  pid: join(root, "pdns", "pdns_server.pid"),
  log: join(root, "pdns", "pdns.log"),
  apiKey: join(root, "pdns", "api-key"),
  /** pdns's socket-dir (control socket, its own pid file); owned by the user it runs as. */
  run: join(root, "pdns", "run"),
})

/** psql against PowerDNS's database, the password in the environment rather than the argument list. */
const psql = (c: DnsNodeConfig, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      c.binaries.psql,
      ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...args],
      {
        timeout: 60_000,
        env: {
          ...process.env,
          PGHOST: c.database.host,
          PGPORT: String(c.database.port),
          PGDATABASE: c.database.dbname,
          PGUSER: c.database.user,
          PGPASSWORD: c.database.password,
          PGCONNECT_TIMEOUT: "10",
        },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`psql failed: ${`${stderr}`.trim() || error.message}`)) : resolve(stdout),
    )
  })

/** Loads the gpgsql schema into PowerDNS's database unless its tables are there already. */
export const ensurePdnsSchema = async (c: DnsNodeConfig): Promise<boolean> => {
  const present = await psql(c, ["-tA", "-c", "SELECT to_regclass('public.domains') IS NOT NULL"])
  if (present.trim() === "t") return false
  // one transaction: a half-loaded schema would look "present" next time
  await psql(c, ["-1", "-f", c.schemaFile])
  return true
}

const pdnsConf = (c: DnsNodeConfig, apiKey: string, run: string) =>
  [
    "# written by the hosting agent",
    "launch=gpgsql",
    `gpgsql-host=${c.database.host}`,
    `gpgsql-port=${c.database.port}`,
    `gpgsql-dbname=${c.database.dbname}`,
    `gpgsql-user=${c.database.user}`,
    `gpgsql-password=${c.database.password}`,
    `local-address=${c.listen.host}`,
    `local-port=${c.listen.port}`,
    "api=yes",
    `api-key=${apiKey}`,
    "webserver=yes",
    "webserver-address=127.0.0.1",
    `webserver-port=${c.apiPort}`,
    "webserver-allow-from=127.0.0.0/8,::1/128",
    `socket-dir=${run}`,
    // the agent supervises it: no fork, no guardian; logs go to the file the agent opens
    "daemon=no",
    "guardian=no",
    "disable-syslog=yes",
    "log-timestamp=yes",
    "loglevel=4",
    // no phoning home (security polls are DNS queries to the internet)
    "security-poll-suffix=",
    "primary=no",
    "secondary=no",
    ...(c.runAs === null ? [] : [`setuid=${c.runAs}`, `setgid=${c.runAs}`]),
    "",
  ].join("\n")

/** Whether this PowerDNS answers its API with this key. */
export const pdnsApiReady = async (port: number, apiKey: string): Promise<boolean> => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/servers/localhost`, {
      headers: { "X-API-Key": apiKey },
      signal: AbortSignal.timeout(2_000),
    })
    return res.status === 200
  } catch {
    return false
  }
}

const uidGid = async (user: string): Promise<[number, number]> => {
  for (const line of (await readIfExists("/etc/passwd"))?.split("\n") ?? []) {
    const [name, , uid, gid] = line.split(":")
    if (name === user) return [Number(uid), Number(gid)]
  }
  throw new Error(`user ${user} does not exist (install pdns-server, or set HOSTING_PDNS_USER)`)
}

/**
 * Brings the node's PowerDNS up on its root, database and ports, or adopts the one already
 * running from an earlier agent (same config, live pid): it keeps answering while the agent
 * restarts. Returns the API key (generated once, kept in `<root>/pdns/api-key`).
 */
export const ensurePdns = async (c: DnsNodeConfig): Promise<string> => {
  const p = dnsPaths(c.root)
  await mkdir(p.dir, { recursive: true, mode: 0o755 })
  await mkdir(p.run, { recursive: true, mode: 0o755 })
  if (c.runAs !== null) {
    const [uid, gid] = await uidGid(c.runAs)
    await chown(p.run, uid, gid)
  }
  let apiKey = (await readIfExists(p.apiKey))?.trim()
  if (apiKey === undefined || !/^[a-f0-9]{64}$/.test(apiKey)) {
    apiKey = randomBytes(32).toString("hex")
    await writeFile(p.apiKey, apiKey, { mode: 0o600 })
  }
  await ensurePdnsSchema(c)
  // pdns reads its config as root before it drops privileges: the key stays root-only
  const changed = await writeIfChanged(p.conf, pdnsConf(c, apiKey, p.run), 0o600)
  const running = livePid(p.pid, `--config-dir=${p.dir}`)
  if (running !== undefined && !changed && (await pdnsApiReady(c.apiPort, apiKey))) return apiKey
  if (running !== undefined) await stopPid(running, 10_000)

  const pid = spawnDetached(c.binaries.pdnsServer, [`--config-dir=${p.dir}`], p.log)
  await writeFile(p.pid, `${pid}\n`)
  await waitUntil(() => pdnsApiReady(c.apiPort, apiKey), {
    timeoutMs: 20_000,
    pollMs: 50,
    exited: () => (livePid(p.pid) === undefined ? `pdns_server exited at start:\n${tail(p.log)}` : undefined),
    late: () => `pdns_server did not answer its API on 127.0.0.1:${c.apiPort} within 20 s:\n${tail(p.log)}`,
  })
  return apiKey
}

/** Stops the PowerDNS this root's pid file names (tests, the dev launcher); never by process name. */
export const stopDnsServices = async (root: string, timeoutMs = 10_000): Promise<void> => {
  const p = dnsPaths(root)
  if (!existsSync(p.pid)) return
  const pid = livePid(p.pid, `--config-dir=${p.dir}`)
  if (pid !== undefined) await stopPid(pid, timeoutMs)
}
