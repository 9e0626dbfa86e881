// A private database node for tests: its own MariaDB under a unique root, on a free loopback port,
// with its dump listener on another; everything is stopped (by PID) and removed after. Several
// run side by side on one machine.
import { mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { type DatabaseNodeConfig, databaseNodeConfigFromEnv, stopDatabaseServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { type Connection, createConnection } from "mysql2/promise"

export interface TestDatabaseNode {
  readonly root: string
  readonly port: number
  readonly env: NodeJS.ProcessEnv
  readonly config: DatabaseNodeConfig
  /** Stops mariadbd and removes the root. */
  cleanup(): Promise<void>
}

const TEST_ROOT = "/var/lib/hosting-test"

export const makeTestDatabaseNode = async (): Promise<TestDatabaseNode> => {
  const tag = `m${Math.random().toString(36).slice(2, 8)}`
  const root = join(TEST_ROOT, tag)
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  const port = await freePort()
  const env = {
    HOSTING_AGENT_ROLES: "database",
    HOSTING_NODE_ROOT: root,
    HOSTING_MARIADB_HOST: "127.0.0.1",
    HOSTING_MARIADB_PORT: String(port),
    HOSTING_MARIADB_BUFFER_POOL_MB: "16",
  }
  const cleanup = async () => {
    await stopDatabaseServices(root)
    rmSync(root, { recursive: true, force: true })
  }
  return { root, port, env, config: databaseNodeConfigFromEnv(env), cleanup }
}

/** A TCP login as an application would make it (mysql2), or the server's refusal. */
export const login = (
  port: number,
  user: string,
  password: string,
  database?: string,
  host = "127.0.0.1",
): Promise<Connection> =>
  createConnection({
    host,
    port,
    user,
    password,
    ...(database === undefined ? {} : { database }),
    connectTimeout: 10_000,
  })

/** The server's error number of a refused promise (1044, 1045, 1142, 4151, ...). */
export const errnoOf = async (p: Promise<unknown>): Promise<number | string> => {
  try {
    const c = await p
    if (c !== null && typeof c === "object" && "end" in c) await (c as Connection).end()
    return "ok"
  } catch (e) {
    return (e as { errno?: number }).errno ?? String(e)
  }
}
