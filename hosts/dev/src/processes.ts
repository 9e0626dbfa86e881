import { type ChildProcess, spawn } from "node:child_process"
import { createWriteStream, existsSync } from "node:fs"
import { createConnection, createServer } from "node:net"
import { delimiter, join } from "node:path"

/** A child process we started, stoppable by its PID. */
export interface ServiceProcess {
  readonly name: string
  readonly pid: number
  readonly child: ChildProcess
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>
  /** `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves once the process has ended. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>
}

/** Starts a program with an argument array (never a shell), logging to a file or inheriting stdio. */
export const startProcess = (options: {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: NodeJS.ProcessEnv
  readonly logFile?: string
  readonly cwd?: string
  /** Runs it as this user and group (a daemon that refuses to run as root). */
  readonly uid?: number
  readonly gid?: number
  /** Its own process group, so a Ctrl-C in the terminal reaches only us and we stop it in order. */
  readonly detached?: boolean
}): ServiceProcess => {
  const child = spawn(options.command, [...options.args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
    detached: options.detached ?? false,
    stdio: options.logFile === undefined ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  })
  if (options.logFile !== undefined) {
    const log = createWriteStream(options.logFile, { flags: "a" })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
  }
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`)
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? 0))
    child.once("error", () => resolve(-1))
  })
  const stop = async (graceMs = 10_000, signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    await exited
    clearTimeout(timer)
  }
  return { name: options.name, pid: child.pid, child, exited, stop }
}

/** Thrown by a `waitFor` check to stop waiting at once (the awaited process died). */
export class GiveUp extends Error {}

/**
 * Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes (bounded). A check
 * that throws counts as "not yet" (a port not open, a fetch refused), unless it throws `GiveUp`.
 */
export const waitFor = async (
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const done = await check().catch((e: unknown) => {
      if (e instanceof GiveUp) throw e
      return false
    })
    if (done) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** Whether something accepts TCP connections on host:port. */
export const portOpen = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host, port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export const freePort = async (): Promise<number> => {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      )
    })
  })
}

/** Finds an executable on PATH (plus the places our install scripts use). */
export const findExecutable = (name: string): string | undefined => {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/local/bin", "/usr/sbin", "/usr/bin"]
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p))
}
