import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { createConnection } from "node:net"
import { join } from "node:path"
import { mysqlNativePasswordHash } from "@hosting/core/node"
import { alive, livePid, spawnDetached, stopPid, tail, waitUntil } from "../process.js"
import { ensureDir, readIfExists, writeIfChanged } from "../web/files.js"
import type { DatabaseNodeConfig } from "./config.js"

/** The platform's own account on the node's MariaDB: socket only, every privilege. */
export const ADMIN_USER = "hosting_admin"

/** The account replicas of this node log in with (REPLICATION SLAVE only), on every node. */
export const REPLICATION_USER = "hosting_repl"

/** Paths of the node's MariaDB under its root. */
export const databasePaths = (root: string) => {
  const dir = join(root, "mariadb")
  return {
    dir,
    conf: join(dir, "my.cnf"),
    data: join(dir, "data"),
    run: join(dir, "run"),
    socket: join(dir, "run", "mysqld.sock"),
    pid: join(dir, "run", "mysqld.pid"),
    /** mariadbd's own log, in a directory it owns (it opens the file after dropping to its user). */
    log: join(dir, "log"),
    /** mariadbd's temporary files: its own, since at start a server deletes leftovers it finds in its tmpdir. */
    tmp: join(dir, "tmp"),
    errorLog: join(dir, "log", "error.log"),
    stdoutLog: join(dir, "mariadbd.log"),
    /** The admin account's client options (user, password, socket): root-only. */
    adminCnf: join(dir, "admin.cnf"),
    /** The replication account's password: root-only, given only to the control plane's replication steps. */
    replicationCnf: join(dir, "replication.cnf"),
    transfer: join(dir, "transfer"),
  }
}
type Paths = ReturnType<typeof databasePaths>

const myCnf = (c: DatabaseNodeConfig, p: Paths) =>
  [
    "# written by the hosting agent",
    "[mariadbd]",
    ...(c.runAs === null ? [] : [`user=${c.runAs}`]),
    `datadir=${p.data}`,
    `socket=${p.socket}`,
    `pid-file=${p.pid}`,
    `log-error=${p.errorLog}`,
    `tmpdir=${p.tmp}`,
    `bind-address=${c.listen.host}`,
    `port=${c.listen.port}`,
    // accounts are 'user'@'%' and the admin 'hosting_admin'@'localhost': no DNS lookups at login
    "skip-name-resolve",
    `innodb_buffer_pool_size=${c.bufferPoolMb}M`,
    "character-set-server=utf8mb4",
    "collation-server=utf8mb4_unicode_ci",
    // no reading or writing server-side files through SQL, whoever gets FILE
    `secure-file-priv=${join(p.dir, "no-files")}`,
    "performance_schema=OFF",
    // GTID replication: any node can be a primary (binlog, its replicas' changes included, so a
    // promoted replica's binlog continues its source's history) or a replica. Binlog and relay
    // log live in the datadir (named, not after the hostname): a wiped datadir starts clean.
    `server_id=${c.serverId}`,
    "log_bin=mariadb-bin",
    "binlog_format=ROW",
    "log_slave_updates=ON",
    "gtid_strict_mode=ON",
    "relay_log=relay-bin",
    // a replica away longer than this must be re-seeded (its GTIDs are purged: error 1236)
    `binlog_expire_logs_seconds=${7 * 86400}`,
    // every server starts read-only; the agent opens a server without a replication source for
    // writes right after, so a replica restarted with its machine never takes an application's write
    "read_only=ON",
    "",
    "[client]",
    `socket=${p.socket}`,
    "",
  ].join("\n")

const uidGid = (user: string | null): [number, number] => {
  if (user === null) return [process.getuid?.() ?? 0, process.getgid?.() ?? 0]
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid, gid] = line.split(":")
    if (name === user) return [Number(uid), Number(gid)]
  }
  throw new Error(`user ${user} does not exist (install mariadb-server, or set HOSTING_MARIADB_USER)`)
}

