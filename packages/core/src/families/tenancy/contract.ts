import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { asyncChildResource, asyncResource } from "../../api/async-resource.js"
import { idPath } from "../../api/endpoints.js"
import { InvalidInputError, NotFoundError } from "../../api/errors.js"
import { Authorization, Destructive, MaxBodyBytes, RequiredScope } from "../../api/security.js"
import { Certificate, CertificateId, MAX_PEM_BYTES, UploadCertificate } from "../certificates/domain.js"
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

const fqdn = asyncChildResource({
  name: "FQDN",
  article: "an",
  scope: "fqdns",
  schema: Fqdn,
  collection: "/webroots/:id/fqdns",
  parent: WebrootId,
  path: "/fqdns/:id",
  id: FqdnId,
})

const sshKey = asyncChildResource({
  name: "SSH key",
  article: "an",
  scope: "ssh-keys",
  schema: SshKey,
  collection: "/tenants/:id/ssh-keys",
  parent: TenantId,
  path: "/ssh-keys/:id",
  id: SshKeyId,
})

const certificate = asyncChildResource({
  name: "certificate",
  scope: "fqdns",
  schema: Certificate,
  collection: "/fqdns/:id/certificates",
  parent: FqdnId,
  path: "/certificates/:id",
  id: CertificateId,
})

/** Tenants: Linux users on a web shard, owned by a brand. */
export class TenantsGroup extends HttpApiGroup.make("tenants")
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
  .add(fqdn.list({ summary: "List the FQDNs bound to a webroot", sort: ["hostname", "created_at"] }))
  .add(fqdn.create({ summary: "Bind a host name to a webroot (async, 202)", payload: CreateFqdn, invalidInput: true }))
  .add(fqdn.get())
  .add(
    fqdn.update({
      summary: "Change an FQDN's TLS (letsencrypt starts an issuance) or its HTTP→HTTPS redirect (async, 202)",
      payload: UpdateFqdn,
      async: true,
    }),
  )
  .add(fqdn.delete("Unbind an FQDN (async, 202)"))
  .add(fqdn.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** SSH keys: public keys that may log in as their tenant over SFTP and SSH. */
export class SshKeysGroup extends HttpApiGroup.make("sshKeys")
  .add(sshKey.list({ summary: "List the SSH keys of a tenant", sort: ["name", "created_at"] }))
  .add(sshKey.create({ summary: "Add an SSH public key to a tenant (async, 202)", payload: CreateSshKey }))
  .add(sshKey.get())
  .add(sshKey.update({ summary: "Rename an SSH key", payload: UpdateSshKey }))
  .add(sshKey.delete("Remove an SSH key (async, 202)"))
  .add(sshKey.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/**
 * TLS certificates of FQDNs: custom uploads (chain and key) and Let's Encrypt issuance, installed
 * in nginx by the tenant's sync.
 */
export class CertificatesGroup extends HttpApiGroup.make("certificates")
  .add(
    certificate.list({ summary: "List the certificates of an FQDN, newest first", sort: ["created_at", "not_after"] }),
  )
  .add(
    certificate
      .create({
        name: "upload",
        summary:
          "Upload a custom certificate (PEM chain, leaf first, and its unencrypted key) for an FQDN (async, 202)",
        payload: UploadCertificate,
        invalidInput: true,
      })
      // two PEMs of at most MAX_PEM_BYTES each, doubled for JSON's escaping of their newlines,
      // and the framing: nothing larger can be a valid upload (a PEM just over its own limit
      // still gets the schema's clear 422)
      .annotate(MaxBodyBytes, 4 * MAX_PEM_BYTES + 4096),
  )
  .add(
    fqdn.action(
      "issue",
      "/certificates/issue",
      "Obtain or renew an FQDN's Let's Encrypt certificate now (async, 202; see acme_status)",
    ),
  )
  .add(certificate.delete("Take a certificate off its FQDN's nodes and delete it (async, 202)"))
  .add(certificate.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}
