import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs"
import { chown, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { join } from "node:path"
import type { PlannedApp } from "@hosting/core/node"
import { writeIfChanged } from "./files.js"

/** What the supervisor remembers of one app process, in `{apps}/{user}.{id}.json`. */
export interface AppState {
  readonly user: string
  readonly id: string
  readonly uid: number
  readonly gid: number
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly home: string
  readonly logFile: string
  readonly port: number | null
  readonly pid: number | null
  readonly restarts: number
  readonly lastStart: number
}

/** A change the supervisor made (or would make) to one app process. */
export interface AppChange {
  readonly action: "create" | "update" | "delete"
  readonly id: string
}

/** Whether `pid` runs as `uid` (a recycled PID of another user's process does not count). */
export const runsAs = (pid: number | null, uid: number): boolean => {
  if (pid === null) return false
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    if (/^State:\s+Z/m.test(status)) return false
    return new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status)
  } catch {
    return false
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })

const stateFile = (dir: string, user: string, id: string) => join(dir, `${user}.${id}.json`)

const readState = (file: string): AppState | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as AppState
  } catch {
    return undefined
  }
}

const save = (dir: string, s: AppState) => writeIfChanged(stateFile(dir, s.user, s.id), `${JSON.stringify(s)}\n`, 0o600)

const launch = async (dir: string, s: AppState): Promise<AppState> => {
  const log = openSync(s.logFile, "a", 0o640)
  await chown(s.logFile, s.uid, s.gid)
  try {
    const child = spawn(s.command, [...s.args], {
      cwd: s.cwd,
      uid: s.uid,
      gid: s.gid,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: s.home,
        ...(s.port === null ? {} : { PORT: String(s.port), HOST: "127.0.0.1" }),
      },
    })
    child.on("error", () => {})
    child.unref()
    const next = { ...s, pid: child.pid ?? null, lastStart: Date.now() }
    await save(dir, next)
    return next
  } finally {
    closeSync(log)
  }
}

const kill = async (pid: number | null, uid: number) => {
  if (!runsAs(pid, uid)) return
  try {
    process.kill(-pid!, "SIGTERM") // its process group: the app and whatever it forked
  } catch {
    process.kill(pid!, "SIGTERM")
  }
  for (let i = 0; i < 50 && runsAs(pid, uid); i++) await new Promise((r) => setTimeout(r, 50))
  if (runsAs(pid, uid)) process.kill(-pid!, "SIGKILL")
}

/**
 * The agent's supervisor for tenants' app processes (node/python/ruby webroots and workers). Each
 * process runs detached as the tenant, so it survives an agent restart; its state file lets the
 * restarted agent adopt it, and a watchdog restarts processes that died.
 */
export class AppSupervisor {
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly dir: string,
    private readonly interpreters: Readonly<Record<PlannedApp["interpreter"], string>>,
  ) {}

  /** Ports of a user's HTTP apps, by webroot. */
  ports(user: string): Map<string, number> {
    const out = new Map<string, number>()
    for (const s of this.states(user)) if (s.port !== null) out.set(s.id, s.port)
    return out
  }

  private states(user?: string): Array<AppState> {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json") && (user === undefined || f.startsWith(`${user}.`)))
      .flatMap((f) => {
        const s = readState(join(this.dir, f))
        return s === undefined ? [] : [s]
      })
  }

  /** Users with any supervised app. */
  users(): Set<string> {
    return new Set(this.states().map((s) => s.user))
  }

  /**
   * Makes the user's supervised processes exactly `apps`: starts missing ones, restarts ones
   * whose command changed, stops the rest. Returns what changed.
   */
  async ensure(
    user: { readonly name: string; readonly uid: number; readonly gid: number; readonly home: string },
    apps: ReadonlyArray<PlannedApp>,
    webrootDir: (webroot: string) => string,
  ): Promise<Array<AppChange>> {
    const changes: Array<AppChange> = []
    const current = new Map(this.states(user.name).map((s) => [s.id, s]))
    for (const app of apps) {
      const command = this.interpreters[app.interpreter]
      const args = [app.entrypoint]
      const cwd = webrootDir(app.webroot)
      const before = current.get(app.id)
      current.delete(app.id)
      const same =
        before !== undefined &&
        before.command === command &&
        before.cwd === cwd &&
        JSON.stringify(before.args) === JSON.stringify(args) &&
        before.uid === user.uid &&
        (before.port !== null) === app.http
      if (same && runsAs(before.pid, user.uid)) continue
      if (before !== undefined) await kill(before.pid, before.uid)
      const port = app.http ? (same && before.port !== null ? before.port : await freePort()) : null
      await launch(this.dir, {
        user: user.name,
        id: app.id,
        uid: user.uid,
        gid: user.gid,
        command,
        args,
        cwd,
        home: user.home,
        logFile: join(user.home, "logs", `${app.id}.log`),
        port,
        pid: null,
        restarts: 0,
        lastStart: 0,
      })
      changes.push({ action: before === undefined ? "create" : "update", id: app.id })
    }
    for (const stale of current.values()) {
      await kill(stale.pid, stale.uid)
      await rm(stateFile(this.dir, stale.user, stale.id), { force: true })
      changes.push({ action: "delete", id: stale.id })
    }
    return changes
  }

  /** What ensure would change, without changing it. */
  plan(user: { readonly name: string; readonly uid: number }, apps: ReadonlyArray<PlannedApp>): Array<AppChange> {
    const current = new Map(this.states(user.name).map((s) => [s.id, s]))
    const out: Array<AppChange> = []
    for (const app of apps) {
      const s = current.get(app.id)
      current.delete(app.id)
      if (s === undefined || !runsAs(s.pid, user.uid))
        out.push({ action: s === undefined ? "create" : "update", id: app.id })
    }
    for (const s of current.values()) out.push({ action: "delete", id: s.id })
    return out
  }

  /** Stops every process of a user (tenant deletion, suspension of a removed tenant). */
  async stopUser(user: string): Promise<void> {
    for (const s of this.states(user)) {
      await kill(s.pid, s.uid)
      await rm(stateFile(this.dir, s.user, s.id), { force: true })
    }
  }

  /**
   * Restarts dead processes every `intervalMs`; a process that keeps dying is retried at most
   * once a minute, so a broken app costs little.
   */
  startWatchdog(intervalMs = 2000): void {
    this.timer = setInterval(() => {
      for (const s of this.states()) {
        if (runsAs(s.pid, s.uid)) continue
        const backoff = Math.min(60_000, 1000 * 2 ** Math.min(s.restarts, 6))
        if (Date.now() - s.lastStart < backoff) continue
        launch(this.dir, { ...s, restarts: s.restarts + 1 }).catch(() => {})
      }
    }, intervalMs)
    this.timer.unref()
  }

  stopWatchdog(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
  }
}
