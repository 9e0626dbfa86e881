import { type HaproxyManager, LbSpec } from "@hosting/core/node"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { lbNodeConfigFromEnv } from "./config.js"
import { LbNode, lbManagersLayer } from "./node.js"

/** The lb role: a HAProxy routing host names to web shards. */
export const lbRole = (lb: LbNode): AgentRole => ({
  name: "lb",
  start: () => lb.start(),
  close: () => lb.close(),
  activities: {
    ensureLb: ({ spec, plan }) => classify(() => lb.apply(decode(LbSpec, spec), plan)),
  },
})

/** The lb role from the environment: its managers' layer, and the role over the agent's runtime. */
export const lbRoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<HaproxyManager> => {
  const config = lbNodeConfigFromEnv(env)
  return { layer: lbManagersLayer(config), make: (runtime) => lbRole(new LbNode(config, runtime)) }
}
