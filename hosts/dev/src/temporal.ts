import { GiveUp, portOpen, type ServiceProcess, startProcess, waitFor } from "./processes.js"

/** A running Temporal dev server. */
export interface TemporalDevServer {
  readonly address: string
  readonly process: ServiceProcess
}

/**
 * Starts `temporal server start-dev` (SQLite) on loopback. With `dbFile` the history persists
 * across restarts; without it the server keeps everything in memory (tests).
 */
export const startTemporalDevServer = async (options: {
  readonly executable: string
  readonly port: number
  readonly httpPort: number
  readonly metricsPort: number
  readonly dbFile?: string
  readonly logFile?: string
  readonly startTimeoutMs?: number
}): Promise<TemporalDevServer> => {
  const args = [
    "server",
    "start-dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--http-port",
    String(options.httpPort),
    "--metrics-port",
    String(options.metricsPort),
    "--headless",
    "--namespace",
    "default",
    "--log-level",
    "warn",
    ...(options.dbFile === undefined ? [] : ["--db-filename", options.dbFile]),
  ]
  if (await portOpen("127.0.0.1", options.port)) {
    throw new Error(
      `port ${options.port} is already in use (another Temporal server?): set HOSTING_TEMPORAL_PORT, or HOSTING_TEMPORAL_ADDRESS to use that server`,
    )
  }
  const proc = startProcess({
    name: "temporal",
    command: options.executable,
    args,
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  })
  const address = `127.0.0.1:${options.port}`
  let exited = false
  void proc.exited.then(() => {
    exited = true
  })
  try {
    await waitFor(
      `Temporal dev server on ${address}`,
      async () => {
        if (exited)
          throw new GiveUp(`temporal exited during start-up${options.logFile ? ` (see ${options.logFile})` : ""}`)
        return portOpen("127.0.0.1", options.port)
      },
      options.startTimeoutMs ?? 30_000,
    )
  } catch (e) {
    await proc.stop(2_000)
    throw e
  }
  return { address, process: proc }
}
