import * as os from "node:os"
import type { NodeActivities, NodeFactsJson } from "@hosting/core/activities"

/** What the agent knows about itself, fixed at start. */
export interface AgentIdentity {
  readonly nodeId: string
  readonly version: string
}

/** Node activities served on this node's task queue. */
export const createNodeActivities = (identity: AgentIdentity): NodeActivities => ({
  describeNode: async (): Promise<NodeFactsJson> => {
    const [l1, l5, l15] = os.loadavg() as [number, number, number]
    return {
      hostname: os.hostname(),
      platform: `${os.platform()}-${os.arch()}`,
      kernel: os.release(),
      agent_version: identity.version,
      uptime_seconds: Math.round(os.uptime()),
      load_average: [l1, l5, l15],
      memory_total_bytes: os.totalmem(),
      memory_free_bytes: os.freemem(),
      cpus: os.cpus().length,
      reported_at: new Date().toISOString(),
    }
  },
})
