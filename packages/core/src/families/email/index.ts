import { defineFamily } from "../family.js"
import { emailMigrations } from "./migrations.js"
import { EmailAccounts } from "./service-accounts.js"
import { EmailAliases } from "./service-aliases.js"
import { EmailAutoreplies } from "./service-autoreply.js"
import { EmailForwards } from "./service-forwards.js"

/** Email on FQDNs: a family with a serializer of its own per mail domain (`mail-domain:{id}:sync`). */
export const emailFamily = defineFamily({
  name: "email",
  services: [EmailAccounts.Default, EmailAliases.Default, EmailForwards.Default, EmailAutoreplies.Default],
  migrations: emailMigrations,
})

export * from "./contract.js"
export * from "./dkim.js"
export * from "./plan-dns.js"
export * from "./service-accounts.js"
export * from "./service-aliases.js"
export * from "./service-autoreply.js"
export * from "./service-forwards.js"
export { MailPasswordHasher } from "./service-rows.js"
export * from "./states.js"
export * from "./sync.js"
