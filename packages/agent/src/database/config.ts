import { intSetting, ipFamily, pathSetting, portSetting, readSettings, stringSetting } from "@hosting/core/node"
import { Config } from "effect"

/** Everything the database role of one agent needs to know about its machine. */
export interface DatabaseNodeConfig {
  /** The node's root directory; MariaDB lives in `<root>/mariadb`. */
  readonly root: string
  /** Where MariaDB listens for applications (TCP); the agent itself uses the socket. */
  readonly listen: { readonly host: string; readonly port: number }
  /** Listener other database nodes download migrating databases' dumps from (port 0: any free port). */
  readonly transfer: { readonly host: string; readonly port: number }
  /** User mariadbd runs as (when the agent runs as root). */
  readonly runAs: string | null
  /** InnoDB's buffer pool, in MiB. */
  readonly bufferPoolMb: number
  /**
   * The server's replication id (1..2^32-1), unique among a shard's nodes: derived from the node
   * id (the root's path when there is none, as in tests), so it never changes for a node.
   */
  readonly serverId: number
  readonly binaries: {
    readonly mariadbd: string
    readonly installDb: string
    readonly client: string
    readonly dump: string
  }
}

/**
 * A stable replication server id from a node's identity: FNV-1a (32 bits) of it, never 0 (which
 * MariaDB refuses for replication). Two nodes of one shard collide with odds of 1 in 4·10⁹; a
 * replica whose id equals its source's is refused by the server and shows the error in its status.
 */
export const serverIdOf = (identity: string): number => {
  let h = 0x811c9dc5
  for (const byte of new TextEncoder().encode(identity)) h = Math.imul(h ^ byte, 0x01000193) >>> 0
  return h === 0 ? 1 : h
}

/**
 * The database-node settings. The root is shared with the other roles when an agent serves
 * several; ports are configuration so several agents (tests) share a machine.
 */
export const DatabaseNodeSettings: Config.Config<DatabaseNodeConfig> = Config.all({
  root: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/node"),
  host: Config.string("HOSTING_MARIADB_HOST").pipe(
    Config.withDefault("127.0.0.1"),
    Config.validate({
      message: "HOSTING_MARIADB_HOST: must be an IP address",
      validation: (h) => ipFamily(h) !== undefined,
    }),
  ),
  port: portSetting("HOSTING_MARIADB_PORT", 3306),
  transferHost: Config.option(Config.string("HOSTING_TRANSFER_HOST")),
  transferPort: intSetting("HOSTING_MARIADB_TRANSFER_PORT", 0, 0, 65535),
  runAs: stringSetting("HOSTING_MARIADB_USER", "mysql", {
    re: /^[a-z_][a-z0-9_-]{0,31}$/,
    message: "must be a user name",
  }),
  bufferPoolMb: intSetting("HOSTING_MARIADB_BUFFER_POOL_MB", 128, 8, 1_048_576),
  nodeId: Config.option(Config.string("HOSTING_NODE_ID")),
  binDir: pathSetting("HOSTING_MARIADB_BIN_DIR", "/usr/bin"),
  mariadbd: pathSetting("HOSTING_MARIADBD_BINARY", "/usr/sbin/mariadbd"),
}).pipe(
  Config.map(
    (s): DatabaseNodeConfig => ({
      root: s.root,
      listen: { host: s.host, port: s.port },
      transfer: { host: s.transferHost._tag === "Some" ? s.transferHost.value : s.host, port: s.transferPort },
      runAs: process.getuid?.() === 0 ? s.runAs : null,
      bufferPoolMb: s.bufferPoolMb,
      serverId: serverIdOf(s.nodeId._tag === "Some" ? s.nodeId.value : s.root),
      binaries: {
        mariadbd: s.mariadbd,
        installDb: `${s.binDir}/mariadb-install-db`,
        client: `${s.binDir}/mariadb`,
        dump: `${s.binDir}/mariadb-dump`,
      },
    }),
  ),
)

/** The database-node settings from an environment (the process's own by default). */
export const databaseNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): DatabaseNodeConfig =>
  readSettings(DatabaseNodeSettings, env)
