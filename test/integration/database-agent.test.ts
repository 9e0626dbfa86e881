// The database role in the real agent process (`HOSTING_AGENT_ROLES=database`): the agent brings
// its MariaDB up, and a restarted agent, even one killed with SIGKILL, adopts the same mariadbd
// instead of starting another; applications' logins and data carry on throughout.
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseNode, mariadbPid } from "@hosting/agent"
import { mysqlNativePasswordHash } from "@hosting/core/node"
import { GiveUp, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { login, makeTestDatabaseNode, type TestDatabaseNode } from "../support/database-node.js"

const require = createRequire(import.meta.url)
let node: TestDatabaseNode
let agent: ServiceProcess | undefined
const logDir = mkdtempSync(join(tmpdir(), "database-agent-"))
const nodeId = randomUUID()

const startAgent = async () => {
  const logFile = join(logDir, `agent-${Date.now()}.log`)
  const p = startProcess({
    name: "agent",
    command: process.execPath,
    args: [require.resolve("@hosting/agent/main")],
    env: {
      ...process.env,
      ...node.env,
      HOSTING_NODE_ID: nodeId,
      HOSTING_TEMPORAL_ADDRESS: inject("temporalAddress"),
    },
    logFile,
  })
  await waitFor(
    `the agent to poll (log: ${logFile})`,
    async () => {
      if (p.child.exitCode !== null) throw new GiveUp(readFileSync(logFile, "utf8"))
      return readFileSync(logFile, "utf8").includes(`polling node-${nodeId}`)
    },
    60_000,
    50,
  )
  return p
}

beforeAll(async () => {
  node = await makeTestDatabaseNode()
}, 60_000)

afterAll(async () => {
  await agent?.stop()
  await node?.cleanup()
  rmSync(logDir, { recursive: true, force: true })
})

describe("the database role in the agent process", () => {
  it("starts MariaDB, and a restarted agent (SIGKILLed or stopped) adopts the same server", async () => {
    agent = await startAgent()
    const pid = mariadbPid(node.root)
    expect(pid).toBeTypeOf("number")

    const db = new DatabaseNode(node.config)
    await db.ensureDatabase({
      name: "db_agent00001",
      charset: "utf8mb4",
      collation: "utf8mb4_unicode_ci",
      users: [
        {
          name: "db_agent00001_app",
          password_hash: mysqlNativePasswordHash("app pw"),
          privileges: "all",
          locked: false,
        },
      ],
    })
    await db.close()
    const app = await login(node.port, "db_agent00001_app", "app pw", "db_agent00001")
    await app.query("CREATE TABLE t (id INT PRIMARY KEY)")
    await app.query("INSERT INTO t VALUES (1), (2)")

    await agent.stop(10_000, "SIGKILL")
    // the server outlives its agent, and the application's connection with it
    expect(mariadbPid(node.root)).toBe(pid)
    expect((await app.query("SELECT COUNT(*) AS n FROM t"))[0]).toEqual([{ n: 2 }])

    agent = await startAgent()
    expect(mariadbPid(node.root)).toBe(pid)
    await agent.stop()
    agent = await startAgent()
    expect(mariadbPid(node.root)).toBe(pid)
    expect((await app.query("SELECT COUNT(*) AS n FROM t"))[0]).toEqual([{ n: 2 }])
    await app.end()
  })
})
