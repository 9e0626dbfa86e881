import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Certificate, CertificateId, MAX_PEM_BYTES, UploadCertificate } from "../domain/certificates.js"
import {
  CreateFqdn,
  CreateSshKey,
  CreateTenant,
  CreateWebroot,
  Fqdn,
  FqdnId,
  MigrateTenant,
  SshKey,
  SshKeyId,
  Tenant,
  TenantId,
  TenantResources,
  UpdateFqdn,
  UpdateSshKey,
  UpdateTenant,
  UpdateWebroot,
  Webroot,
  WebrootId,
} from "../domain/tenancy.js"
import { idPath, listEndpoint } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { Authorization, Destructive, MaxBodyBytes, RequiredScope } from "./security.js"

/**
 * The web tier's customer resources, scoped to the caller's brands. Every change a node must
 * apply answers 202 with the resource in `pending` (or `deleting`); the tenant's sync makes it
 * `active` or `failed`, and removes deleted rows. Changes under a tenant being deleted are 409.
 */

const tenantIdPath = idPath(TenantId)
const webrootIdPath = idPath(WebrootId)
const fqdnIdPath = idPath(FqdnId)
const sshKeyIdPath = idPath(SshKeyId)
const certificateIdPath = idPath(CertificateId)

/** An async tenant operation: 202 with the tenant. */
const tenantAction = <const Name extends string, const Path extends HttpApiEndpoint.PathSegment>(
  name: Name,
  path: Path,
  summary: string,
) =>
  HttpApiEndpoint.post(name, path)
    .annotate(OpenApi.Summary, summary)
    .setPath(tenantIdPath)
    .addSuccess(Tenant, { status: 202 })
    .addError(NotFoundError)
    .addError(ConflictError)
    .addError(UnavailableError)
    .annotate(RequiredScope, "tenants:write")

