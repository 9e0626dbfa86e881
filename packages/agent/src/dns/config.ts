import { isAbsolute } from "node:path"
import { intFromEnv } from "../env.js"

/** Everything the DNS role of one agent needs to know about its machine. */
export interface DnsNodeConfig {
  /** The node's root directory; PowerDNS lives in `<root>/pdns`. */
  readonly root: string
  /** Where PowerDNS answers DNS queries (UDP and TCP). */
  readonly listen: { readonly host: string; readonly port: number }
  /** PowerDNS's HTTP API, always on loopback. */
  readonly apiPort: number
  /** PowerDNS's own PostgreSQL database (gpgsql backend). */
  readonly database: {
    readonly host: string
    readonly port: number
    readonly dbname: string
    readonly user: string
    readonly password: string
  }
  /** User PowerDNS drops to after binding its ports (when the agent runs as root). */
  readonly runAs: string | null
  readonly binaries: { readonly pdnsServer: string; readonly psql: string }
  /** The gpgsql schema Debian ships with pdns-backend-pgsql. */
  readonly schemaFile: string
}

// Values that go into pdns.conf (one `key=value` per line): nothing that could end a line, start a
// comment or be trimmed away.
const SAFE = /^[A-Za-z0-9._:@%+=~!*()^$&/-]*$/

const databaseFromUrl = (raw: string | undefined): DnsNodeConfig["database"] => {
  if (raw === undefined || raw === "")
    throw new Error("HOSTING_PDNS_DATABASE_URL is required for the dns role (postgres://user:password@host:port/db)")
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new Error("HOSTING_PDNS_DATABASE_URL must be a postgres:// URL")
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new Error("HOSTING_PDNS_DATABASE_URL must be a postgres:// URL")
  const db = {
    host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: url.port === "" ? 5432 : Number(url.port),
    dbname: decodeURIComponent(url.pathname.replace(/^\//, "")),
    user: decodeURIComponent(url.username) || "postgres",
    password: decodeURIComponent(url.password),
  }
  if (db.dbname === "") throw new Error("HOSTING_PDNS_DATABASE_URL must name a database")
  for (const [k, v] of Object.entries(db))
    if (!SAFE.test(String(v)))
      throw new Error(`HOSTING_PDNS_DATABASE_URL: the ${k} has characters pdns.conf cannot hold`)
  return db
}

/**
 * Reads the DNS-node settings from the environment. The root is shared with the web role when an
 * agent serves both; ports are configuration so several agents (tests) share a machine.
 */
export const dnsNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): DnsNodeConfig => {
  const root = env.HOSTING_NODE_ROOT ?? "/var/lib/hosting/node"
  if (!isAbsolute(root) || !/^(\/[A-Za-z0-9._-]+)+$/.test(root))
    throw new Error("HOSTING_NODE_ROOT must be an absolute path of letters, digits, '.', '_' and '-'")
  const host = env.HOSTING_DNS_HOST ?? "127.0.0.1"
  if (!/^[0-9a-fA-F.:]+$/.test(host)) throw new Error("HOSTING_DNS_HOST must be an IP address")
  const runAs = env.HOSTING_PDNS_USER ?? "pdns"
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(runAs)) throw new Error("HOSTING_PDNS_USER must be a user name")
  return {
    root,
    listen: { host, port: intFromEnv(env, "HOSTING_DNS_PORT", 53, 1, 65535) },
    apiPort: intFromEnv(env, "HOSTING_PDNS_API_PORT", 8081, 1, 65535),
    database: databaseFromUrl(env.HOSTING_PDNS_DATABASE_URL),
    runAs: process.getuid?.() === 0 ? runAs : null,
    binaries: {
      pdnsServer: env.HOSTING_PDNS_BINARY ?? "/usr/sbin/pdns_server",
      psql: env.HOSTING_PSQL_BINARY ?? "psql",
    },
    schemaFile: env.HOSTING_PDNS_SCHEMA ?? "/usr/share/doc/pdns-backend-pgsql/schema.pgsql.sql",
  }
}
