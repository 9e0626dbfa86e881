#!/usr/bin/env node
/**
 * Single-box platform (`npm run dev`): a private PostgreSQL cluster, the Temporal dev server,
 * the API, the control-plane worker and one local node agent (web, LB, DNS and database roles), with state
 * under HOSTING_DATA_DIR. Ctrl-C stops everything it started.
 */
import { randomUUID } from "node:crypto"
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseEnv } from "node:util"
import {
  stopDatabaseServices,
  stopDnsServices,
  stopEmailServices,
  stopLbServices,
  stopNodeServices,
} from "@hosting/agent"
import { generateApiKeySecret } from "@hosting/core/api"
import { intSetting, pathSetting, portSetting, readSettings } from "@hosting/core/node"
import { Config, Option, Redacted } from "effect"
import { startPrivatePostgres } from "./postgres.js"
import { findExecutable, type ServiceProcess, startProcess, waitFor } from "./processes.js"
import { startTemporalDevServer } from "./temporal.js"

const startedAt = Date.now()
const envFile = resolve(".env")
// .env fills in what the environment does not set (the environment wins, as with Node's
// --env-file); it is read, not loaded into process.env, and handed to the children explicitly
const environment: Readonly<Record<string, string | undefined>> = {
  ...(existsSync(envFile) ? parseEnv(readFileSync(envFile, "utf8")) : {}),
  ...process.env,
}

/** The launcher's own settings; the children read and check theirs from the environment it gives them. */
const LauncherSettings = Config.all({
  dataDir: Config.string("HOSTING_DATA_DIR").pipe(Config.withDefault(".hosting")),
  apiPort: portSetting("HOSTING_API_PORT", 8080),
  apiKey: Config.option(Config.redacted("HOSTING_API_KEY")),
  nodeRoot: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/dev-node"),
  lbRoot: pathSetting("HOSTING_LB_ROOT", "/var/lib/hosting/dev-lb"),
  databaseUrl: Config.option(Config.redacted("HOSTING_DATABASE_URL")),
  pdnsDatabaseUrl: Config.option(Config.redacted("HOSTING_PDNS_DATABASE_URL")),
  postgresPort: portSetting("HOSTING_POSTGRES_PORT", 15432),
  temporalAddress: Config.option(Config.string("HOSTING_TEMPORAL_ADDRESS")),
  // the dev server also takes port+10 (HTTP) and port+11 (metrics)
  temporalPort: intSetting("HOSTING_TEMPORAL_PORT", 7233, 1, 65524),
  uiPort: portSetting("HOSTING_UI_PORT", 3001),
})
let settings: Config.Config.Success<typeof LauncherSettings>
try {
  settings = readSettings(LauncherSettings, environment)
} catch (e) {
  console.error(`[dev] ${(e as Error).message}`)
  process.exit(2)
}
const secret = (o: Option.Option<Redacted.Redacted>) => Option.getOrUndefined(Option.map(o, Redacted.value))
/** A child's setting as the environment gives it, or the single box's default for it. */
const env = (name: string, fallback: string) => environment[name] || fallback
const dataDir = resolve(settings.dataDir)
const apiPort = settings.apiPort
const logDir = join(dataDir, "logs")
const runDir = join(dataDir, "run")
mkdirSync(logDir, { recursive: true })
mkdirSync(runDir, { recursive: true })

const say = (msg: string) => console.log(`[dev] ${msg}`)
writeFileSync(join(runDir, "dev.pid"), `${process.pid}\n`)

// The admin key: given, or generated once, printed once and kept in .env for the next run.
let apiKey = secret(settings.apiKey)
if (!apiKey) {
  apiKey = generateApiKeySecret()
  const previous = existsSync(envFile) ? readFileSync(envFile, "utf8") : ""
  appendFileSync(envFile, `${previous === "" || previous.endsWith("\n") ? "" : "\n"}HOSTING_API_KEY=${apiKey}\n`)
  say(`generated a platform-admin API key (shown once, saved to ${envFile}):`)
  console.log(`\n    ${apiKey}\n`)
}

// The local node keeps its id across runs so its shard membership and history stay valid.
const nodeIdFile = join(dataDir, "node-id")
if (!existsSync(nodeIdFile)) writeFileSync(nodeIdFile, `${randomUUID()}\n`)
const nodeId = readFileSync(nodeIdFile, "utf8").trim()

// The local web node's files: outside /tmp and the work tree, since sshd needs every component of
// a tenant's chroot root-owned and not group-writable.
const nodeRoot = settings.nodeRoot
// HAProxy's files and admin socket (a socket path must stay short)
const lbRoot = settings.lbRoot

const children: Array<ServiceProcess> = []

/** Records a started process: its PID file under run/, and (for our own processes) stop order. */
const track = (proc: ServiceProcess, child = true) => {
  const pidFile = join(runDir, `${proc.name}.pid`)
  writeFileSync(pidFile, `${proc.pid}\n`)
  void proc.exited.then(() => rmSync(pidFile, { force: true }))
  if (child) children.push(proc)
}
const cleanups: Array<() => Promise<void>> = []
let stopping = false

