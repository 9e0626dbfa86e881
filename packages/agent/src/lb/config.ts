import { ipFamily, type LbLayout, lbPaths, pathSetting, portSetting, readSettings } from "@hosting/core/node"
import { Config } from "effect"

/** Everything the LB role of one agent needs to know about its machine. */
export interface LbNodeConfig {
  readonly layout: LbLayout
  /** haproxy executable. */
  readonly binary: string
}

/**
 * The LB-node settings: its own root (config, map, admin socket, pid file) and HTTP address, so
 * several agents and tests can share a machine.
 */
export const LbNodeSettings: Config.Config<LbNodeConfig> = Config.all({
  root: pathSetting("HOSTING_LB_ROOT", "/var/lib/hosting/lb").pipe(
    // a unix socket path is limited to 108 bytes
    Config.validate({
      message: "HOSTING_LB_ROOT: is too long for HAProxy's admin socket",
      validation: (root) => lbPaths(root).socket.length <= 100,
    }),
  ),
  host: Config.string("HOSTING_LB_HTTP_HOST").pipe(
    Config.withDefault("0.0.0.0"),
    Config.validate({
      message: "HOSTING_LB_HTTP_HOST: must be an IPv4 or IPv6 address",
      validation: (h) => ipFamily(h) !== undefined,
    }),
  ),
  port: portSetting("HOSTING_LB_HTTP_PORT", 80),
  binary: Config.string("HOSTING_HAPROXY_BINARY").pipe(Config.withDefault("/usr/sbin/haproxy")),
}).pipe(Config.map((s) => ({ layout: { root: s.root, listen: { host: s.host, port: s.port } }, binary: s.binary })))

/** The LB-node settings from an environment (the process's own by default). */
export const lbNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): LbNodeConfig =>
  readSettings(LbNodeSettings, env)
