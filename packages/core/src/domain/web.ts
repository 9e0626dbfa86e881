import { Schema } from "effect"
import { PemText } from "./certificates.js"
import { GeneratedName } from "./names.js"
import {
  APP_RUNTIMES,
  DEFAULT_ENTRYPOINT,
  Entrypoint,
  RuntimeVersion,
  SshPublicKeyLine,
  TenantName,
  WebRuntime,
  WebrootName,
} from "./tenancy.js"
import { Hostname } from "./validation.js"

/**
 * Web-tier planning: what a web node's nginx must contain, as data. Everything a site contributes
 * to a config file is allow-listed by these Schemas and quoted by the renderer, so no request
 * field can add a directive.
 */

/** An absolute path the platform itself builds (tenant home + webroot); no `..`, no whitespace. */
export const SitePath = Schema.String.pipe(
  Schema.maxLength(4096),
  Schema.pattern(/^(\/[A-Za-z0-9._-]+)+$/),
  Schema.filter((p) => !p.split("/").some((seg) => seg === ".." || seg === ".") || "must not contain . or .. segments"),
  Schema.annotations({ title: "SitePath" }),
)

/** A static site: its server names and document root. */
export const StaticSite = Schema.Struct({
  name: GeneratedName("webroot"),
  server_names: Schema.Array(Hostname).pipe(Schema.minItems(1), Schema.maxItems(100)),
  root: SitePath,
})
/** A static site. */
export type StaticSite = typeof StaticSite.Type

/** Where the node's nginx listens for the platform's sites. */
export interface NginxListen {
  readonly host: string
  readonly port: number
}

/** Files the platform owns in nginx's site directory start with this; nothing else is touched. */
export const PLATFORM_FILE_PREFIX = "hp-"

/** One file the node must have, byte for byte. */
export interface PlannedFile {
  readonly file: string
  readonly content: string
}

// Server names and paths are allow-listed already; quoting keeps nginx from reading anything in
// them as syntax even if a rule were loosened later.
const quote = (s: string) => `"${s.replace(/["\\$]/g, (c) => `\\${c}`)}"`

/** The server block of one static site. */
export const renderStaticSite = (site: StaticSite, listen: NginxListen): string =>
  [
    `# managed by the hosting platform: ${site.name} (edits are overwritten)`,
    "server {",
    `    listen ${listen.host}:${listen.port};`,
    `    server_name ${site.server_names.map((n) => n.replace(/\.$/, "")).join(" ")};`,
    `    root ${quote(site.root)};`,
    "    index index.html index.htm;",
    "    location / {",
    "        try_files $uri $uri/ =404;",
    "    }",
    "}",
    "",
  ].join("\n")

/** The platform-owned files for a set of sites; the same input always gives the same files. */
export const planStaticSites = (sites: ReadonlyArray<StaticSite>, listen: NginxListen): ReadonlyArray<PlannedFile> =>
  [...sites]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((site) => ({ file: `${PLATFORM_FILE_PREFIX}${site.name}.conf`, content: renderStaticSite(site, listen) }))

// ---------------------------------------------------------------------------------------------
// Tenants on a web node. The control plane reads a tenant's rows and sends this spec to every
// node of its shard; the agent decodes it again (defence in depth) and plans files from it here.

/** One webroot as a node sees it: how to serve it, and the names it answers to. */
export const WebrootSpec = Schema.Struct({
  name: WebrootName,
  runtime: WebRuntime,
  runtime_version: Schema.NullOr(RuntimeVersion),
  entrypoint: Schema.NullOr(Entrypoint),
  numprocs: Schema.Int.pipe(Schema.between(1, 8)),
  server_names: Schema.Array(Hostname).pipe(Schema.maxItems(1000)),
})
/** One webroot as a node sees it. */
export type WebrootSpec = typeof WebrootSpec.Type

/** The TLS certificate (chain, leaf first) and key nginx serves for one bound host name. */
export const CertificateSpec = Schema.Struct({
  hostname: Hostname,
  certificate_pem: PemText,
  private_key_pem: PemText,
  /** Plain HTTP for this name answers 301 to HTTPS (ACME challenges still answered over HTTP). */
  https_redirect: Schema.optional(Schema.Boolean),
})
/** The TLS material of one host name. */
export type CertificateSpec = typeof CertificateSpec.Type