const shutdown = async (code: number) => {
  if (stopping) return
  stopping = true
  say("stopping…")
  await Promise.all(children.map((c) => c.stop()))
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => say(`cleanup failed: ${e}`))
  rmSync(join(runDir, "dev.pid"), { force: true })
  say("stopped")
  process.exit(code)
}
process.on("SIGINT", () => void shutdown(0))
process.on("SIGTERM", () => void shutdown(0))
// `npm run dev` stopped by a signal to npm alone (a supervisor, `timeout`) does not pass it on:
// when our parent goes away we are re-parented, and stop everything rather than linger.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) void shutdown(0)
}, 1_000).unref()

const fail = async (e: unknown) => {
  console.error(`[dev] ${e instanceof Error ? e.message : String(e)}`)
  await shutdown(1)
}

try {
  let databaseUrl = secret(settings.databaseUrl)
  let pdnsDatabaseUrl = secret(settings.pdnsDatabaseUrl)
  if (!databaseUrl) {
    if (existsSync(join(dataDir, "pglite")))
      say(`${join(dataDir, "pglite")} (PGlite, used by earlier versions) is no longer read; remove it when done`)
    const pgDir = join(dataDir, "postgres")
    const pg = await startPrivatePostgres({
      dir: pgDir,
      port: settings.postgresPort,
      logFile: join(logDir, "postgres.log"),
    })
    track(pg.process, false)
    // stopped last (cleanups run in reverse), after every process that holds a connection
    cleanups.push(() => pg.stop())
    void pg.process.exited.then((code) => {
      if (!stopping) void fail(`postgres exited unexpectedly (${code}); see ${join(logDir, "postgres.log")}`)
    })
    databaseUrl = await pg.ensureDatabase("hosting")
    // PowerDNS has a role of its own: the password in its config file opens only its database
    pdnsDatabaseUrl ||= await pg.ensureDatabase("pdns", "pdns")
    say(`PostgreSQL ${pg.version} at 127.0.0.1:${pg.port} (data ${pgDir}, passwords in ${pgDir}/*.password)`)
  }
  // the box answers DNS for its zones when PowerDNS has a database (ours, or one given), and
  // keeps tenants' databases in its own MariaDB and their mailboxes in its own Postfix and Dovecot;
  // S3 (a one-node Ceph: ~20 s at first start, ~150 MB of memory) only when asked, by listing the
  // roles with s3 in HOSTING_LOCAL_NODE_ROLES
  const roles = env("HOSTING_LOCAL_NODE_ROLES", pdnsDatabaseUrl ? "web,lb,dns,database,email" : "web,lb,database,email")

  let temporalAddress = Option.getOrUndefined(settings.temporalAddress)
  if (!temporalAddress) {
    const executable = findExecutable("temporal")
    if (executable === undefined)
      throw new Error(
        "the Temporal CLI is not installed: run `bash infra/dev/install-temporal.sh` (npm run setup does it)",
      )
    const port = settings.temporalPort
    const temporal = await startTemporalDevServer({
      executable,
      port,
      httpPort: port + 10,
      metricsPort: port + 11,
      dbFile: join(dataDir, "temporal.sqlite"),
      logFile: join(logDir, "temporal.log"),
    })
    track(temporal.process, false)
    cleanups.push(() => temporal.process.stop())
    temporalAddress = temporal.address
    say(`Temporal dev server at ${temporalAddress}`)
  }

  const childEnv: NodeJS.ProcessEnv = {
    ...environment,
    HOSTING_DATABASE_URL: databaseUrl,
    HOSTING_TEMPORAL_ADDRESS: temporalAddress,
    HOSTING_API_KEY: apiKey,
    HOSTING_API_PORT: String(apiPort),
    HOSTING_LOCAL_NODE_ID: nodeId,
    HOSTING_LOCAL_NODE_HOSTNAME: env("HOSTING_LOCAL_NODE_HOSTNAME", hostname()),
    HOSTING_NODE_ID: nodeId,
    HOSTING_HTTP_PORT: env("HOSTING_HTTP_PORT", "8000"),
    HOSTING_HTTPS_PORT: env("HOSTING_HTTPS_PORT", "8443"),
    HOSTING_SSH_PORT: env("HOSTING_SSH_PORT", "2222"),
    HOSTING_NODE_ROOT: nodeRoot,
    // the box is its own LB too: HAProxy routes bound names to the local nginx, as in production;
    // and its own DNS server, so zones have a shard to live on
    HOSTING_LOCAL_NODE_ROLES: roles,
    HOSTING_AGENT_ROLES: roles,
    ...(pdnsDatabaseUrl ? { HOSTING_PDNS_DATABASE_URL: pdnsDatabaseUrl } : {}),
    // an unprivileged port: port 53 usually belongs to the machine's own resolver
    HOSTING_DNS_HOST: env("HOSTING_DNS_HOST", "127.0.0.1"),
    HOSTING_DNS_PORT: env("HOSTING_DNS_PORT", "8053"),
    HOSTING_PDNS_API_PORT: env("HOSTING_PDNS_API_PORT", "8081"),
    HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1",
    HOSTING_LB_ROOT: lbRoot,
    HOSTING_LB_HTTP_HOST: "127.0.0.1",
    HOSTING_LB_HTTP_PORT: env("HOSTING_LB_HTTP_PORT", "8088"),
    // the box's own MariaDB for tenants' databases, beside any the machine runs on 3306; the API
    // puts the port in the local database shard's config, so databases tell applications to use it
    HOSTING_MARIADB_HOST: env("HOSTING_MARIADB_HOST", "127.0.0.1"),
    HOSTING_MARIADB_PORT: env("HOSTING_MARIADB_PORT", "3307"),
    // the box's own mail stack on loopback, off the privileged ports a machine's own MTA may hold
    HOSTING_MAIL_HOST: env("HOSTING_MAIL_HOST", "127.0.0.1"),
    HOSTING_SMTP_PORT: env("HOSTING_SMTP_PORT", "2525"),
    HOSTING_SUBMISSION_PORT: env("HOSTING_SUBMISSION_PORT", "2587"),
    HOSTING_IMAP_PORT: env("HOSTING_IMAP_PORT", "2143"),
    // a development box must not ask production Let's Encrypt for certificates (rate limits)
    HOSTING_ACME_DIRECTORY_URL: env(
      "HOSTING_ACME_DIRECTORY_URL",
      "https://acme-staging-v02.api.letsencrypt.org/directory",
    ),
    // a development box serves made-up names (shop.example.test in the README's quick start)
    HOSTING_ALLOW_TEST_DOMAINS: env("HOSTING_ALLOW_TEST_DOMAINS", "true"),
    HOSTING_API_URL: `http://127.0.0.1:${apiPort}`,
  }
  const node = (name: string, main: string) => {
    const proc = startProcess({
      name,
      command: process.execPath,
      args: [main],
      env: childEnv,
      logFile: join(logDir, `${name}.log`),
    })
    track(proc)
    void proc.exited.then((code) => {
      if (!stopping) void fail(`${name} exited unexpectedly (${code}); see ${join(logDir, `${name}.log`)}`)
    })
  }
  // the other hosts are started by path, not imported: no host depends on another
  node("api", fileURLToPath(new URL("../../api/dist/main.js", import.meta.url)))
  node("cp-worker", fileURLToPath(import.meta.resolve("@hosting/workflows/main")))
  node("agent", fileURLToPath(import.meta.resolve("@hosting/agent/main")))
  // the agent leaves the node's nginx, php-fpm, sshd and tenants' apps running when it stops (so
  // sites survive an agent restart); the single box stops them with everything else
  cleanups.push(() => stopNodeServices(nodeRoot))
  cleanups.push(() => stopLbServices(lbRoot))
  cleanups.push(() => stopDnsServices(nodeRoot))
  cleanups.push(() => stopDatabaseServices(nodeRoot))
  cleanups.push(() => stopEmailServices(nodeRoot))
  // The admin UI's static server (hosts/ui) proxies /api to us; started by path, not imported,
  // since no host depends on another.
  const uiPort = settings.uiPort
  const uiServer = fileURLToPath(new URL("../../ui/src/server.mjs", import.meta.url))
  if (existsSync(uiServer)) node("ui", uiServer)

  const base = `http://127.0.0.1:${apiPort}`
  await waitFor(
    "/readyz",
    async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) })).status === 200,
    120_000,
    250,
  )
  say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)
  say(`API      ${base}/api/v1   (X-API-Key from .env)`)
  say(`docs     ${base}/docs`)
  if (existsSync(uiServer)) say(`UI       http://127.0.0.1:${uiPort}`)
  say(`node     ${nodeId} (task queue node-${nodeId})`)
  say(
    `sites    http://127.0.0.1:${childEnv["HOSTING_LB_HTTP_PORT"]} (HAProxy) → nginx :${childEnv["HOSTING_HTTP_PORT"]}, HTTPS :${childEnv["HOSTING_HTTPS_PORT"]}`,
  )
  if (roles.includes("dns"))
    say(
      `dns      PowerDNS on ${childEnv["HOSTING_DNS_HOST"]}:${childEnv["HOSTING_DNS_PORT"]} (dig @${childEnv["HOSTING_DNS_HOST"]} -p ${childEnv["HOSTING_DNS_PORT"]} NAME)`,
    )
  say(
    `mariadb  ${childEnv["HOSTING_MARIADB_HOST"]}:${childEnv["HOSTING_MARIADB_PORT"]} (mariadb -h ${childEnv["HOSTING_MARIADB_HOST"]} -P ${childEnv["HOSTING_MARIADB_PORT"]} -u USER -p)`,
  )
  say(
    `email    SMTP ${childEnv["HOSTING_MAIL_HOST"]}:${childEnv["HOSTING_SMTP_PORT"]}, submission :${childEnv["HOSTING_SUBMISSION_PORT"]}, IMAP :${childEnv["HOSTING_IMAP_PORT"]}`,
  )
  say(`logs     ${logDir}`)
  say("Ctrl-C stops everything")
} catch (e) {
  await fail(e)
}
