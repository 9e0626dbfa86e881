import { isAbsolute } from "node:path"
import { ipFamily, type LbLayout, lbPaths } from "@hosting/core/node"
import { intFromEnv } from "../env.js"

/** Everything the LB role of one agent needs to know about its machine. */
export interface LbNodeConfig {
  readonly layout: LbLayout
  /** haproxy executable. */
  readonly binary: string
}

/**
 * Reads the LB-node settings from the environment: its own root (config, map, admin socket, pid
 * file) and HTTP address, so several agents and tests can share a machine.
 */
export const lbNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): LbNodeConfig => {
  const root = env.HOSTING_LB_ROOT ?? "/var/lib/hosting/lb"
  if (!isAbsolute(root) || !/^(\/[A-Za-z0-9._-]+)+$/.test(root))
    throw new Error("HOSTING_LB_ROOT must be an absolute path of [A-Za-z0-9._-] segments")
  // a unix socket path is limited to 108 bytes
  if (lbPaths(root).socket.length > 100) throw new Error("HOSTING_LB_ROOT is too long for HAProxy's admin socket")
  const host = env.HOSTING_LB_HTTP_HOST ?? "0.0.0.0"
  if (ipFamily(host) === undefined) throw new Error("HOSTING_LB_HTTP_HOST must be an IPv4 or IPv6 address")
  return {
    layout: { root, listen: { host, port: intFromEnv(env, "HOSTING_LB_HTTP_PORT", 80, 1, 65535) } },
    binary: env.HOSTING_HAPROXY_BINARY ?? "/usr/sbin/haproxy",
  }
}
