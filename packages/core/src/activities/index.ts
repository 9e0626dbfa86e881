/**
 * Activity interfaces shared by workflows (which import them as types only), the control-plane
 * worker and the node agent (which implement them). Inputs and outputs are plain JSON.
 */
import type { NodeFacts } from "../domain/node-probe.js"

/** Encoded (JSON) form of NodeFacts as it crosses Temporal. */
export type NodeFactsJson = ConstructorParameters<typeof NodeFacts>[0]

/** Activities every node agent serves on its `node-{uuid}` task queue. */
export interface NodeActivities {
  /** Reports facts about the node's machine; proves the agent is alive and polling. */
  describeNode(): Promise<NodeFactsJson>
}

/** Activities the control-plane worker serves on the `control-plane` task queue. */
export interface ControlPlaneActivities {
  /** Moves a probe to `provisioning`; idempotent. */
  markProbeProvisioning(input: { readonly probeId: string }): Promise<void>
  /** Records the facts of a finished probe and marks it `active`; idempotent. */
  completeProbe(input: { readonly probeId: string; readonly facts: NodeFactsJson }): Promise<void>
  /** Marks a probe `failed` with the reason; idempotent. */
  failProbe(input: { readonly probeId: string; readonly message: string }): Promise<void>
}

/** Workflow argument of ProbeNodeWorkflow. */
export interface ProbeNodeInput {
  readonly probeId: string
  readonly nodeId: string
  /** How long to wait for the node's agent before failing the probe. */
  readonly timeoutSeconds: number
}
