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
  /** Node ids of a shard, read when convergence starts. */
  shardNodeIds(input: { readonly shardId: string }): Promise<ReadonlyArray<string>>
  /** Records a convergence outcome: active, or failed with each node's error; idempotent. */
  finishShardConverge(input: { readonly shardId: string; readonly errors: ReadonlyArray<string> }): Promise<void>
  /** Deletes audit entries older than the configured retention; returns how many. */
  purgeAuditLogs(): Promise<number>
}

/** Workflow argument of ConvergeShardWorkflow. */
export interface ConvergeShardInput {
  readonly shardId: string
  /** How long to wait for each node's agent before reporting the node as failed. */
  readonly nodeTimeoutSeconds: number
}

/** Workflow argument of ProbeNodeWorkflow. */
export interface ProbeNodeInput {
  readonly probeId: string
  readonly nodeId: string
  /** How long to wait for the node's agent before failing the probe. */
  readonly timeoutSeconds: number
}
