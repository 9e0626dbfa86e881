// A private DNS node for tests: PowerDNS on its own database on the test PostgreSQL server, its
// own root, DNS port and API port on loopback; everything is stopped (by PID) and dropped after.
import { execFileSync } from "node:child_process"
import { mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { stopDnsServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createTestDatabase } from "./postgres.js"

export interface TestDnsNode {
  readonly root: string
  readonly dnsPort: number
  readonly apiPort: number
  readonly databaseUrl: string
  readonly env: NodeJS.ProcessEnv
  /** Stops PowerDNS, drops its database and removes its root. */
  cleanup(): Promise<void>
}

const TEST_ROOT = "/var/lib/hosting-test"

export const makeTestDnsNode = async (adminUrl: string): Promise<TestDnsNode> => {
  const tag = `d${Math.random().toString(36).slice(2, 8)}`
  const root = join(TEST_ROOT, tag)
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  const db = await createTestDatabase(adminUrl, "hp_pdns")
  const [dnsPort, apiPort] = [await freePort(), await freePort()]
  const env = {
    HOSTING_AGENT_ROLES: "dns",
    HOSTING_NODE_ROOT: root,
    HOSTING_DNS_HOST: "127.0.0.1",
    HOSTING_DNS_PORT: String(dnsPort),
    HOSTING_PDNS_API_PORT: String(apiPort),
    HOSTING_PDNS_DATABASE_URL: db.url,
  }
  const cleanup = async () => {
    await stopDnsServices(root)
    await db.drop()
    rmSync(root, { recursive: true, force: true })
  }
  return { root, dnsPort, apiPort, databaseUrl: db.url, env, cleanup }
}

/** `dig +short` against a loopback DNS port: the answer lines, sorted. */
export const dig = (port: number, name: string, type: string): Array<string> =>
  execFileSync("dig", ["@127.0.0.1", "-p", String(port), "+short", "+time=2", "+tries=2", name, type], {
    encoding: "utf8",
    timeout: 15_000,
  })
    .split("\n")
    .filter((l) => l !== "")
    .sort()

/** The full answer of `dig` (header flags and status), for NXDOMAIN and authority checks. */
export const digStatus = (port: number, name: string, type: string): string => {
  const out = execFileSync("dig", ["@127.0.0.1", "-p", String(port), "+time=2", "+tries=2", name, type], {
    encoding: "utf8",
    timeout: 15_000,
  })
  return /status: ([A-Z]+)/.exec(out)?.[1] ?? "?"
}
