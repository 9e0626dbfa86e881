import { spawn } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"

// What every role does with the daemons it runs detached (so they keep serving while the agent
// restarts): find them again by pid file, wait for them to answer, and stop them by PID, never by
// process name. Each role keeps its own timeouts, and says why next to them.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The last lines of a log, for an error saying why a daemon did not come up; "" if unreadable. */
export const tail = (file: string, lines = 15) => {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

/**
 * Whether a process (or, for a negative pid, the group's leader) still runs. A stopped process
 * lingers as a zombie until it is reaped, so "gone" means gone or a zombie.
 */
export const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${Math.abs(pid)}/status`, "utf8"))
  } catch {
    return false
  }
}

/** PID from a pid file if that process is alive and not a zombie. */
export const livePid = (pidFile: string, expect?: string): number | undefined => {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim())
    if (!Number.isInteger(pid) || pid <= 1) return undefined
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    if (/^State:\s+Z/m.test(status)) return undefined
    // a recycled PID belongs to some other program
    if (expect !== undefined && !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(expect)) return undefined
    return pid
  } catch {
    return undefined
  }
}

/**
 * SIGTERM to each pid (a negative one: its process group), then SIGKILL to those still alive
 * after `timeoutMs`, polling every `pollMs`.
 */
export const stopPids = async (pids: ReadonlyArray<number>, timeoutMs: number, pollMs = 25): Promise<void> => {
  const signalled = pids.filter((pid) => {
    try {
      process.kill(pid, "SIGTERM")
      return true
    } catch {
      return false // already gone
    }
  })
  const deadline = Date.now() + timeoutMs
  while (signalled.some(alive) && Date.now() < deadline) await sleep(pollMs)
  for (const pid of signalled.filter(alive)) process.kill(pid, "SIGKILL")
}

/** Stops one process: SIGTERM, then SIGKILL if it is still alive after `timeoutMs`. */
export const stopPid = (pid: number, timeoutMs: number, pollMs = 25): Promise<void> =>
  stopPids([pid], timeoutMs, pollMs)

/** Starts a daemon detached (its own session, outliving the agent), its output appended to `log`; its pid. */
export const spawnDetached = (
  command: string,
  args: ReadonlyArray<string>,
  log: string,
  options: { readonly logMode?: number } = {},
): number => {
  const fd = options.logMode === undefined ? openSync(log, "a") : openSync(log, "a", options.logMode)
  try {
    const child = spawn(command, [...args], { detached: true, stdio: ["ignore", fd, fd] })
    if (child.pid === undefined) throw new Error(`could not start ${command}`)
    child.unref()
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/**
 * Polls (bounded) until `ready` holds. Each round `exited` may name why it never will (the
 * daemon died), which is thrown at once; at the deadline `late()`'s words are thrown.
 */
export const waitUntil = async (
  ready: () => boolean | Promise<boolean>,
  o: {
    readonly timeoutMs: number
    readonly pollMs: number
    readonly late: () => string
    readonly exited?: () => string | undefined
  },
): Promise<void> => {
  const deadline = Date.now() + o.timeoutMs
  while (Date.now() < deadline) {
    if (await ready()) return
    const why = o.exited?.()
    if (why !== undefined) throw new Error(why)
    await sleep(o.pollMs)
  }
  throw new Error(o.late())
}
