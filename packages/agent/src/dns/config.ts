import { ipFamily, pathSetting, portSetting, readSettings, stringSetting } from "@hosting/core/node"
import { Config, ConfigError, Either, Redacted } from "effect"

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

const databaseFromUrl = (raw: string): DnsNodeConfig["database"] => {
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
 * The DNS-node settings. The root is shared with the web role when an agent serves both; ports
 * are configuration so several agents (tests) share a machine.
 */
export const DnsNodeSettings: Config.Config<DnsNodeConfig> = Config.all({
  root: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/node"),
  host: Config.string("HOSTING_DNS_HOST").pipe(
    Config.withDefault("127.0.0.1"),
    Config.validate({
      message: "HOSTING_DNS_HOST: must be an IP address",
      validation: (h) => ipFamily(h) !== undefined,
    }),
  ),
  port: portSetting("HOSTING_DNS_PORT", 53),
  apiPort: portSetting("HOSTING_PDNS_API_PORT", 8081),
  // a secret (it holds PowerDNS's database password): redacted wherever the setting is shown
  databaseUrl: Config.redacted("HOSTING_PDNS_DATABASE_URL"),
  runAs: stringSetting("HOSTING_PDNS_USER", "pdns", { re: /^[a-z_][a-z0-9_-]{0,31}$/, message: "must be a user name" }),
  pdnsServer: Config.string("HOSTING_PDNS_BINARY").pipe(Config.withDefault("/usr/sbin/pdns_server")),
  psql: Config.string("HOSTING_PSQL_BINARY").pipe(Config.withDefault("psql")),
  schemaFile: Config.string("HOSTING_PDNS_SCHEMA").pipe(
    Config.withDefault("/usr/share/doc/pdns-backend-pgsql/schema.pgsql.sql"),
  ),
}).pipe(
  Config.mapOrFail((s) => {
    try {
      return Either.right({
        root: s.root,
        listen: { host: s.host, port: s.port },
        apiPort: s.apiPort,
        database: databaseFromUrl(Redacted.value(s.databaseUrl)),
        runAs: process.getuid?.() === 0 ? s.runAs : null,
        binaries: { pdnsServer: s.pdnsServer, psql: s.psql },
        schemaFile: s.schemaFile,
      })
    } catch (e) {
      const message = (e as Error).message.replace(/^HOSTING_PDNS_DATABASE_URL:? /, "")
      return Either.left(ConfigError.InvalidData(["HOSTING_PDNS_DATABASE_URL"], message))
    }
  }),
)

/** The DNS-node settings from an environment (the process's own by default). */
export const dnsNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): DnsNodeConfig =>
  readSettings(DnsNodeSettings, env)
