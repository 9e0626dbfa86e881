// A private LB node for tests: its own root, HTTP port and HAProxy, stopped by PID and removed
// afterwards; and small HTTP servers standing in for web nodes.
import { rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { join } from "node:path"
import { stopLbServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"

export interface TestLbNode {
  readonly root: string
  readonly httpPort: number
  readonly env: NodeJS.ProcessEnv
  /** Stops this node's HAProxy and removes its files. */
  cleanup(): Promise<void>
}

const TEST_ROOT = "/var/lib/hosting-test"

export const makeTestLbNode = async (): Promise<TestLbNode> => {
  const tag = Math.random().toString(36).slice(2, 8)
  const root = join(TEST_ROOT, `lb-${tag}`)
  const httpPort = await freePort()
  const env = {
    HOSTING_AGENT_ROLES: "lb",
    HOSTING_LB_ROOT: root,
    HOSTING_LB_HTTP_HOST: "127.0.0.1",
    HOSTING_LB_HTTP_PORT: String(httpPort),
  }
  const cleanup = async () => {
    await stopLbServices(root)
    rmSync(root, { recursive: true, force: true })
  }
  return { root, httpPort, env, cleanup }
}

/** An HTTP server answering `{name} {Host header}`: a web node whose answers say who served. */
export const startNamedServer = async (name: string, host = "127.0.0.1"): Promise<{ port: number; server: Server }> => {
  const port = await freePort()
  const server = createServer((req, res) => {
    res.setHeader("content-type", "text/plain")
    res.end(`${name} ${req.headers.host ?? ""}`)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, resolve)
  })
  return { port, server }
}
