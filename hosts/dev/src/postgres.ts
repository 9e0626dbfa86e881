import { spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { GiveUp, portOpen, type ServiceProcess, startProcess, waitFor } from "./processes.js"

/** The single box's own PostgreSQL cluster, started and stopped by the launcher. */
export interface PrivatePostgres {
  /** The PostgreSQL major version running the cluster. */
  readonly version: string
  readonly port: number
  readonly process: ServiceProcess
  /** Creates a database and its owner role unless they exist; returns the owner's URL for it. */
  ensureDatabase(name: string, owner?: string): Promise<string>
  /** Fast shutdown (sessions are ended, data is flushed), by PID. */
  stop(): Promise<void>
}

/** The superuser initdb creates; the control plane connects as it. */
const SUPERUSER = "hosting"
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/
const BIN_ROOT = "/usr/lib/postgresql"

/** Debian's PostgreSQL binaries: of `version` when given, else of the newest installed major. */
export const postgresBinDir = (version?: string): string | undefined => {
  const installed = (existsSync(BIN_ROOT) ? readdirSync(BIN_ROOT) : [])
    .filter((v) => existsSync(join(BIN_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))
  const chosen = version === undefined ? installed[0] : installed.find((v) => v === version)
  return chosen === undefined ? undefined : join(BIN_ROOT, chosen, "bin")
}

const userIds = (user: string): { uid: number; gid: number } => {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid, gid] = line.split(":")
    if (name === user) return { uid: Number(uid), gid: Number(gid) }
  }
  throw new Error(`user ${user} does not exist (it comes with Debian's postgresql package: npm run setup)`)
}

const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))
  } catch {
    return false
  }
}
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
  } catch {
    return []
  }
}

const tail = (file: string) => {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-12).join("\n")
  } catch {
    return ""
  }
}

