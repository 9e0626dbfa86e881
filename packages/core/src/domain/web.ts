import { Schema } from "effect"
import { GeneratedName } from "./names.js"
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
