import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readFileSync } from "node:fs"
import { DKIM_TABLES, DOVECOT_USERS, POSTFIX_MAPS } from "@hosting/core/node"
import { livePid, stopPids, tail, waitUntil } from "../process.js"
import { run } from "../web/exec.js"
import { ensureDir, writeIfChanged } from "../web/files.js"
import type { EmailNodeConfig } from "./config.js"
import { dovecotConf, type EmailPaths, emailPaths, opendkimConf, postfixMain, postfixMaster } from "./daemon-files.js"

/** A user's uid and gid from /etc/passwd, or undefined. */
export const lookupUser = (user: string): { uid: number; gid: number } | undefined => {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid, gid] = line.split(":")
    if (name === user) return { uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

const required = (user: string, hint: string) => {
  const u = lookupUser(user)
  if (u === undefined) throw new Error(`user ${user} does not exist (${hint})`)
  return u
}

/** The mailbox owner: created as a system user with its own group when it does not exist. */
export const ensureVmailUser = async (user: string) => {
  if (lookupUser(user) === undefined)
    await run("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
  return required(user, "useradd failed")
}

/** Waits (bounded) until `ready` holds; the error names what did not come up and its log. */
const until = (what: string, ready: () => boolean, log: string, timeoutMs = 20_000) =>
  waitUntil(ready, {
    timeoutMs,
    pollMs: 20,
    late: () => `${what} did not come up within ${timeoutMs} ms:\n${tail(log, 10)}`,
  })

/**
 * Runs a daemon's launcher, which forks the daemon and exits. Its output goes to `log`, not to a
 * pipe: a daemon that keeps inherited pipes open would hold a pipe reader until its timeout.
 */
const launch = async (command: string, args: ReadonlyArray<string>, log: string) => {
  const fd = openSync(log, "a")
  try {
    const child = spawn(command, [...args], { detached: true, stdio: ["ignore", fd, fd] })
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject)
      child.once("exit", resolve)
    })
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail(log, 10)}`)
  } finally {
    closeSync(fd)
  }
}

/** PIDs of the node's running mail daemons (from their pid files, checked against /proc). */
export const emailPids = (root: string) => {
  const p = emailPaths(root)
  return {
    postfix: livePid(p.postfixPid, "master"),
    dovecot: livePid(`${p.dovecotRun}/master.pid`, "dovecot"),
    opendkim: livePid(p.opendkimPid, "opendkim"),
  }
}

const ensureLayout = async (p: EmailPaths, vmail: { uid: number; gid: number }) => {
  const postfix = required("postfix", "install postfix")
  const dovecot = required("dovecot", "install dovecot-core")
  const opendkim = required("opendkim", "install opendkim")
  await ensureDir(p.base, 0, 0, 0o755)
  for (const d of [p.postfixConf, `${p.base}/postfix`, `${p.base}/dovecot`, p.dovecotRun, p.opendkim])
    await ensureDir(d, 0, 0, 0o755)
  await ensureDir(p.postfixQueue, 0, 0, 0o755)
  await ensureDir(p.dovecotState, 0, 0, 0o750)
  await ensureDir(p.state, 0, 0, 0o700)
  // map, user and script directories: only the daemon that reads them (and root) can list them
  await ensureDir(p.postfixMaps, 0, postfix.gid, 0o750)
  await ensureDir(p.postfixData, postfix.uid, postfix.gid, 0o700)
  await ensureDir(p.dovecotUsers, 0, dovecot.gid, 0o750)
  await ensureDir(p.sieve, 0, vmail.gid, 0o750)
  await ensureDir(p.mail, 0, vmail.gid, 0o750)
  await ensureDir(p.opendkimKeys, opendkim.uid, opendkim.gid, 0o700)
  await ensureDir(p.opendkimRun, opendkim.uid, opendkim.gid, 0o755)
  // the daemons refuse to start on missing maps; the MailManager fills them in
  for (const f of Object.values(POSTFIX_MAPS))
    if (!existsSync(`${p.postfixMaps}/${f}`)) await writeIfChanged(`${p.postfixMaps}/${f}`, "")
  if (!existsSync(`${p.dovecotUsers}/${DOVECOT_USERS}`)) await writeIfChanged(`${p.dovecotUsers}/${DOVECOT_USERS}`, "")
  for (const f of Object.values(DKIM_TABLES))
    if (!existsSync(`${p.opendkim}/${f}`)) await writeIfChanged(`${p.opendkim}/${f}`, "")
}

/**
 * Brings the node's Postfix, Dovecot and OpenDKIM up on its root and ports, or adopts the ones an
 * earlier agent started (live pid files): mail keeps flowing while the agent restarts. A daemon
 * whose configuration changed is reloaded.
 */
export const ensureEmailDaemons = async (c: EmailNodeConfig): Promise<void> => {
  const p = emailPaths(c.root)
  const vmail = await ensureVmailUser(c.vmailUser)
  await ensureLayout(p, vmail)
  const dkimChanged = await writeIfChanged(p.opendkimConf, opendkimConf(p))
  const dovecotChanged = await writeIfChanged(p.dovecotConf, dovecotConf(c, p, vmail))
  const mainChanged = await writeIfChanged(`${p.postfixConf}/main.cf`, postfixMain(c, p))
  const masterChanged = await writeIfChanged(`${p.postfixConf}/master.cf`, postfixMaster(c, p))
  const pids = emailPids(c.root)

  if (pids.opendkim === undefined) {
    await launch(c.binaries.opendkim, ["-x", p.opendkimConf], p.opendkimLog)
    await until("opendkim", () => existsSync(p.milter) && emailPids(c.root).opendkim !== undefined, p.opendkimLog)
  } else if (dkimChanged) process.kill(pids.opendkim, "SIGUSR1")

  if (pids.dovecot === undefined) {
    await launch(c.binaries.dovecot, ["-c", p.dovecotConf], p.dovecotLog)
    await until(
      "dovecot",
      () => existsSync(`${p.dovecotRun}/lmtp`) && existsSync(`${p.dovecotRun}/auth-postfix`),
      p.dovecotLog,
    )
  } else if (dovecotChanged) process.kill(pids.dovecot, "SIGHUP")

  if (pids.postfix === undefined) {
    // postfix logs why it did not start to its maillog_file, not to stderr
    await launch(c.binaries.postfix, ["-c", p.postfixConf, "start"], p.maillog)
    await until("postfix", () => emailPids(c.root).postfix !== undefined, p.maillog)
  } else if (mainChanged || masterChanged) await run(c.binaries.postfix, ["-c", p.postfixConf, "reload"])
}

/** Stops the node's mail daemons by the PIDs in their pid files (tests, the dev launcher); never by name. */
export const stopEmailServices = (root: string, timeoutMs = 10_000): Promise<void> =>
  stopPids(
    Object.values(emailPids(root)).filter((x): x is number => x !== undefined),
    timeoutMs,
  )

/** The queue's messages as `postqueue -j` reports them (tests and diagnostics). */
export const postfixQueue = async (root: string): Promise<Array<Record<string, unknown>>> => {
  const { stdout } = await run("postqueue", ["-c", emailPaths(root).postfixConf, "-j"])
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}
