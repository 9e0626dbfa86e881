import { MailDomainName, MailDomainSpec, type MailManager } from "@hosting/core/node"
import { Schema } from "effect"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { emailNodeConfigFromEnv } from "./config.js"
import { EmailNode, emailManagersLayer } from "./node.js"

/** The email role: Postfix, Dovecot (IMAP, LMTP, SASL, Sieve) and OpenDKIM of the node's own. */
export const emailRole = (email: EmailNode): AgentRole => ({
  name: "email",
  start: () => email.start(),
  close: () => email.close(),
  activities: {
    ensureMailDomain: ({ spec }) => classify(() => email.ensureDomain(decode(MailDomainSpec, spec))),
    removeMailDomain: ({ domain }) => classify(() => email.removeDomain(decode(MailDomainName, domain))),
    convergeMail: ({ domains, plan }) =>
      classify(() => email.converge(decode(Schema.Array(MailDomainSpec), domains), decode(Schema.Boolean, plan))),
    describeMailServer: () => classify(() => email.describe()),
  },
})

/** The email role from the environment: its managers' layer, and the role over the agent's runtime. */
export const emailRoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<MailManager> => {
  const config = emailNodeConfigFromEnv(env)
  return { layer: emailManagersLayer(config), make: (runtime) => emailRole(new EmailNode(config, runtime)) }
}
