/**
 * The tenancy family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */
import type { RoundOutcome } from "../../activities/index.js"
import type { TenantSpec } from "./plan.js"

/** Tenancy activities a node agent serves on its `node-{uuid}` task queue. */
export interface TenancyNodeActivities {
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

/** Tenancy activities the control-plane worker serves. */
export interface TenancyControlPlaneActivities {
  /** Reads one tenant's desired state and row revisions, marking pending rows provisioning; null if gone. */
  tenantSnapshot(input: { readonly tenantId: string }): Promise<TenantSnapshot | null>
  /**
   * Records a sync round: rows still at their snapshot revision become active (or are deleted when
   * they were `deleting`), or failed with the errors; a finished migration moves the tenant.
   */
  finishTenantSync(input: { readonly snapshot: TenantSnapshot } & RoundOutcome): Promise<void>
  /**
   * For each node of a web shard, every non-deleted tenant it must host (from all the web shards
   * it belongs to) as node specs, and the newest revision read.
   */
  webShardSpecs(input: { readonly shardId: string }): Promise<{
    readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly tenants: ReadonlyArray<TenantSpec> }>
    readonly revision: string
  }>
  /** Tenants of a shard changed after `revision` (a converge may have undone them): ask their syncs again. */
  resyncTenantsChangedSince(input: { readonly shardId: string; readonly revision: string }): Promise<number>
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
  /** Absent in snapshots taken before certificates existed. */
  readonly certificates?: ReadonlyArray<readonly [string, string]>
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

/** Workflow argument of SyncTenantWorkflow. */
export interface SyncTenantInput {
  readonly tenantId: string
  /** How long a round waits for each node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}
