// `npm run dev` as a user runs it, in a fresh directory, but on ports, roots and a user-name prefix
// of its own: a developer's own box (on the launcher's default ports and /var/lib/hosting/dev-*)
// keeps running untouched while the suites run.
import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { livePid, stopDnsServices, stopEmailServices, stopLbServices, stopNodeServices } from "@hosting/agent"
import { freePort, GiveUp, portOpen, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"

const launcher = fileURLToPath(new URL("../../hosts/dev/dist/main.js", import.meta.url))
const TEST_ROOT = "/var/lib/hosting-test"

export interface DevBoxRun {
  readonly proc: ServiceProcess
  /** What the launcher printed during this start. */
  output(): string
  readonly seconds: number
}

export interface DevBox {
  readonly cwd: string
  readonly dataDir: string
  readonly nodeRoot: string
  readonly lbRoot: string
  readonly ports: {
    readonly api: number
    readonly temporal: number
    readonly ui: number
    readonly lbHttp: number
    readonly http: number
    readonly https: number
    readonly ssh: number
    readonly dns: number
    readonly pdnsApi: number
    readonly postgres: number
  }
  readonly baseUrl: string
  /** Starts the launcher and waits until it says it is ready. */
  start(): Promise<DevBoxRun>
  /** The platform-admin key the first start generated (from `.env`). */
  apiKey(): string
  /** PIDs from the launcher's run/ directory. */
  pid(name: string): number
  /** Stops whatever is left (by PID files), removes the box's users, roots and directory. */
  cleanup(): Promise<void>
}

/** A base port p with p, p+10 and p+11 free (Temporal's gRPC, HTTP and metrics ports). */
const temporalPort = async () => {
  for (let i = 0; i < 20; i++) {
    const p = await freePort()
    if (p + 11 > 65535) continue
    if (!(await portOpen("127.0.0.1", p + 10)) && !(await portOpen("127.0.0.1", p + 11))) return p
  }
  throw new Error("no free port block for Temporal")
}

export const makeDevBox = async (): Promise<DevBox> => {
  const cwd = mkdtempSync(join(tmpdir(), "hosting-dev-"))
  // PostgreSQL runs as the postgres user and must reach its cluster under <cwd>/.hosting
  chmodSync(cwd, 0o755)
  const dataDir = join(cwd, ".hosting")
  const logFile = join(cwd, "launcher.log")
  const tag = Math.random()
    .toString(36)
    .slice(2, 8)
    .replace(/^[0-9]/, "x")
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  // outside /tmp: sshd refuses chroots there
  const nodeRoot = join(TEST_ROOT, `devnode-${tag}`)
  const lbRoot = join(TEST_ROOT, `devlb-${tag}`)
  const userPrefix = `v${tag}_`
  const uidBase = 400_000 + Math.floor(Math.random() * 1000) * 1000
  const ports = {
    api: await freePort(),
    temporal: await temporalPort(),
    ui: await freePort(),
    lbHttp: await freePort(),
    http: await freePort(),
    https: await freePort(),
    ssh: await freePort(),
    dns: await freePort(),
    pdnsApi: await freePort(),
    postgres: await freePort(),
    smtp: await freePort(),
    submission: await freePort(),
    imap: await freePort(),
  }
  // no setting of the caller's (a developer's shell, a sourced .env) leaks into the box
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("HOSTING_")),
  )
  Object.assign(env, {
    HOSTING_DATA_DIR: dataDir,
    HOSTING_API_PORT: String(ports.api),
    HOSTING_TEMPORAL_PORT: String(ports.temporal),
    HOSTING_UI_PORT: String(ports.ui),
    HOSTING_NODE_ROOT: nodeRoot,
    HOSTING_LB_ROOT: lbRoot,
    HOSTING_LB_HTTP_PORT: String(ports.lbHttp),
    HOSTING_HTTP_PORT: String(ports.http),
    HOSTING_HTTPS_PORT: String(ports.https),
    HOSTING_SSH_PORT: String(ports.ssh),
    HOSTING_DNS_PORT: String(ports.dns),
    HOSTING_PDNS_API_PORT: String(ports.pdnsApi),
    HOSTING_POSTGRES_PORT: String(ports.postgres),
    HOSTING_SMTP_PORT: String(ports.smtp),
    HOSTING_SUBMISSION_PORT: String(ports.submission),
    HOSTING_IMAP_PORT: String(ports.imap),
    HOSTING_USER_PREFIX: userPrefix,
    HOSTING_UID_MIN: String(uidBase),
    HOSTING_UID_MAX: String(uidBase + 999),
    // nothing in a test may reach the internet
    HOSTING_ACME_DIRECTORY_URL: "https://127.0.0.1:9/directory",
  })

  const start = async (): Promise<DevBoxRun> => {
    const before = existsSync(logFile) ? readFileSync(logFile, "utf8").length : 0
    const output = () => readFileSync(logFile, "utf8").slice(before)
    const proc = startProcess({ name: "dev", command: process.execPath, args: [launcher], env, cwd, logFile })
    const startedAt = Date.now()
    try {
      await waitFor(
        `npm run dev to be ready (log ${logFile})`,
        async () => {
          if (proc.child.exitCode !== null) throw new GiveUp(`launcher exited:\n${output()}`)
          return output().includes("[dev] ready in")
        },
        180_000,
        200,
      )
    } catch (e) {
      await proc.stop()
      throw e
    }
    return { proc, output, seconds: (Date.now() - startedAt) / 1000 }
  }

  const apiKey = () => {
    const key = /^HOSTING_API_KEY=(hpk_\w+)$/m.exec(readFileSync(join(cwd, ".env"), "utf8"))?.[1]
    if (key === undefined) throw new Error("the launcher wrote no API key to .env")
    return key
  }
  const pid = (name: string) => Number(readFileSync(join(dataDir, "run", `${name}.pid`), "utf8"))

  const cleanup = async () => {
    const launcherPid = livePid(join(dataDir, "run", "dev.pid"), launcher)
    if (launcherPid !== undefined) {
      process.kill(launcherPid, "SIGTERM")
      await waitFor("the launcher to stop", async () => !alive(launcherPid), 60_000)
    }
    await stopNodeServices(nodeRoot)
    await stopLbServices(lbRoot)
    await stopDnsServices(nodeRoot)
    await stopEmailServices(nodeRoot)
    const postgres = livePid(join(dataDir, "run", "postgres.pid"), join(dataDir, "postgres"))
    if (postgres !== undefined) {
      process.kill(postgres, "SIGINT")
      await waitFor("PostgreSQL to stop", async () => !alive(postgres), 30_000)
    }
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const name = line.split(":")[0]
      if (name?.startsWith(userPrefix)) execFileSync("userdel", [name])
    }
    for (const dir of [nodeRoot, lbRoot, cwd]) rmSync(dir, { recursive: true, force: true })
  }

  return {
    cwd,
    dataDir,
    nodeRoot,
    lbRoot,
    ports,
    baseUrl: `http://127.0.0.1:${ports.api}`,
    start,
    apiKey,
    pid,
    cleanup,
  }
}

/** Whether a process is running (a zombie awaiting its reaper counts as ended). */
export const alive = (pid: number) => {
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"))
  } catch {
    return false
  }
}