/** Runs a program with an argument array and optional stdin; rejects with its stderr. */
export const runProgram = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly input?: string; readonly timeoutMs?: number } = {},
): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(stdout)
      else reject(new Error(`${command} failed (${code ?? signal}): ${stderr.trim().slice(0, 2000)}`))
    })
    child.stdin.end(options.input ?? "")
  })

/** Whether a MariaDB answers on this socket (it greets every new connection first). */
export const socketAnswers = (socket: string, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const conn = createConnection(socket)
    const done = (ok: boolean) => {
      clearTimeout(timer)
      conn.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    conn.once("data", () => done(true))
    conn.once("error", () => done(false))
  })

/** The pid of this root's running mariadbd, if any (its command line names this root's my.cnf). */
export const mariadbPid = (root: string): number | undefined => {
  const p = databasePaths(root)
  return livePid(p.pid, `--defaults-file=${p.conf}`)
}

// First start: the data directory is made in a side directory and renamed when complete, so a
// crash part-way leaves no half-made datadir that a later start would take for a good one.
const initialise = async (c: DatabaseNodeConfig, p: Paths, uid: number, gid: number) => {
  const side = `${p.data}.init`
  await rm(side, { recursive: true, force: true })
  await ensureDir(side, uid, gid, 0o750)
  await runProgram(
    c.binaries.installDb,
    [
      `--defaults-file=${p.conf}`,
      `--datadir=${side}`,
      "--skip-test-db",
      "--auth-root-authentication-method=socket",
      ...(c.runAs === null ? [] : [`--user=${c.runAs}`]),
    ],
    { timeoutMs: 120_000 },
  )
  await rename(side, p.data)
}

/** Whether the admin account logs in with the password in admin.cnf. */
const adminWorks = async (c: DatabaseNodeConfig, p: Paths): Promise<boolean> => {
  if (!existsSync(p.adminCnf)) return false
  try {
    await runProgram(c.binaries.client, [`--defaults-file=${p.adminCnf}`, "-N", "-e", "SELECT 1"], {
      timeoutMs: 10_000,
    })
    return true
  } catch {
    return false
  }
}

// The admin password is generated here and never leaves the node: written root-only, then set
// through the root account's unix-socket login (only root on this machine can use it). The SQL
// travels on stdin and carries only the hash, never the password.
const ensureAdmin = async (c: DatabaseNodeConfig, p: Paths) => {
  if (await adminWorks(c, p)) return
  const password = randomBytes(24).toString("hex")
  const hash = mysqlNativePasswordHash(password)
  await runProgram(c.binaries.client, [`--defaults-file=${p.conf}`, "--user=root"], {
    input: [
      // node-local: each node's admin has its own password, so this never reaches the binlog
      "SET SESSION sql_log_bin=0;",
      `CREATE OR REPLACE USER '${ADMIN_USER}'@'localhost' IDENTIFIED BY PASSWORD '${hash}';`,
      `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'localhost' WITH GRANT OPTION;`,
      "",
    ].join("\n"),
  })
  await writeIfChanged(
    p.adminCnf,
    ["[client]", `user=${ADMIN_USER}`, `password=${password}`, `socket=${p.socket}`, ""].join("\n"),
    0o600,
  )
}

