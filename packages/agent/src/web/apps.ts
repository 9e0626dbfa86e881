import { spawn } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"
import { chown } from "node:fs/promises"
import { createServer } from "node:net"
import { AppProcesses, type AppState, AppsUnavailable } from "@hosting/core/node"
import { Effect, Layer } from "effect"

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

/** Starts the app detached as its user, in its own process group, output appended to its log. */
const launch = async (s: AppState): Promise<number | null> => {
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
    return child.pid ?? null
  } finally {
    closeSync(log)
  }
}

const stop = async (pid: number | null, uid: number) => {
  if (!runsAs(pid, uid)) return
  try {
    process.kill(-pid!, "SIGTERM") // its process group: the app and whatever it forked
  } catch {
    process.kill(pid!, "SIGTERM")
  }
  for (let i = 0; i < 50 && runsAs(pid, uid); i++) await new Promise((r) => setTimeout(r, 50))
  if (runsAs(pid, uid)) process.kill(-pid!, "SIGKILL")
}

const unavailable = (e: unknown) => new AppsUnavailable({ message: e instanceof Error ? e.message : String(e) })

/** The live AppProcesses: detached children as the tenant, /proc for liveness, signals to stop. */
export const appProcessesLayer = Layer.succeed(
  AppProcesses,
  AppProcesses.of({
    runsAs: (pid, uid) => Effect.sync(() => runsAs(pid, uid)),
    launch: (app) => Effect.tryPromise({ try: () => launch(app), catch: unavailable }),
    stop: (pid, uid) => Effect.promise(() => stop(pid, uid)),
    freePort: Effect.tryPromise({ try: freePort, catch: unavailable }),
  }),
)
