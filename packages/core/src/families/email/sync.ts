import { mailDomainSerializer } from "../../lifecycle/serializers.js"
import type { TenantChildFamily } from "../../lifecycle/tenant-children.js"

/**
 * A tenant's mail domains are removed before the tenant row goes (lifecycle/tenant-children.ts),
 * each by its own serializer (`mail-domain:{id}:sync`); the node removes its mailboxes and files,
 * and the accounts, aliases, forwards and replies under it go with the row.
 */
export const mailDomainsOfTenants: TenantChildFamily = {
  noun: "mail domains",
  table: "mail_domains",
  revisionSequence: "mail_revision_seq",
  serializer: mailDomainSerializer,
}
