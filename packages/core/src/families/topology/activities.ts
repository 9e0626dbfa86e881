/**
 * The topology family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */
import type { RoundOutcome } from "../../activities/index.js"
import type { NodeFacts } from "./domain-node-probe.js"

/** Topology activities a node agent serves on its `node-{uuid}` task queue. */
export interface TopologyNodeActivities {
  /** Reports facts about the node's machine; proves the agent is alive and polling. */
  describeNode(): Promise<NodeFactsJson>
}

/** Topology activities the control-plane worker serves. */
export interface TopologyControlPlaneActivities {
  /** Moves a probe to `provisioning`; idempotent. */
  markProbeProvisioning(input: { readonly probeId: string }): Promise<void>
  /** Records the facts of a finished probe and marks it `active`; idempotent. */
  completeProbe(input: { readonly probeId: string; readonly facts: NodeFactsJson }): Promise<void>
  /** Marks a probe `failed` with the reason; idempotent. */
  failProbe(input: { readonly probeId: string; readonly message: string }): Promise<void>
  /** Node ids of a shard, read when convergence starts. */
  shardNodeIds(input: { readonly shardId: string }): Promise<ReadonlyArray<string>>
  /** Records a convergence outcome: active, or failed with each node's error; idempotent. */
  finishShardConverge(input: { readonly shardId: string } & RoundOutcome): Promise<void>
  /** Shard role, for the converge workflow to pick what to ensure. */
  shardRole(input: { readonly shardId: string }): Promise<string>
}

/** Encoded (JSON) form of NodeFacts as it crosses Temporal. */
export type NodeFactsJson = ConstructorParameters<typeof NodeFacts>[0]

/** Workflow argument of ConvergeShardWorkflow. */
export interface ConvergeShardInput {
  readonly shardId: string
  /** Dry run: collect each node's planned changes and change nothing. */
  readonly plan?: boolean
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
