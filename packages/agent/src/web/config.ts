import { isAbsolute } from "node:path"
import type { NodeLayout } from "@hosting/core/node"
import { intFromEnv } from "../env.js"

/** Everything the web tier of one agent needs to know about its machine. */
export interface WebNodeConfig {
  readonly layout: NodeLayout
  /** sshd port for tenants' SFTP. */
  readonly sshPort: number
  /** UIDs (and GIDs) of tenant users are taken from this range. */
  readonly uidMin: number
  readonly uidMax: number
  /** Listener other nodes download migrating tenants' files from (port 0: any free port). */
  readonly transfer: { readonly host: string; readonly port: number }
  /** User nginx workers run as; it gets read access to webroots through ACLs. */
  readonly webUser: string
  readonly binaries: {
    readonly nginx: string
    readonly phpFpm: string
    readonly sshd: string
    readonly node: string
    readonly python: string
    readonly ruby: string
  }
}

/**
 * Reads the web-node settings from the environment. Several agents can share a machine (tests,
 * two shards for migration) when each has its own root, ports, user prefix and UID range.
 */
export const webNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): WebNodeConfig => {
  const root = env.HOSTING_NODE_ROOT ?? "/var/lib/hosting/node"
  if (!isAbsolute(root) || !/^(\/[A-Za-z0-9._-]+)+$/.test(root) || root.startsWith("/tmp/"))
    throw new Error("HOSTING_NODE_ROOT must be an absolute path outside /tmp (sshd refuses chroots under /tmp)")
  const userPrefix = env.HOSTING_USER_PREFIX ?? ""
  if (!/^([a-z][a-z0-9]{0,14}_)?$/.test(userPrefix))
    throw new Error("HOSTING_USER_PREFIX must be empty or [a-z][a-z0-9]{0,14} followed by _")
  const uidMin = intFromEnv(env, "HOSTING_UID_MIN", 200_000, 1000, 2 ** 31 - 2)
  const uidMax = intFromEnv(env, "HOSTING_UID_MAX", 299_999, uidMin, 2 ** 31 - 2)
  return {
    layout: {
      root,
      listen: {
        host: env.HOSTING_HTTP_HOST ?? "127.0.0.1",
        port: intFromEnv(env, "HOSTING_HTTP_PORT", 8000, 1, 65535),
      },
      httpsPort: intFromEnv(env, "HOSTING_HTTPS_PORT", 8443, 1, 65535),
      ...(env.HOSTING_HTTPS_PUBLIC_PORT === undefined
        ? {}
        : { httpsPublicPort: intFromEnv(env, "HOSTING_HTTPS_PUBLIC_PORT", 443, 1, 65535) }),
      userPrefix,
      fastcgiParams: env.HOSTING_NGINX_FASTCGI_PARAMS ?? "/etc/nginx/fastcgi_params",
    },
    sshPort: intFromEnv(env, "HOSTING_SSH_PORT", 2222, 1, 65535),
    transfer: {
      host: env.HOSTING_TRANSFER_HOST ?? env.HOSTING_HTTP_HOST ?? "127.0.0.1",
      port: intFromEnv(env, "HOSTING_TRANSFER_PORT", 0, 0, 65535),
    },
    uidMin,
    uidMax,
    webUser: env.HOSTING_WEB_USER ?? "www-data",
    binaries: {
      nginx: env.HOSTING_NGINX_BINARY ?? "/usr/sbin/nginx",
      phpFpm: env.HOSTING_PHP_FPM_BINARY ?? "/usr/sbin/php-fpm8.2",
      sshd: "/usr/sbin/sshd",
      node: env.HOSTING_NODE_BINARY ?? "/usr/bin/node",
      python: "/usr/bin/python3",
      ruby: "/usr/bin/ruby",
    },
  }
}