/** Tenants: Linux users on a web shard, owned by a brand. */
export class TenantsGroup extends HttpApiGroup.make("tenants")
  .add(
    listEndpoint("list", "/tenants", Tenant, {
      summary: "List tenants",
      scope: "tenants:read",
      sort: ["name", "created_at"],
      withStatus: true,
    }),
  )
  .add(
    HttpApiEndpoint.post("create", "/tenants")
      .annotate(
        OpenApi.Summary,
        "Create a tenant on the least-used web shard of the brand's clusters (async, 202); shard_id is for platform admins",
      )
      .setPayload(CreateTenant)
      .addSuccess(Tenant, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "tenants:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/tenants/:id")
      .annotate(OpenApi.Summary, "Read a tenant")
      .setPath(tenantIdPath)
      .addSuccess(Tenant)
      .addError(NotFoundError)
      .annotate(RequiredScope, "tenants:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/tenants/:id")
      .annotate(OpenApi.Summary, "Change a tenant's display name")
      .setPath(tenantIdPath)
      .setPayload(UpdateTenant)
      .addSuccess(Tenant)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "tenants:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/tenants/:id")
      .annotate(OpenApi.Summary, "Delete a tenant with its webroots, FQDNs and SSH keys (async, 202)")
      .setPath(tenantIdPath)
      .addSuccess(Tenant, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "tenants:write"),
  )
  .add(
    tenantAction(
      "suspend",
      "/tenants/:id/suspend",
      "Suspend a tenant: its sites and logins stop (async, 202)",
    ).annotate(Destructive, true),
  )
  .add(tenantAction("unsuspend", "/tenants/:id/unsuspend", "Lift a tenant's suspension (async, 202)"))
  .add(
    tenantAction("migrate", "/tenants/:id/migrate", "Move a tenant to another web shard (async, 202)")
      .setPayload(MigrateTenant)
      .addError(InvalidInputError)
      .annotate(Destructive, true),
  )
  .add(
    tenantAction(
      "retry",
      "/tenants/:id/retry",
      "Retry a failed tenant and its failed webroots, FQDNs and SSH keys (async, 202)",
    ),
  )
  .add(
    HttpApiEndpoint.get("resources", "/tenants/:id/resources")
      .annotate(OpenApi.Summary, "Everything a tenant owns: its webroots, FQDNs and SSH keys")
      .setPath(tenantIdPath)
      .addSuccess(TenantResources)
      .addError(NotFoundError)
      .annotate(RequiredScope, "tenants:read"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Webroots: a tenant's directories, served by nginx with a runtime (or run as a worker). */
export class WebrootsGroup extends HttpApiGroup.make("webroots")
  .add(
    listEndpoint("list", "/tenants/:id/webroots", Webroot, {
      summary: "List the webroots of a tenant",
      scope: "webroots:read",
      sort: ["name", "created_at"],
      withStatus: true,
    })
      .setPath(tenantIdPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/tenants/:id/webroots")
      .annotate(OpenApi.Summary, "Create a webroot for a tenant (async, 202)")
      .setPath(tenantIdPath)
      .setPayload(CreateWebroot)
      .addSuccess(Webroot, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "webroots:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/webroots/:id")
      .annotate(OpenApi.Summary, "Read a webroot")
      .setPath(webrootIdPath)
      .addSuccess(Webroot)
      .addError(NotFoundError)
      .annotate(RequiredScope, "webroots:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/webroots/:id")
      .annotate(OpenApi.Summary, "Change a webroot's runtime, version, entrypoint or processes (async, 202)")
      .setPath(webrootIdPath)
      .setPayload(UpdateWebroot)
      .addSuccess(Webroot, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "webroots:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/webroots/:id")
      .annotate(OpenApi.Summary, "Delete a webroot and its FQDNs (async, 202)")
      .setPath(webrootIdPath)
      .addSuccess(Webroot, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "webroots:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/webroots/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed webroot (async, 202)")
      .setPath(webrootIdPath)
      .addSuccess(Webroot, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "webroots:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** FQDNs: host names bound to webroots, each at most once on the platform. */
export class FqdnsGroup extends HttpApiGroup.make("fqdns")
  .add(
    listEndpoint("list", "/webroots/:id/fqdns", Fqdn, {
      summary: "List the FQDNs bound to a webroot",
      scope: "fqdns:read",
      sort: ["hostname", "created_at"],
      withStatus: true,
    })
      .setPath(webrootIdPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/webroots/:id/fqdns")
      .annotate(OpenApi.Summary, "Bind a host name to a webroot (async, 202)")
      .setPath(webrootIdPath)
      .setPayload(CreateFqdn)
      .addSuccess(Fqdn, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/fqdns/:id")
      .annotate(OpenApi.Summary, "Read an FQDN")
      .setPath(fqdnIdPath)
      .addSuccess(Fqdn)
      .addError(NotFoundError)
      .annotate(RequiredScope, "fqdns:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/fqdns/:id")
      .annotate(
        OpenApi.Summary,
        "Change an FQDN's TLS (letsencrypt starts an issuance) or its HTTP→HTTPS redirect (async, 202)",
      )
      .setPath(fqdnIdPath)
      .setPayload(UpdateFqdn)
      .addSuccess(Fqdn, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/fqdns/:id")
      .annotate(OpenApi.Summary, "Unbind an FQDN (async, 202)")
      .setPath(fqdnIdPath)
      .addSuccess(Fqdn, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/fqdns/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed FQDN (async, 202)")
      .setPath(fqdnIdPath)
      .addSuccess(Fqdn, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** SSH keys: public keys that may log in as their tenant over SFTP and SSH. */
export class SshKeysGroup extends HttpApiGroup.make("sshKeys")
  .add(
    listEndpoint("list", "/tenants/:id/ssh-keys", SshKey, {
      summary: "List the SSH keys of a tenant",
      scope: "ssh-keys:read",
      sort: ["name", "created_at"],
      withStatus: true,
    })
      .setPath(tenantIdPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/tenants/:id/ssh-keys")
      .annotate(OpenApi.Summary, "Add an SSH public key to a tenant (async, 202)")
      .setPath(tenantIdPath)
      .setPayload(CreateSshKey)
      .addSuccess(SshKey, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "ssh-keys:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/ssh-keys/:id")
      .annotate(OpenApi.Summary, "Read an SSH key")
      .setPath(sshKeyIdPath)
      .addSuccess(SshKey)
      .addError(NotFoundError)
      .annotate(RequiredScope, "ssh-keys:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/ssh-keys/:id")
      .annotate(OpenApi.Summary, "Rename an SSH key")
      .setPath(sshKeyIdPath)
      .setPayload(UpdateSshKey)
      .addSuccess(SshKey)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "ssh-keys:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/ssh-keys/:id")
      .annotate(OpenApi.Summary, "Remove an SSH key (async, 202)")
      .setPath(sshKeyIdPath)
      .addSuccess(SshKey, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "ssh-keys:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/ssh-keys/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed SSH key (async, 202)")
      .setPath(sshKeyIdPath)
      .addSuccess(SshKey, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "ssh-keys:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/**
 * TLS certificates of FQDNs: custom uploads (chain and key) and Let's Encrypt issuance, installed
 * in nginx by the tenant's sync.
 */
export class CertificatesGroup extends HttpApiGroup.make("certificates")
  .add(
    listEndpoint("list", "/fqdns/:id/certificates", Certificate, {
      summary: "List the certificates of an FQDN, newest first",
      scope: "fqdns:read",
      sort: ["created_at", "not_after"],
      withStatus: true,
    })
      .setPath(fqdnIdPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("upload", "/fqdns/:id/certificates")
      .annotate(
        OpenApi.Summary,
        "Upload a custom certificate (PEM chain, leaf first, and its unencrypted key) for an FQDN (async, 202)",
      )
      .setPath(fqdnIdPath)
      .setPayload(UploadCertificate)
      .addSuccess(Certificate, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write")
      // two PEMs of at most MAX_PEM_BYTES each, doubled for JSON's escaping of their newlines,
      // and the framing: nothing larger can be a valid upload (a PEM just over its own limit
      // still gets the schema's clear 422)
      .annotate(MaxBodyBytes, 4 * MAX_PEM_BYTES + 4096),
  )
  .add(
    HttpApiEndpoint.post("issue", "/fqdns/:id/certificates/issue")
      .annotate(
        OpenApi.Summary,
        "Obtain or renew an FQDN's Let's Encrypt certificate now (async, 202; see acme_status)",
      )
      .setPath(fqdnIdPath)
      .addSuccess(Fqdn, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/certificates/:id")
      .annotate(OpenApi.Summary, "Take a certificate off its FQDN's nodes and delete it (async, 202)")
      .setPath(certificateIdPath)
      .addSuccess(Certificate, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/certificates/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed certificate (async, 202)")
      .setPath(certificateIdPath)
      .addSuccess(Certificate, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "fqdns:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}
