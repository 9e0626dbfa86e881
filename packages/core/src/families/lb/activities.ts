/**
 * The LB family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */
import type { LbSpec } from "./plan.js"

/** LB activities a node agent serves on its `node-{uuid}` task queue. */
export interface LbNodeActivities {
  /**
   * Makes this LB node's HAProxy serve exactly `spec`: routes through the runtime API (no
   * reload), the map file rewritten, config written and reloaded only when backends changed;
   * with `plan`, only reports what it would change.
   */
  ensureLb(input: { readonly spec: LbSpec; readonly plan: boolean }): Promise<LbChangeReport>
}

/** LB activities the control-plane worker serves. */
export interface LbControlPlaneActivities {
  /** Every lb shard of a cluster with its nodes and the spec they must serve (none: no LB). */
  lbClusterTargets(input: { readonly clusterId: string }): Promise<ReadonlyArray<LbTarget>>
  /** The spec the nodes of one lb shard must serve, for its convergence. */
  lbShardSpec(input: { readonly shardId: string }): Promise<LbSpec>
  /** Asks the LB sync of an lb shard's cluster for a round (after a converge read an older mapping). */
  requestLbSyncOfShard(input: { readonly shardId: string }): Promise<void>
}

/** What an LB node changed (or would change). */
export interface LbChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    /** `lb_route` (target: host name, detail: backend), `haproxy_config`, `lb_map_file`. */
    readonly kind: string
    readonly target: string
    readonly detail?: string
  }>
  readonly reloads: { readonly haproxy: number }
}

/** The LB nodes of one lb shard and the spec they must serve. */
export interface LbTarget {
  readonly shardId: string
  readonly nodeIds: ReadonlyArray<string>
  readonly spec: LbSpec
}

/** Workflow argument of SyncLbWorkflow. */
export interface SyncLbInput {
  readonly clusterId: string
  /** How long a round waits for each LB node's agent before recording the reason. */
  readonly nodeTimeoutSeconds: number
}
