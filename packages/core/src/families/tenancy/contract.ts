import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { asyncChildResource, asyncResource } from "../../api/async-resource.js"
import { idPath } from "../../api/endpoints.js"
import { InvalidInputError, NotFoundError } from "../../api/errors.js"
import { Authorization, Destructive, RequiredScope, ToolDomain } from "../../api/security.js"
import { TenantId } from "../../domain/ids.js"
import {
  CreateFqdn,
  CreateTenant,
  CreateWebroot,
  Fqdn,
  FqdnId,
  MigrateTenant,
  Tenant,
  TenantResources,
  UpdateFqdn,
  UpdateTenant,
  UpdateWebroot,
  Webroot,
  WebrootId,
} from "./domain.js"

/**
 * The web tier's customer resources, scoped to the caller's brands. Every change a node must
 * apply answers 202 with the resource in `pending` (or `deleting`); the tenant's sync makes it
 * `active` or `failed`, and removes deleted rows. Changes under a tenant being deleted are 409.
 */

const tenant = asyncResource({
  name: "tenant",
  scope: "tenants",
  schema: Tenant,
  collection: "/tenants",
  path: "/tenants/:id",
  id: TenantId,
})

const webroot = asyncChildResource({
  name: "webroot",
  scope: "webroots",
  schema: Webroot,
  collection: "/tenants/:id/webroots",
  parent: TenantId,
  path: "/webroots/:id",
  id: WebrootId,
})

/** The FQDN family's declaration; certificates add their issuance as one of its actions. */
export const fqdnResource = asyncChildResource({
  name: "FQDN",
  article: "an",
  scope: "fqdns",
  schema: Fqdn,
  collection: "/webroots/:id/fqdns",
  parent: WebrootId,
  path: "/fqdns/:id",
  id: FqdnId,
})

/** Tenants: Linux users on a web shard, owned by a brand. */
export class TenantsGroup extends HttpApiGroup.make("tenants")
  .annotate(ToolDomain, "tenants")
  .add(tenant.list({ summary: "List tenants", sort: ["name", "created_at"] }))
  .add(
    tenant.create({
      summary:
        "Create a tenant on the least-used web shard of the brand's clusters (async, 202); shard_id is for platform admins",
      payload: CreateTenant,
      invalidInput: true,
    }),
  )
  .add(tenant.get())
  .add(tenant.update({ summary: "Change a tenant's display name", payload: UpdateTenant }))
  .add(tenant.delete("Delete a tenant with its webroots, FQDNs and SSH keys (async, 202)"))
  .add(
    tenant
      .action("suspend", "/suspend", "Suspend a tenant: its sites and logins stop (async, 202)")
      .annotate(Destructive, true),
  )
  .add(tenant.action("unsuspend", "/unsuspend", "Lift a tenant's suspension (async, 202)"))
  .add(
    tenant
      .action("migrate", "/migrate", "Move a tenant to another web shard (async, 202)")
      .setPayload(MigrateTenant)
      .addError(InvalidInputError)
      .annotate(Destructive, true),
  )
  .add(
    tenant.retry(
      "Retry a failed tenant with its failed webroots, FQDNs, SSH keys and certificates, or only those children of an active tenant (async, 202)",
    ),
  )
  .add(
    HttpApiEndpoint.get("resources", "/tenants/:id/resources")
      .annotate(OpenApi.Summary, "Everything a tenant owns: its webroots, FQDNs and SSH keys")
      .setPath(idPath(TenantId))
      .addSuccess(TenantResources)
      .addError(NotFoundError)
      .annotate(RequiredScope, tenant.read),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Webroots: a tenant's directories, served by nginx with a runtime (or run as a worker). */
export class WebrootsGroup extends HttpApiGroup.make("webroots")
  .annotate(ToolDomain, "web")
  .add(webroot.list({ summary: "List the webroots of a tenant", sort: ["name", "created_at"] }))
  .add(
    webroot.create({
      summary: "Create a webroot for a tenant (async, 202)",
      payload: CreateWebroot,
      invalidInput: true,
    }),
  )
  .add(webroot.get())
  .add(
    webroot.update({
      summary: "Change a webroot's runtime, version, entrypoint or processes (async, 202)",
      payload: UpdateWebroot,
      async: true,
      invalidInput: true,
    }),
  )
  .add(webroot.delete("Delete a webroot and its FQDNs (async, 202)"))
  .add(webroot.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** FQDNs: host names bound to webroots, each at most once on the platform. */
export class FqdnsGroup extends HttpApiGroup.make("fqdns")
  .annotate(ToolDomain, "web")
  .add(fqdnResource.list({ summary: "List the FQDNs bound to a webroot", sort: ["hostname", "created_at"] }))
  .add(
    fqdnResource.create({
      summary: "Bind a host name to a webroot (async, 202)",
      payload: CreateFqdn,
      invalidInput: true,
    }),
  )
  .add(fqdnResource.get())
  .add(
    fqdnResource.update({
      summary: "Change an FQDN's TLS (letsencrypt starts an issuance) or its HTTP→HTTPS redirect (async, 202)",
      payload: UpdateFqdn,
      async: true,
    }),
  )
  .add(fqdnResource.delete("Unbind an FQDN (async, 202)"))
  .add(fqdnResource.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Tenants, their webroots and the names bound to them, in the contract's order. */
export const tenancyGroups = [TenantsGroup, WebrootsGroup, FqdnsGroup] as const

export * from "./domain.js"