/** Desired state of one tenant on a web node. */
export const TenantSpec = Schema.Struct({
  name: TenantName,
  suspended: Schema.Boolean,
  webroots: Schema.Array(WebrootSpec).pipe(Schema.maxItems(1000)),
  ssh_keys: Schema.Array(SshPublicKeyLine).pipe(Schema.maxItems(1000)),
  /** At most one per bound host name; a name without one is served over HTTP only. */
  certificates: Schema.optional(Schema.Array(CertificateSpec).pipe(Schema.maxItems(1000))),
})
/** Desired state of one tenant on a web node. */
export type TenantSpec = typeof TenantSpec.Type

/** Where a node keeps everything; configuration of the agent, so several agents share a machine. */
export interface NodeLayout {
  /** Root directory; every component root-owned and not group/other-writable (sshd chroot rule). */
  readonly root: string
  readonly listen: NginxListen
  /** Port of the HTTPS server blocks (same host as `listen`); 8443 when absent. */
  readonly httpsPort?: number
  /**
   * The HTTPS port clients use, for redirects (443 in production, where a port forward or the
   * LB sits in front); `httpsPort` when absent.
   */
  readonly httpsPublicPort?: number
  /** Prepended to tenant names to form Linux user names (empty in production). */
  readonly userPrefix: string
  /** nginx's fastcgi_params file. */
  readonly fastcgiParams: string
}

/** Linux user (and group) of a tenant on a node. */
export const linuxUser = (layout: NodeLayout, tenant: string): string => `${layout.userPrefix}${tenant}`
/** The tenant's home: root-owned 0750 with the tenant's group, the SFTP chroot. */
export const tenantHome = (layout: NodeLayout, user: string): string => `${layout.root}/home/${user}`
/** A webroot's directory on the node. */
export const webrootDir = (layout: NodeLayout, user: string, webroot: string): string =>
  `${tenantHome(layout, user)}/webroots/${webroot}`
/** The PHP-FPM socket of a tenant's pool for one PHP version. */
export const phpSocket = (layout: NodeLayout, user: string, version: string): string =>
  `${layout.root}/php/run/${user}-${version}.sock`
/** Default port of the HTTPS server blocks. */
export const DEFAULT_HTTPS_PORT = 8443
/** Directory of the TLS certificates and keys nginx serves. */
export const certsDir = (layout: NodeLayout): string => `${layout.root}/nginx/certs`
/** File names (without `.crt`/`.key`) of a tenant's certificates all start with this. */
export const tenantCertPrefix = (user: string): string => `${user}.`
/** Certificate (`.crt`) and key (`.key`) files of one host name of a tenant on a node. */
export const certFiles = (layout: NodeLayout, user: string, hostname: string) => {
  const base = `${certsDir(layout)}/${tenantCertPrefix(user)}${hostname.replace(/\.$/, "").toLowerCase()}`
  return { certificate: `${base}.crt`, key: `${base}.key` }
}
/**
 * Where ACME HTTP-01 challenge responses live on a node: every server block answers
 * `/.well-known/acme-challenge/` from here, so a tenant's own files can neither serve nor spoil a
 * challenge.
 */
export const acmeRoot = (layout: NodeLayout): string => `${layout.root}/acme`
/** Directory of the challenge files (the `.well-known/acme-challenge` under `acmeRoot`). */
export const acmeChallengeDir = (layout: NodeLayout): string => `${acmeRoot(layout)}/.well-known/acme-challenge`

/** An ACME HTTP-01 challenge response a node serves: the token (file name) and key authorization. */
export const AcmeChallenge = Schema.Struct({
  token: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}$/)),
  key_authorization: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/)),
})
/** An ACME HTTP-01 challenge response. */
export type AcmeChallenge = typeof AcmeChallenge.Type

/** Platform nginx file names of a tenant all start with this. */
export const tenantSitePrefix = (user: string): string => `${PLATFORM_FILE_PREFIX}${user}.`
/** Platform PHP-FPM pool file names of a tenant all start with this. */
export const tenantPoolPrefix = (user: string): string => `${PLATFORM_FILE_PREFIX}${user}-`

const serverNames = (names: ReadonlyArray<string>) => names.map((n) => n.replace(/\.$/, "")).join(" ")

const header = (tenant: string, webroot: string) =>
  `# managed by the hosting platform: ${tenant}/${webroot} (edits are overwritten)`

const SUSPENDED_PAGE =
  "<!doctype html><title>Site suspended</title><h1>This site is suspended</h1><p>Please contact your hosting provider.</p>\\n"

/**
 * The server block of one webroot on one node. `appPort` is the local port of the webroot's app
 * process (node/python/ruby), allocated by the agent.
 */
