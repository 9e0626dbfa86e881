import { AcmeChallenge, TenantName, TenantSpec } from "@hosting/core/node"
import { Schema } from "effect"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { webNodeConfigFromEnv } from "./config.js"
import { type WebManagers, webManagersLayer } from "./managers.js"
import { WebNode } from "./node.js"

/** The web role: tenants' accounts, nginx sites, PHP-FPM pools, apps and SFTP on this node. */
export const webRole = (web: WebNode): AgentRole => ({
  name: "web",
  start: () => web.start(),
  close: () => web.close(),
  activities: {
    ensureTenant: ({ spec }) => classify(() => web.ensureTenant(decode(TenantSpec, spec))),
    removeTenant: ({ tenant }) => classify(() => web.removeTenant(decode(TenantName, tenant))),
    convergeWeb: ({ tenants, plan }) => classify(() => web.converge(decode(Schema.Array(TenantSpec), tenants), plan)),
    exportTenantFiles: ({ tenant }) => classify(() => web.exportTenantFiles(decode(TenantName, tenant))),
    importTenantFiles: ({ tenant, archive }) =>
      classify(() => web.importTenantFiles(decode(TenantName, tenant), archive)),
    putAcmeChallenges: ({ challenges }) =>
      classify(() => web.putAcmeChallenges(decode(Schema.Array(AcmeChallenge), challenges))),
    removeAcmeChallenges: ({ tokens }) =>
      classify(() => web.removeAcmeChallenges(decode(Schema.Array(AcmeChallenge.fields.token), tokens))),
  },
})

/** The web role from the environment: its managers' layer, and the role over the agent's runtime. */
export const webRoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<WebManagers> => {
  const config = webNodeConfigFromEnv(env)
  return { layer: webManagersLayer(config), make: (runtime) => webRole(new WebNode(config, runtime)) }
}
