import { HttpApiBuilder } from "@effect/platform"
import { EmailAccounts, EmailAliases, EmailAutoreplies, EmailForwards, HostingApi } from "@hosting/core"
import { Effect } from "effect"
import { asyncChildHandlers, byId, byIdWith, handleWithPrincipal, listUnder } from "./principal.js"

/** Mailboxes of FQDNs. */
export const EmailAccountsLive = HttpApiBuilder.group(HostingApi, "emailAccounts", (handlers) =>
  Effect.map(EmailAccounts, (accounts) => handleWithPrincipal(handlers, asyncChildHandlers(accounts))),
)

/** Aliases of mailboxes. */
export const EmailAliasesLive = HttpApiBuilder.group(HostingApi, "emailAliases", (handlers) =>
  Effect.map(EmailAliases, (aliases) =>
    handleWithPrincipal(handlers, {
      list: listUnder(aliases.list),
      create: byIdWith(aliases.create),
      get: byId(aliases.get),
      delete: byId(aliases.remove),
      retry: byId(aliases.retry),
    }),
  ),
)

/** Forwards of mailboxes. */
export const EmailForwardsLive = HttpApiBuilder.group(HostingApi, "emailForwards", (handlers) =>
  Effect.map(EmailForwards, (forwards) =>
    handleWithPrincipal(handlers, {
      list: listUnder(forwards.list),
      create: byIdWith(forwards.create),
      get: byId(forwards.get),
      delete: byId(forwards.remove),
      retry: byId(forwards.retry),
    }),
  ),
)

/** The auto-reply of a mailbox. */
export const EmailAutorepliesLive = HttpApiBuilder.group(HostingApi, "emailAutoreplies", (handlers) =>
  Effect.map(EmailAutoreplies, (replies) =>
    handleWithPrincipal(handlers, {
      get: byId(replies.get),
      update: byIdWith(replies.update),
      delete: byId(replies.remove),
      retry: byId(replies.retry),
    }),
  ),
)

export const emailHandlers = [EmailAccountsLive, EmailAliasesLive, EmailForwardsLive, EmailAutorepliesLive] as const
