import { Schema } from "effect"
import { BrandId, ClusterId, ShardId, TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { GeneratedName } from "../../domain/names.js"
import { DisplayName, Hostname, PublicHostname, strict } from "../../domain/validation.js"
import { SshKey } from "../ssh-keys/domain.js"

/**
 * The web tier's customer-facing resources: tenants (a Linux user on a web shard), their webroots,
 * the FQDNs bound to a webroot, and their SSH keys. Every string here can reach a config file on
 * a node, so each is allow-listed.
 */

/** UUID of a webroot. */
export const WebrootId = uuidId("WebrootId", "a webroot")
/** Branded webroot id. */
export type WebrootId = typeof WebrootId.Type
/** UUID of an FQDN binding. */
export const FqdnId = uuidId("FqdnId", "an FQDN")
/** Branded FQDN id. */
export type FqdnId = typeof FqdnId.Type

/** Whether the platform obtains the name's certificate from Let's Encrypt (ACME HTTP-01). */
export const FqdnTls = Schema.Literal("letsencrypt", "none").annotations({
  title: "FqdnTls",
  description: "letsencrypt: the platform obtains and renews the certificate; none: HTTP only, or an uploaded one",
})

/** Outcome of the latest Let's Encrypt issuance of an FQDN. */
export const AcmeStatus = Schema.Literal("pending", "issuing", "issued", "failed").annotations({
  title: "AcmeStatus",
})

/** Name of a tenant: its Linux user and group on every node of its shard. */
export const TenantName = GeneratedName("tenant").annotations({ title: "TenantName" })
/** Name of a webroot: its directory under the tenant's home and its platform file names. */
export const WebrootName = GeneratedName("webroot").annotations({ title: "WebrootName" })

/** How a webroot is served. */
export const WebRuntime = Schema.Literal("php", "node", "python", "ruby", "static", "worker").annotations({
  title: "WebRuntime",
  description:
    "php: nginx + a PHP-FPM pool; node/python/ruby: an app process proxied by nginx; static: files only; worker: a background process without nginx",
})
/** How a webroot is served. */
export type WebRuntime = typeof WebRuntime.Type

/** Runtimes whose code runs as a long-lived process under the agent's supervisor. */
export const APP_RUNTIMES: ReadonlyArray<WebRuntime> = ["node", "python", "ruby", "worker"]

/** PHP versions a node can run (Debian's php-fpm). */
export const PHP_VERSIONS = ["8.2"] as const

/** A runtime version such as `8.2` or `20`. */
export const RuntimeVersion = Schema.String.pipe(
  Schema.pattern(/^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/),
  Schema.annotations({ title: "RuntimeVersion", description: "digits and dots, e.g. 8.2" }),
)

/**
 * A file inside the webroot that starts an app (`server.js`, `app/main.py`): relative, no `..`,
 * no leading dot segment, only characters that need no quoting anywhere.
 */
export const Entrypoint = Schema.String.pipe(
  Schema.maxLength(255),
  Schema.pattern(/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/),
  Schema.filter((p) => !p.split("/").some((s) => s === ".." || s === ".") || "must not contain . or .. segments"),
  Schema.annotations({
    title: "Entrypoint",
    description: "relative path inside the webroot, e.g. server.js",
    arbitrary: () => (fc) => fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}\.(js|py|rb)$/),
  }),
)

