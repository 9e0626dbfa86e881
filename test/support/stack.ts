// Runs the real processes of the platform (API, control-plane worker, node agents) from their
// built entry points, as `npm run dev` and production do, against the run's Temporal server.
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateApiKeySecret } from "@hosting/core/api"
import { freePort, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"

const require = createRequire(import.meta.url)
const mainOf = (pkg: string) => require.resolve(pkg)

export interface Stack {
  readonly baseUrl: string
  readonly apiKey: string
  readonly nodeId: string
  readonly logDir: string
  readonly processes: Map<string, ServiceProcess>
  /** Starts (or restarts) the agent of a node, with extra environment (a web node's settings). */
  startAgent(nodeId: string, env?: NodeJS.ProcessEnv): ServiceProcess
  stop(): Promise<void>
}

export const startStack = async (options: {
  readonly databaseUrl: string
  readonly temporalAddress: string
  readonly env?: NodeJS.ProcessEnv
}): Promise<Stack> => {
  const logDir = mkdtempSync(join(tmpdir(), "hosting-stack-"))
  const apiKey = generateApiKeySecret()
  const nodeId = randomUUID()
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOSTING_DATABASE_URL: options.databaseUrl,
    HOSTING_DATABASE_POOL_SIZE: "4",
    HOSTING_TEMPORAL_ADDRESS: options.temporalAddress,
    HOSTING_API_PORT: String(port),
    HOSTING_API_KEY: apiKey,
    HOSTING_LOCAL_NODE_ID: nodeId,
    // agents serve no web role unless a test gives them a node root, ports and a user prefix
    HOSTING_AGENT_ROLES: "none",
    // nothing in a test may reach the internet: an issuance nobody set up fails on loopback
    HOSTING_ACME_DIRECTORY_URL: "https://127.0.0.1:9/directory",
    // the suites use names under the test TLDs (example.test, ns1.x.example), as development does
    HOSTING_ALLOW_TEST_DOMAINS: "true",
    // suites send many deliberately bad keys from 127.0.0.1; the limit itself has its own test
    HOSTING_AUTH_FAILURES_PER_MINUTE: "1000000",
    ...options.env,
  }
  const processes = new Map<string, ServiceProcess>()
  const start = (name: string, main: string, extra: NodeJS.ProcessEnv = {}) => {
    const p = startProcess({
      name,
      command: process.execPath,
      args: [main],
      env: { ...env, ...extra },
      logFile: join(logDir, `${name}.log`),
    })
    processes.set(name, p)
    return p
  }
  const startAgent = (id: string, extra: NodeJS.ProcessEnv = {}) =>
    start(`agent-${id}`, mainOf("@hosting/agent/main"), { HOSTING_NODE_ID: id, ...extra })
  start("api", join(require.resolve("@hosting/api/server"), "..", "main.js"))
  start("cp-worker", mainOf("@hosting/workflows/main"))
  startAgent(nodeId)
  const baseUrl = `http://127.0.0.1:${port}`
  const stopProcesses = () => Promise.all([...processes.values()].map((p) => p.stop()))
  const stop = async () => {
    await stopProcesses()
    rmSync(logDir, { recursive: true, force: true })
  }
  try {
    await waitFor(
      `the stack to be ready (logs in ${logDir})`,
      async () => (await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })).status === 200,
      60_000,
      200,
    )
  } catch (e) {
    // keep the logs: the error names their folder
    await stopProcesses()
    throw e
  }
  return { baseUrl, apiKey, nodeId, logDir, processes, startAgent, stop }
}
