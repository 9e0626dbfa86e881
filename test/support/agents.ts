// Waits until a node's agent answers through the platform (a probe completes), so a test that
// just started an agent does not race its start-up against a short agent timeout.
import type { PromiseClient } from "@hosting/sdk"

export const waitForAgent = async (client: PromiseClient, nodeId: string, attempts = 20): Promise<void> => {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const probe = await client.nodes.probe({ path: { id: nodeId as never } })
    for (let i = 0; i < 100; i++) {
      const p = await client.nodes.getProbe({ path: { id: probe.id } })
      if (p.status === "active") return
      if (p.status === "failed") break
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  throw new Error(`the agent of node ${nodeId} did not answer`)
}