/** Runs a program to completion (argument array, optional stdin); rejects with its stderr. */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { env: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; input?: string },
): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: options.env,
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: [options.input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
      timeout: 120_000,
    })
    let stderr = ""
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.once("error", reject)
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args[0] ?? ""} failed (${code ?? signal}): ${stderr.trim()}`)),
    )
    // a program that exits before reading its input fails below with its own message
    child.stdin?.on("error", () => {})
    child.stdin?.end(options.input)
  })

/** A secret kept in a root-only file next to the cluster (never inside it: postgres must not read it). */
const secret = (file: string): string => {
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim()
    // hex only: it goes into SQL literals, URLs and pdns.conf without escaping
    if (/^[0-9a-f]{32,}$/.test(value)) return value
  }
  const value = randomBytes(24).toString("hex")
  writeFileSync(file, `${value}\n`, { mode: 0o600 })
  return value
}

/**
 * The first directory on the way to `dir` that `uid` cannot search, if any: postgres runs as its
 * own user and must reach its data directory (a 0700 home or mkdtemp folder above it stops it).
 */
const blockedAncestor = (dir: string, ids: { uid: number; gid: number } | undefined): string | undefined => {
  if (ids === undefined) return undefined
  const chain: Array<string> = []
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d)
    if (dirname(d) === d) break
  }
  return chain.find((d) => spawnSync("test", ["-x", d], { uid: ids.uid, gid: ids.gid }).status !== 0)
}

/**
 * Stops a postmaster an earlier launcher left behind on this data directory (it was killed and
 * could not stop it), so the cluster can start. Only a postgres of this very directory is touched.
 */
const clearLeftover = async (data: string) => {
  const lock = join(data, "postmaster.pid")
  if (!existsSync(lock)) return
  const pid = Number(readFileSync(lock, "utf8").split("\n")[0])
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return // postgres clears a stale lock itself
  const args = cmdline(pid)
  const ours = args.some((a) => a.endsWith("/postgres") || a === "postgres") && args.includes(data)
  if (!ours) {
    if (args.some((a) => a.includes("postgres")))
      throw new Error(`another PostgreSQL (pid ${pid}) holds ${lock}; stop it first`)
    // the PID was recycled by an unrelated program, and postgres would refuse to start
    rmSync(lock)
    return
  }
  process.kill(pid, "SIGINT")
  await waitFor(`the PostgreSQL left running on ${data} (pid ${pid}) to stop`, async () => !alive(pid), 30_000)
}

/**
 * Starts the box's own PostgreSQL cluster under `dir` (created with initdb on first use, re-used
 * afterwards) on 127.0.0.1:`port`, as the `postgres` user when we are root. TCP only, with
 * password (SCRAM) authentication: tenants' code runs on this machine too, and trust on loopback
 * would make any of it a superuser of the control plane's database.
 */
export const startPrivatePostgres = async (options: {
  readonly dir: string
  readonly port: number
  readonly logFile: string
  readonly runAs?: string
  readonly startTimeoutMs?: number
}): Promise<PrivatePostgres> => {
  const { dir, port } = options
  const data = join(dir, "data")
  const ids = process.getuid?.() === 0 ? userIds(options.runAs ?? "postgres") : undefined
  const asUser = ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }
  // postgres gets a clean environment: none of our settings or secrets
  const env: NodeJS.ProcessEnv = { PATH: "/usr/bin:/bin", LC_ALL: "C.UTF-8" }

  const versionFile = join(data, "PG_VERSION")
  const existing = existsSync(versionFile) ? readFileSync(versionFile, "utf8").trim() : undefined
  const bin = postgresBinDir(existing)
  if (bin === undefined)
    throw new Error(
      existing === undefined
        ? `PostgreSQL is not installed (no ${BIN_ROOT}/<version>/bin/initdb): npm run setup installs it`
        : `the cluster in ${data} was made by PostgreSQL ${existing}, which is not installed here; install postgresql-${existing} or move ${data} away`,
    )
  const version = existing ?? bin.split("/").at(-2)!

  mkdirSync(dir, { recursive: true, mode: 0o755 })
  const blocked = blockedAncestor(dir, ids)
  if (blocked !== undefined)
    throw new Error(
      `PostgreSQL runs as the user ${options.runAs ?? "postgres"} (it refuses root), which cannot enter ${blocked}: allow it (chmod o+x ${blocked}) or set HOSTING_DATA_DIR to a directory it can reach`,
    )
  const superFile = join(dir, `${SUPERUSER}.password`)
  if (existing !== undefined && !existsSync(superFile))
    throw new Error(
      `${superFile} is missing, so the cluster in ${data} cannot be used: move ${dir} away to start afresh`,
    )
  const superPassword = secret(superFile)

  if (existing === undefined) {
    // initdb into a side directory and rename: an interrupted first run leaves no half cluster
    const staging = join(dir, "data.init")
    rmSync(staging, { recursive: true, force: true })
    mkdirSync(staging, { mode: 0o700 })
    const pwFile = join(dir, "initdb.pw")
    writeFileSync(pwFile, `${superPassword}\n`, { mode: 0o600 })
    if (ids !== undefined) {
      chownSync(staging, ids.uid, ids.gid)
      chownSync(pwFile, ids.uid, ids.gid)
    }
    try {
      await run(
        join(bin, "initdb"),
        [
          "-D",
          staging,
          "-U",
          SUPERUSER,
          `--pwfile=${pwFile}`,
          "--auth-host=scram-sha-256",
          "--auth-local=peer",
          "-E",
          "UTF8",
          "--locale=C",
        ],
        { env, ...asUser, cwd: dir },
      )
    } finally {
      rmSync(pwFile, { force: true })
    }
    renameSync(staging, data)
  }

  await clearLeftover(data)
  if (await portOpen("127.0.0.1", port))
    throw new Error(
      `port ${port} is already in use: set HOSTING_POSTGRES_PORT, or HOSTING_DATABASE_URL to use another PostgreSQL`,
    )
  const proc = startProcess({
    name: "postgres",
    command: join(bin, "postgres"),
    args: [
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      // no Unix socket: nothing to place in a shared directory, every client comes over TCP
      "-c",
      "unix_socket_directories=",
    ],
    env,
    logFile: options.logFile,
    cwd: dir,
    ...asUser,
    // Ctrl-C must not reach it directly: it stops last, after every client of it has gone
    detached: true,
  })
  let exited = false
  void proc.exited.then(() => {
    exited = true
  })
  const psqlEnv = { ...env, PGPASSWORD: superPassword, PGCONNECT_TIMEOUT: "10" }
  const connect = ["-h", "127.0.0.1", "-p", String(port), "-U", SUPERUSER]
  // fast shutdown; a postmaster that does not finish within the grace period is killed
  const stop = () => proc.stop(30_000, "SIGINT")
  try {
    await waitFor(
      `PostgreSQL on 127.0.0.1:${port}`,
      async () => {
        if (exited) throw new GiveUp(`postgres exited during start-up:\n${tail(options.logFile)}`)
        await run(join(bin, "pg_isready"), [...connect, "-d", "postgres", "-q", "-t", "2"], { env: psqlEnv })
        return true
      },
      options.startTimeoutMs ?? 60_000,
    )
  } catch (e) {
    await stop()
    throw e
  }

  const ensureDatabase = async (name: string, owner = SUPERUSER) => {
    if (!IDENT.test(name) || !IDENT.test(owner)) throw new Error(`not a plain SQL name: ${name} / ${owner}`)
    const password = owner === SUPERUSER ? superPassword : secret(join(dir, `${owner}.password`))
    // fed on stdin, so the password never shows in a process list
    const script = [
      ...(owner === SUPERUSER
        ? []
        : [
            `SELECT 'CREATE ROLE "${owner}" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${owner}')\\gexec`,
            `ALTER ROLE "${owner}" PASSWORD '${password}';`,
          ]),
      `SELECT 'CREATE DATABASE "${name}" OWNER "${owner}"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${name}')\\gexec`,
      // each role reaches only its own database (PUBLIC may connect to any by default)
      `REVOKE CONNECT ON DATABASE "${name}" FROM PUBLIC;`,
      "",
    ].join("\n")
    await run(join(bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...connect, "-d", "postgres", "-f", "-"], {
      env: psqlEnv,
      input: script,
    })
    return `postgres://${owner}:${password}@127.0.0.1:${port}/${name}`
  }

  return { version, port, process: proc, ensureDatabase, stop }
}
