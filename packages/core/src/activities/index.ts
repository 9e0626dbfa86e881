/**
 * Activity interfaces shared by workflows (which import them as types only), the control-plane
 * worker and the node agent (which implement them). Inputs and outputs are plain JSON.
 */
import type { NodeFacts } from "../domain/node-probe.js"
import type { TenantSpec } from "../domain/web.js"

/** Encoded (JSON) form of NodeFacts as it crosses Temporal. */
export type NodeFactsJson = ConstructorParameters<typeof NodeFacts>[0]

/** Activities every node agent serves on its `node-{uuid}` task queue. */
export interface NodeActivities {
  /** Reports facts about the node's machine; proves the agent is alive and polling. */
  describeNode(): Promise<NodeFactsJson>
  /** Ensures one tenant's whole web state on this node (idempotent). */
  ensureTenant(input: { readonly spec: TenantSpec }): Promise<WebChangeReport>
  /**
   * Packs the tenant's files (its webroots) for a migration and offers them for download from
   * this node's transfer listener, once, with a secret token.
   */
  exportTenantFiles(input: { readonly tenant: string }): Promise<TenantArchive>
  /** Downloads a tenant archive from another node and unpacks it into the tenant's home here. */
  importTenantFiles(input: { readonly tenant: string; readonly archive: TenantArchive }): Promise<void>
  /** Removes everything of a tenant from this node (idempotent). */
  removeTenant(input: { readonly tenant: string }): Promise<WebChangeReport>
  /**
   * Converges this node's web tier to exactly these tenants, one reload per daemon; with `plan`,
   * only reports what it would change.
   */
  convergeWeb(input: { readonly tenants: ReadonlyArray<TenantSpec>; readonly plan: boolean }): Promise<WebChangeReport>
}

/** Where a migrating tenant's packed files can be fetched, and how to check them. */
export interface TenantArchive {
  readonly url: string
  readonly token: string
  readonly sha256: string
  readonly bytes: number
}

/** What a node changed (or would change) in its web tier. */
export interface WebChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    readonly kind: string
    readonly target: string
  }>
  readonly reloads: { readonly nginx: number; readonly php: number }
  /** Per-tenant failures; the rest of the node was still converged. */
  readonly errors: ReadonlyArray<{ readonly tenant: string; readonly message: string }>
}

/** Row revisions a sync read, so it marks active only rows nobody changed meanwhile. */
export interface TenantRevisions {
  readonly tenants: ReadonlyArray<readonly [string, string]>
  readonly webroots: ReadonlyArray<readonly [string, string]>
  readonly fqdns: ReadonlyArray<readonly [string, string]>
  readonly ssh_keys: ReadonlyArray<readonly [string, string]>
}

/** What one round of a tenant's sync must do, read from the database. */
export interface TenantSnapshot {
  readonly tenantId: string
  /** The tenant's desired state; `null` when the tenant itself is being deleted. */
  readonly spec: TenantSpec | null
  readonly tenantName: string
  /** Nodes of the tenant's current shard. */
  readonly nodeIds: ReadonlyArray<string>
  /** Nodes of the shard it migrates to, when a migration is pending. */
  readonly migrateNodeIds: ReadonlyArray<string> | null
  readonly revisions: TenantRevisions
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
  /** Reads one tenant's desired state and row revisions, marking pending rows provisioning; null if gone. */
  tenantSnapshot(input: { readonly tenantId: string }): Promise<TenantSnapshot | null>
  /**
   * Records a sync round: rows still at their snapshot revision become active (or are deleted when
   * they were `deleting`), or failed with the errors; a finished migration moves the tenant.
   */
  finishTenantSync(input: { readonly snapshot: TenantSnapshot; readonly errors: ReadonlyArray<string> }): Promise<void>
  /** Every non-deleted tenant of a web shard as node specs, and the newest revision read. */
  webShardSpecs(input: { readonly shardId: string }): Promise<{
    readonly tenants: ReadonlyArray<TenantSpec>
    readonly revision: string
  }>
  /** Tenants of a shard changed after `revision` (a converge may have undone them): ask their syncs again. */
  resyncTenantsChangedSince(input: { readonly shardId: string; readonly revision: string }): Promise<number>
  /** Shard role, for the converge workflow to pick what to ensure. */
  shardRole(input: { readonly shardId: string }): Promise<string>
  /** Deletes audit entries older than the configured retention; returns how many. */
  purgeAuditLogs(): Promise<number>
}

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
