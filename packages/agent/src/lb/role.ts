import { LbSpec } from "@hosting/core/node"
import { type AgentRole, classify, decode } from "../roles.js"
import { lbNodeConfigFromEnv } from "./config.js"
import { LbNode } from "./node.js"

/** The lb role: a HAProxy routing host names to web shards. */
export const lbRole = (lb: LbNode): AgentRole => ({
  name: "lb",
  start: () => lb.start(),
  close: () => lb.close(),
  activities: {
    ensureLb: ({ spec, plan }) => classify(() => lb.apply(decode(LbSpec, spec), plan)),
  },
})

/** The lb role from the environment (HOSTING_LB_ROOT, its listener, the haproxy binary). */
export const lbRoleFromEnv = (env: NodeJS.ProcessEnv): AgentRole => lbRole(new LbNode(lbNodeConfigFromEnv(env)))