/** A tenant: one Linux user and group on every node of a web shard, owned by a brand. */
export class Tenant extends Schema.Class<Tenant>("Tenant")({
  id: TenantId,
  brand_id: BrandId,
  shard_id: ShardId,
  name: TenantName,
  display_name: Schema.NullOr(DisplayName),
  suspended: Schema.Boolean,
  migrate_to: Schema.NullOr(ShardId).annotations({ description: "the web shard a pending migration moves it to" }),
  service_hostname: Schema.NullOr(Schema.String).annotations({
    description:
      "<name>.<platform base_domain>, the host for SFTP/SSH (the web nodes of its shard); null when the platform has no base_domain",
  }),
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /tenants: the brand, and optionally where to place it. */
export const CreateTenant = strict(
  Schema.Struct({
    brand_id: BrandId,
    display_name: Schema.optional(DisplayName),
    cluster_id: Schema.optional(ClusterId).annotations({
      description: "place on a web shard of this cluster (one the brand may use); default: any such cluster",
    }),
    shard_id: Schema.optional(ShardId).annotations({ description: "place on this web shard (platform admins)" }),
  }),
)

/** Body of PUT /tenants/{id}. */
export const UpdateTenant = strict(Schema.Struct({ display_name: Schema.optional(Schema.NullOr(DisplayName)) }))

/** Body of POST /tenants/{id}/migrate. */
export const MigrateTenant = strict(Schema.Struct({ shard_id: ShardId }))

/** A directory of a tenant served by nginx (or run as a worker). */
export class Webroot extends Schema.Class<Webroot>("Webroot")({
  id: WebrootId,
  tenant_id: TenantId,
  name: WebrootName,
  runtime: WebRuntime,
  runtime_version: Schema.NullOr(RuntimeVersion),
  entrypoint: Schema.NullOr(Entrypoint),
  numprocs: Schema.Int,
  path: Schema.String.annotations({ description: "the webroot's directory as the tenant sees it over SFTP" }),
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

const Numprocs = Schema.Int.pipe(
  Schema.between(1, 8),
  Schema.annotations({ description: "processes of a worker (1–8); 1 for every other runtime" }),
)

/** Body of POST /tenants/{id}/webroots. */
export const CreateWebroot = strict(
  Schema.Struct({
    runtime: WebRuntime,
    runtime_version: Schema.optional(RuntimeVersion).annotations({ description: "php: 8.2 (the default)" }),
    entrypoint: Schema.optional(Entrypoint).annotations({
      description: "node/python/ruby/worker: the file to run (default server.js, app.py, app.rb)",
    }),
    numprocs: Schema.optional(Numprocs),
  }),
)

/** Body of PUT /webroots/{id}: the runtime may change, the name and path never do. */
export const UpdateWebroot = strict(
  Schema.Struct({
    runtime: Schema.optional(WebRuntime),
    runtime_version: Schema.optional(Schema.NullOr(RuntimeVersion)),
    entrypoint: Schema.optional(Schema.NullOr(Entrypoint)),
    numprocs: Schema.optional(Numprocs),
  }),
)

/** Where one side effect of an FQDN stands: that side's round, and why it failed. */
export const FqdnSideStatus = Schema.Struct({
  status: ResourceStatus,
  message: Schema.NullOr(Schema.String).annotations({ description: "why this side failed; null unless failed" }),
}).annotations({ title: "FqdnSideStatus" })

/**
 * An FQDN's side effects, each with its own status; null where a side does not apply. The FQDN's
 * `status` gathers them: its own state first (deleting, or its web round failed), then any failed
 * side, then any side still on its way, else active.
 */
export const FqdnSideEffects = Schema.Struct({
  web: FqdnSideStatus.annotations({ description: "the tenant's round: nginx on the web nodes of its shard" }),
  lb: Schema.NullOr(FqdnSideStatus).annotations({
    description: "the route on the load balancers of the tenant's cluster; null when the cluster has no lb shard",
  }),
  dns: Schema.NullOr(FqdnSideStatus).annotations({
    description:
      "the A/AAAA records in the zone that covers the name (the zone's round); null when no zone of the brand covers it",
  }),
  certificate: Schema.NullOr(FqdnSideStatus).annotations({
    description:
      "the Let's Encrypt issuance; provisioning until the name has its first certificate (a renewal keeps it active); null unless tls is letsencrypt",
  }),
}).annotations({ title: "FqdnSideEffects" })

/** A host name bound to a webroot; bound at most once platform-wide. */
export class Fqdn extends Schema.Class<Fqdn>("Fqdn")({
  id: FqdnId,
  webroot_id: WebrootId,
  tenant_id: TenantId,
  hostname: Hostname,
  tls: FqdnTls,
  https_redirect: Schema.Boolean.annotations({
    description: "plain HTTP answers 301 to HTTPS once the name has a certificate",
  }),
  acme_status: Schema.NullOr(AcmeStatus),
  acme_message: Schema.NullOr(Schema.String).annotations({ description: "why the latest issuance failed" }),
  status: ResourceStatus.annotations({
    description:
      "gathered from every side effect (side_effects): deleting, or failed when any side failed, provisioning while any is on its way, else active",
  }),
  status_message: Schema.NullOr(Schema.String).annotations({
    description:
      "why it failed: the first failing side's reason (web, lb, dns, certificate in that order), prefixed with the side unless it is web",
  }),
  status_details: StatusDetailsField,
  side_effects: FqdnSideEffects,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /webroots/{id}/fqdns. */
export const CreateFqdn = strict(
  Schema.Struct({
    hostname: PublicHostname,
    tls: Schema.optional(FqdnTls),
    https_redirect: Schema.optional(Schema.Boolean),
  }),
)

/** Body of PATCH /fqdns/{id}. */
export const UpdateFqdn = strict(
  Schema.Struct({
    tls: Schema.optional(FqdnTls),
    https_redirect: Schema.optional(Schema.Boolean),
  }),
)

/** Counts of everything a tenant owns (GET /tenants/{id}/resources). */
export class TenantResources extends Schema.Class<TenantResources>("TenantResources")({
  tenant: Tenant,
  webroots: Schema.Array(Webroot),
  fqdns: Schema.Array(Fqdn),
  ssh_keys: Schema.Array(SshKey),
}) {}

/** The directory of a webroot as the tenant sees it (its home is `/` in the SFTP chroot). */
export const webrootPath = (name: string): string => `/webroots/${name}`

/** Default app file per runtime when the webroot names none. */
export const DEFAULT_ENTRYPOINT: Partial<Record<WebRuntime, string>> = {
  node: "server.js",
  python: "app.py",
  ruby: "app.rb",
  worker: "worker.js",
}