export const renderWebroot = (
  layout: NodeLayout,
  spec: TenantSpec,
  webroot: WebrootSpec,
  appPort: number | undefined,
): string => {
  const user = linuxUser(layout, spec.name)
  const plain = (name: string) => name.replace(/\.$/, "").toLowerCase()
  const names = new Set(webroot.server_names.map(plain))
  const certs = new Map((spec.certificates ?? []).map((c) => [plain(c.hostname), c] as const))
  const tls = [...certs.keys()].filter((h) => names.has(h)).sort()
  const redirected = new Set(tls.filter((h) => certs.get(h)?.https_redirect === true))
  const httpNames = webroot.server_names.filter((n) => !redirected.has(plain(n)))
  const httpListen = [`    listen ${layout.listen.host}:${layout.listen.port};`]
  const blocks = [
    header(spec.name, webroot.name),
    ...(httpNames.length > 0 || redirected.size === 0
      ? serverBlock(layout, spec, webroot, appPort, httpListen, serverNames(httpNames))
      : []),
    ...(redirected.size > 0 ? redirectBlock(layout, [...redirected].sort()) : []),
    ...tls.flatMap((hostname) => {
      const files = certFiles(layout, user, hostname)
      return serverBlock(
        layout,
        spec,
        webroot,
        appPort,
        [
          `    listen ${layout.listen.host}:${layout.httpsPort ?? DEFAULT_HTTPS_PORT} ssl;`,
          `    ssl_certificate ${quote(files.certificate)};`,
          `    ssl_certificate_key ${quote(files.key)};`,
        ],
        hostname,
      )
    }),
    "",
  ]
  return blocks.join("\n")
}

/** Answers ACME HTTP-01 challenges from the node's challenge directory, before anything of the tenant. */
const acmeLocation = (layout: NodeLayout): Array<string> => [
  "    location ^~ /.well-known/acme-challenge/ {",
  `        root ${quote(acmeRoot(layout))};`,
  "        default_type text/plain;",
  "        try_files $uri =404;",
  "    }",
]

/** Plain HTTP for names that redirect to HTTPS: only ACME challenges are answered here. */
const redirectBlock = (layout: NodeLayout, names: ReadonlyArray<string>): Array<string> => {
  const port = layout.httpsPublicPort ?? layout.httpsPort ?? DEFAULT_HTTPS_PORT
  return [
    "server {",
    `    listen ${layout.listen.host}:${layout.listen.port};`,
    `    server_name ${serverNames(names)};`,
    ...acmeLocation(layout),
    "    location / {",
    `        return 301 https://$host${port === 443 ? "" : `:${port}`}$request_uri;`,
    "    }",
    "}",
  ]
}

/** One server block of a webroot (without the trailing empty line), listening as `listen` says. */
const serverBlock = (
  layout: NodeLayout,
  spec: TenantSpec,
  webroot: WebrootSpec,
  appPort: number | undefined,
  listen: ReadonlyArray<string>,
  names: string,
): Array<string> => {
  const user = linuxUser(layout, spec.name)
  const root = webrootDir(layout, user, webroot.name)
  const lines = [
    "server {",
    ...listen,
    `    server_name ${names};`,
    `    access_log ${quote(`${layout.root}/nginx/logs/${user}.access.log`)};`,
  ]
  if (spec.suspended) {
    lines.push("    default_type text/html;", `    return 503 "${SUSPENDED_PAGE}";`, "}")
    return lines
  }
  lines.push(`    root ${quote(root)};`, ...acmeLocation(layout))
  switch (webroot.runtime) {
    case "php":
      lines.push(
        "    index index.php index.html index.htm;",
        "    location / {",
        "        try_files $uri $uri/ /index.php$is_args$args;",
        "    }",
        "    location ~ \\.php$ {",
        "        try_files $uri =404;",
        `        include ${quote(layout.fastcgiParams)};`,
        "        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;",
        `        fastcgi_pass ${quote(`unix:${phpSocket(layout, user, webroot.runtime_version ?? "8.2")}`)};`,
        "    }",
      )
      break
    case "node":
    case "python":
    case "ruby":
      lines.push(
        "    location / {",
        `        proxy_pass http://127.0.0.1:${appPort ?? 9};`,
        "        proxy_http_version 1.1;",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        proxy_set_header Upgrade $http_upgrade;",
        '        proxy_set_header Connection "upgrade";',
        "    }",
      )
      break
    default:
      lines.push("    index index.html index.htm;", "    location / {", "        try_files $uri $uri/ =404;", "    }")
  }
  lines.push("    location ~ /\\. {", "        deny all;", "    }", "}")
  return lines
}