// The replication account exists on every node, so any node can become a primary. Its password
// is generated here, kept root-only and set with only its hash; like the admin account it is
// node-local (never binlogged): each node's replicas log in with that node's own password.
const ensureReplicationAccount = async (c: DatabaseNodeConfig, p: Paths) => {
  const existing = /^password=([0-9a-f]{48})$/m.exec((await readIfExists(p.replicationCnf)) ?? "")?.[1]
  const password = existing ?? randomBytes(24).toString("hex")
  const hash = mysqlNativePasswordHash(password)
  const account = `'${REPLICATION_USER}'@'%'`
  await runProgram(c.binaries.client, [`--defaults-file=${p.adminCnf}`], {
    input: [
      "SET SESSION sql_log_bin=0;",
      `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY PASSWORD '${hash}';`,
      `ALTER USER ${account} IDENTIFIED BY PASSWORD '${hash}';`,
      `GRANT REPLICATION SLAVE ON *.* TO ${account};`,
      "",
    ].join("\n"),
  })
  if (existing === undefined)
    await writeIfChanged(
      p.replicationCnf,
      ["[client]", `user=${REPLICATION_USER}`, `password=${password}`, ""].join("\n"),
      0o600,
    )
}

/** The replication account's password, from the root-only replication.cnf. */
export const replicationPassword = async (root: string): Promise<string> => {
  const cnf = await readIfExists(databasePaths(root).replicationCnf)
  const password = /^password=([0-9a-f]{48})$/m.exec(cnf ?? "")?.[1]
  if (password === undefined) throw new Error("the replication account is not set up yet (start the role)")
  return password
}

/**
 * Brings the node's MariaDB up on its root and port, or adopts the one already running from an
 * earlier agent (same my.cnf, live pid, answering its socket): applications keep their
 * connections while the agent restarts. Initialises the data directory on first start and
 * makes sure the platform's admin account logs in with the root-only password in admin.cnf.
 */
export const ensureMariaDb = async (c: DatabaseNodeConfig): Promise<{ pid: number; started: boolean }> => {
  const p = databasePaths(c.root)
  const [uid, gid] = uidGid(c.runAs)
  await ensureDir(p.dir, 0, 0, 0o755)
  await ensureDir(join(p.dir, "no-files"), 0, 0, 0o700)
  await ensureDir(p.transfer, 0, 0, 0o700)
  await ensureDir(p.run, uid, gid, 0o755)
  await ensureDir(p.log, uid, gid, 0o750)
  await ensureDir(p.tmp, uid, gid, 0o750)
  const changed = await writeIfChanged(p.conf, myCnf(c, p), 0o644)
  if (!existsSync(p.data)) await initialise(c, p, uid, gid)

  const running = mariadbPid(c.root)
  if (running !== undefined && !changed && (await socketAnswers(p.socket))) {
    await ensureAdmin(c, p)
    await ensureReplicationAccount(c, p)
    return { pid: running, started: false }
  }
  // mariadbd flushes InnoDB on SIGTERM; a large buffer pool can take a while, so the wait is long.
  if (running !== undefined) await stopPid(running, 60_000)

  const pid = spawnDetached(c.binaries.mariadbd, [`--defaults-file=${p.conf}`], p.stdoutLog)
  await waitUntil(async () => mariadbPid(c.root) === pid && (await socketAnswers(p.socket)), {
    timeoutMs: 60_000,
    pollMs: 25,
    exited: () => (alive(pid) ? undefined : `mariadbd exited at start:\n${tail(p.errorLog)}`),
    late: () => `mariadbd did not answer on ${p.socket} within 60 s:\n${tail(p.errorLog)}`,
  })
  await ensureAdmin(c, p)
  await ensureReplicationAccount(c, p)
  return { pid, started: true }
}

/** The admin account's password, from the root-only admin.cnf. */
export const adminPassword = async (root: string): Promise<string> => {
  const cnf = await readIfExists(databasePaths(root).adminCnf)
  const password = /^password=([0-9a-f]+)$/m.exec(cnf ?? "")?.[1]
  if (password === undefined) throw new Error("the database admin account is not set up yet (start the role)")
  return password
}

/** Stops the MariaDB this root's pid file names (tests, the dev launcher); never by process name. */
export const stopDatabaseServices = async (root: string, timeoutMs = 60_000): Promise<void> => {
  const pid = mariadbPid(root)
  if (pid !== undefined) await stopPid(pid, timeoutMs)
}
