import type { TenantSpec, WebrootSpec } from "./domain-spec.js"
import {
  acmeRoot,
  certFiles,
  certsDir,
  DEFAULT_HTTPS_PORT,
  linuxUser,
  type NodeLayout,
  type PlannedFile,
  phpSocket,
  tenantSitePrefix,
  webrootDir,
} from "./plan-layout.js"

/**
 * A tenant's nginx server blocks, as data. Everything a site contributes to a config file is
 * allow-listed by the spec's Schemas and quoted here, so no request field can add a directive.
 */

// Server names and paths are allow-listed already; quoting keeps nginx from reading anything in
// them as syntax even if a rule were loosened later.
const quote = (s: string) => `"${s.replace(/["\\$]/g, (c) => `\\${c}`)}"`

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

/**
 * The certificate (`.crt`, the chain) and key (`.key`) files of a tenant's certified names, named
 * relative to the node's certificate directory; nginx's server blocks point at them.
 */
export const planTenantCertificates = (layout: NodeLayout, spec: TenantSpec): ReadonlyArray<PlannedFile> => {
  const user = linuxUser(layout, spec.name)
  const dir = `${certsDir(layout)}/`
  return (spec.certificates ?? [])
    .flatMap((c) => {
      const f = certFiles(layout, user, c.hostname)
      return [
        { file: f.certificate.slice(dir.length), content: c.certificate_pem },
        { file: f.key.slice(dir.length), content: c.private_key_pem },
      ]
    })
    .sort((a, b) => a.file.localeCompare(b.file))
}
