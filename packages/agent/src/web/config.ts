import { intSetting, type NodeLayout, pathSetting, portSetting, readSettings, stringSetting } from "@hosting/core/node"
import { Config } from "effect"

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

const UID_LIMIT = 2 ** 31 - 2

/**
 * The web-node settings. Several agents can share a machine (tests, two shards for migration)
 * when each has its own root, ports, user prefix and UID range.
 */
export const WebNodeSettings: Config.Config<WebNodeConfig> = Config.all({
  root: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/node").pipe(
    Config.validate({
      message: "HOSTING_NODE_ROOT: must be outside /tmp (sshd refuses chroots under /tmp)",
      validation: (root) => !root.startsWith("/tmp/"),
    }),
  ),
  userPrefix: stringSetting("HOSTING_USER_PREFIX", "", {
    re: /^([a-z][a-z0-9]{0,14}_)?$/,
    message: "must be empty or [a-z][a-z0-9]{0,14} followed by _",
  }),
  uidMin: intSetting("HOSTING_UID_MIN", 200_000, 1000, UID_LIMIT),
  uidMax: intSetting("HOSTING_UID_MAX", 299_999, 1000, UID_LIMIT),
  httpHost: Config.string("HOSTING_HTTP_HOST").pipe(Config.withDefault("127.0.0.1")),
  httpPort: portSetting("HOSTING_HTTP_PORT", 8000),
  httpsPort: portSetting("HOSTING_HTTPS_PORT", 8443),
  httpsPublicPort: Config.option(Config.port("HOSTING_HTTPS_PUBLIC_PORT")),
  fastcgiParams: Config.string("HOSTING_NGINX_FASTCGI_PARAMS").pipe(Config.withDefault("/etc/nginx/fastcgi_params")),
  sshPort: portSetting("HOSTING_SSH_PORT", 2222),
  transferHost: Config.option(Config.string("HOSTING_TRANSFER_HOST")),
  transferPort: intSetting("HOSTING_TRANSFER_PORT", 0, 0, 65535),
  webUser: Config.string("HOSTING_WEB_USER").pipe(Config.withDefault("www-data")),
  nginx: Config.string("HOSTING_NGINX_BINARY").pipe(Config.withDefault("/usr/sbin/nginx")),
  phpFpm: Config.string("HOSTING_PHP_FPM_BINARY").pipe(Config.withDefault("/usr/sbin/php-fpm8.2")),
  node: Config.string("HOSTING_NODE_BINARY").pipe(Config.withDefault("/usr/bin/node")),
}).pipe(
  Config.validate({
    message: "HOSTING_UID_MAX must not be below HOSTING_UID_MIN",
    validation: (s) => s.uidMax >= s.uidMin,
  }),
  Config.map(
    (s): WebNodeConfig => ({
      layout: {
        root: s.root,
        listen: { host: s.httpHost, port: s.httpPort },
        httpsPort: s.httpsPort,
        ...(s.httpsPublicPort._tag === "Some" ? { httpsPublicPort: s.httpsPublicPort.value } : {}),
        userPrefix: s.userPrefix,
        fastcgiParams: s.fastcgiParams,
      },
      sshPort: s.sshPort,
      transfer: { host: s.transferHost._tag === "Some" ? s.transferHost.value : s.httpHost, port: s.transferPort },
      uidMin: s.uidMin,
      uidMax: s.uidMax,
      webUser: s.webUser,
      binaries: {
        nginx: s.nginx,
        phpFpm: s.phpFpm,
        sshd: "/usr/sbin/sshd",
        node: s.node,
        python: "/usr/bin/python3",
        ruby: "/usr/bin/ruby",
      },
    }),
  ),
)

/** The web-node settings from an environment (the process's own by default). */
export const webNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): WebNodeConfig =>
  readSettings(WebNodeSettings, env)