/** Webroots nginx serves: not workers, and only those with at least one name bound. */
const served = (spec: TenantSpec) => spec.webroots.filter((w) => w.runtime !== "worker" && w.server_names.length > 0)

/** The tenant's nginx files on a node; same input, same files. */
export const planTenantSites = (
  layout: NodeLayout,
  spec: TenantSpec,
  appPorts: ReadonlyMap<string, number>,
): ReadonlyArray<PlannedFile> =>
  served(spec)
    .map((w) => ({
      file: `${tenantSitePrefix(linuxUser(layout, spec.name))}${w.name}.conf`,
      content: renderWebroot(layout, spec, w, appPorts.get(w.name)),
    }))
    .sort((a, b) => a.file.localeCompare(b.file))

/** A tenant's PHP-FPM pool for one PHP version: runs as the tenant, confined to its home. */
export const renderPhpPool = (layout: NodeLayout, spec: TenantSpec, version: string): string => {
  const user = linuxUser(layout, spec.name)
  const home = tenantHome(layout, user)
  return [
    `; managed by the hosting platform: ${spec.name} PHP ${version} (edits are overwritten)`,
    `[${user}-${version}]`,
    `user = ${user}`,
    `group = ${user}`,
    `listen = ${phpSocket(layout, user, version)}`,
    `listen.owner = ${user}`,
    "listen.group = www-data",
    "listen.mode = 0660",
    "pm = ondemand",
    "pm.max_children = 5",
    "pm.process_idle_timeout = 30s",
    "chdir = /",
    `php_admin_value[open_basedir] = ${home}/webroots:${home}/tmp`,
    `php_admin_value[upload_tmp_dir] = ${home}/tmp`,
    `php_admin_value[session.save_path] = ${home}/tmp`,
    `php_admin_value[sys_temp_dir] = ${home}/tmp`,
    `php_admin_value[error_log] = ${home}/logs/php-error.log`,
    "php_admin_flag[log_errors] = on",
    "php_admin_value[disable_functions] = exec,passthru,shell_exec,system,proc_open,popen,pcntl_exec",
    "",
  ].join("\n")
}

/** The tenant's PHP-FPM pool files: one per PHP version in use; none while suspended. */
export const planTenantPools = (layout: NodeLayout, spec: TenantSpec): ReadonlyArray<PlannedFile> => {
  if (spec.suspended) return []
  const versions = [
    ...new Set(spec.webroots.filter((w) => w.runtime === "php").map((w) => w.runtime_version ?? "8.2")),
  ].sort()
  const user = linuxUser(layout, spec.name)
  return versions.map((v) => ({ file: `${tenantPoolPrefix(user)}${v}.conf`, content: renderPhpPool(layout, spec, v) }))
}

/** authorized_keys of the tenant; empty while suspended, which refuses SFTP/SSH at once. */
export const renderAuthorizedKeys = (spec: TenantSpec): string =>
  spec.suspended || spec.ssh_keys.length === 0 ? "" : `${[...spec.ssh_keys].sort().join("\n")}\n`

/** An app process the agent supervises for a webroot. */
export interface PlannedApp {
  /** `{webroot}` or `{webroot}-{n}` for a worker's n-th process. */
  readonly id: string
  readonly webroot: string
  readonly interpreter: "node" | "python" | "ruby"
  readonly entrypoint: string
  /** Whether nginx proxies to it (it gets a PORT). */
  readonly http: boolean
}

const interpreterOf = (runtime: WebRuntime, entrypoint: string): PlannedApp["interpreter"] =>
  runtime === "python" || (runtime === "worker" && entrypoint.endsWith(".py"))
    ? "python"
    : runtime === "ruby" || (runtime === "worker" && entrypoint.endsWith(".rb"))
      ? "ruby"
      : "node"

/** The app processes of a tenant; none while suspended. */
export const planTenantApps = (spec: TenantSpec): ReadonlyArray<PlannedApp> =>
  spec.suspended
    ? []
    : spec.webroots.flatMap((w): ReadonlyArray<PlannedApp> => {
        if (!APP_RUNTIMES.includes(w.runtime)) return []
        const entrypoint = w.entrypoint ?? DEFAULT_ENTRYPOINT[w.runtime] ?? "server.js"
        const interpreter = interpreterOf(w.runtime, entrypoint)
        if (w.runtime !== "worker") return [{ id: w.name, webroot: w.name, interpreter, entrypoint, http: true }]
        return Array.from({ length: w.numprocs }, (_, i) => ({
          id: `${w.name}-${i + 1}`,
          webroot: w.name,
          interpreter,
          entrypoint,
          http: false,
        }))
      })
