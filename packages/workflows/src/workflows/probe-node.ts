import type { ProbeNodeInput } from "@hosting/core/activities"
import { ApplicationFailure } from "@temporalio/workflow"
import { cp, onNode } from "./activities.js"

/**
 * Probes one node: the smallest round trip through the whole chain. The node activity's
 * scheduleToClose (input.timeoutSeconds, 60 s by default) bounds how long a probe of a dead node
 * stays `provisioning`: long enough to ride out an agent restart, after which the probe is failed
 * with the reason.
 */
export async function ProbeNodeWorkflow(input: ProbeNodeInput): Promise<void> {
  const node = onNode(input.nodeId, {
    timeoutSeconds: input.timeoutSeconds,
    startToClose: "10 seconds",
    initialInterval: "1 second",
  })
  await cp.markProbeProvisioning({ probeId: input.probeId })
  try {
    const facts = await node.describeNode()
    await cp.completeProbe({ probeId: input.probeId, facts })
  } catch (err) {
    const message = err instanceof Error ? describeFailure(err) : String(err)
    await cp.failProbe({ probeId: input.probeId, message })
    throw ApplicationFailure.nonRetryable(message, "ProbeFailed")
  }
}

function describeFailure(err: Error): string {
  // ActivityFailure wraps the real reason (timeout, application error) in `cause`
  const cause = (err as { cause?: unknown }).cause
  if (cause instanceof Error) return `${err.message}: ${cause.message}`
  return err.message
}
