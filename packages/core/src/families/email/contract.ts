import { HttpApiGroup } from "@effect/platform"
import { asyncChildResource } from "../../api/async-resource.js"
import { Authorization, ToolDomain } from "../../api/security.js"
import { FqdnId } from "../tenancy/domain.js"
import {
  CreateEmailAccount,
  CreateEmailAlias,
  CreateEmailForward,
  EmailAccount,
  EmailAccountId,
  EmailAlias,
  EmailAliasId,
  EmailAutoreply,
  EmailForward,
  EmailForwardId,
  PutEmailAutoreply,
  UpdateEmailAccount,
} from "./domain-resource.js"

/**
 * Email on FQDNs: mailboxes, their aliases, forwards and vacation replies. Every change the
 * email nodes must apply answers 202 with the resource `pending` (or `deleting`); the mail
 * domain's sync makes it `active` or `failed`, and removes deleted rows. One scope, `email`.
 */

const account = asyncChildResource({
  name: "email account",
  article: "an",
  scope: "email",
  schema: EmailAccount,
  collection: "/fqdns/:id/email-accounts",
  parent: FqdnId,
  path: "/email-accounts/:id",
  id: EmailAccountId,
})

const alias = asyncChildResource({
  name: "email alias",
  article: "an",
  scope: "email",
  schema: EmailAlias,
  collection: "/email-accounts/:id/aliases",
  parent: EmailAccountId,
  path: "/email-aliases/:id",
  id: EmailAliasId,
})

const forward = asyncChildResource({
  name: "email forward",
  article: "an",
  scope: "email",
  schema: EmailForward,
  collection: "/email-accounts/:id/forwards",
  parent: EmailAccountId,
  path: "/email-forwards/:id",
  id: EmailForwardId,
})

// one per account, addressed by the account's id
const autoreply = asyncChildResource({
  name: "auto-reply",
  article: "an",
  scope: "email",
  schema: EmailAutoreply,
  collection: "/email-accounts/:id/autoreply",
  parent: EmailAccountId,
  path: "/email-accounts/:id/autoreply",
  id: EmailAccountId,
})

/** Mailboxes on an FQDN: the first creates the mail domain (and its MX, SPF, DKIM, DMARC records). */
export class EmailAccountsGroup extends HttpApiGroup.make("emailAccounts")
  .annotate(ToolDomain, "email")
  .add(account.list({ summary: "List the email accounts of an FQDN", sort: ["local_part", "created_at"] }))
  .add(
    account.create({
      summary: "Create a mailbox at local_part@<the FQDN> (async, 202); its password is never returned",
      payload: CreateEmailAccount,
      invalidInput: true,
    }),
  )
  .add(account.get())
  .add(
    account.update({
      summary: "Change a mailbox's password, quota or display name (async, 202)",
      payload: UpdateEmailAccount,
      async: true,
    }),
  )
  .add(account.delete("Remove a mailbox and its mail (async, 202); the last one removes the mail domain"))
  .add(account.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Other addresses delivered to an account. */
export class EmailAliasesGroup extends HttpApiGroup.make("emailAliases")
  .annotate(ToolDomain, "email")
  .add(alias.list({ summary: "List the aliases of an email account", sort: ["local_part", "created_at"] }))
  .add(
    alias.create({
      summary: "Deliver another address (on an FQDN of the same tenant) to this account (async, 202)",
      payload: CreateEmailAlias,
      invalidInput: true,
    }),
  )
  .add(alias.get())
  .add(alias.delete("Remove an alias (async, 202)"))
  .add(alias.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Copies of an account's mail to external addresses. */
export class EmailForwardsGroup extends HttpApiGroup.make("emailForwards")
  .annotate(ToolDomain, "email")
  .add(forward.list({ summary: "List the forwards of an email account", sort: ["address", "created_at"] }))
  .add(
    forward.create({
      summary: "Forward an account's mail to another address (async, 202)",
      payload: CreateEmailForward,
      invalidInput: true,
    }),
  )
  .add(forward.get())
  .add(forward.delete("Remove a forward (async, 202)"))
  .add(forward.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** An account's vacation reply: once per sender per `days`, never to lists or bulk mail. */
export class EmailAutorepliesGroup extends HttpApiGroup.make("emailAutoreplies")
  .annotate(ToolDomain, "email")
  .add(autoreply.get("Read an account's auto-reply"))
  .add(
    autoreply.update({
      summary: "Set an account's auto-reply (async, 202)",
      payload: PutEmailAutoreply,
      async: true,
    }),
  )
  .add(autoreply.delete("Remove an account's auto-reply (async, 202)"))
  .add(autoreply.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

export const emailGroups = [EmailAccountsGroup, EmailAliasesGroup, EmailForwardsGroup, EmailAutorepliesGroup] as const

export * from "./domain.js"
export * from "./domain-resource.js"
