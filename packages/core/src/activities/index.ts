/**
 * Activity interfaces shared by workflows (which import them as types only), the control-plane
 * worker and the node agent (which implement them). Inputs and outputs are plain JSON.
 */

import type { CHANGED_SIGNAL, CONTROL_PLANE_TASK_QUEUE, SERVED_SIGNAL, StatusCause } from "../domain/lifecycle.js"
import type { Rrset } from "../families/dns/domain.js"
import type { LbSpec } from "../families/lb/plan.js"
import type { AcmeChallenge, TenantSpec } from "../families/tenancy/plan.js"
import type { NodeFacts } from "../families/topology/domain-node-probe.js"
import type { S3NodeActivities } from "../families/s3/activities.js"

export type { StatusCause } from "../domain/lifecycle.js"
export type * from "../families/s3/activities.js"

/** The control-plane worker's task queue, as a type: workflow code spells it once and cannot drift. */
export type ControlPlaneTaskQueue = typeof CONTROL_PLANE_TASK_QUEUE
/** A node agent's task queue. */
export type NodeTaskQueue = `node-${string}`
/** The signal every serializer loops on, as a type. */
export type ChangedSignal = typeof CHANGED_SIGNAL
/** The signal that tells a waiting issuance its name's tenant round finished (`fqdn:{id}:acme`). */
export type ServedSignal = typeof SERVED_SIGNAL

/**
 * How a round ended, as its workflow reports it: the causes (empty when it succeeded). Rounds
 * scheduled by workflows older than causes report `errors` (plain lines) instead.
 */
export interface RoundOutcome {
  readonly causes?: ReadonlyArray<StatusCause>
  /** @deprecated plain lines, from workflow runs started before causes existed */
  readonly errors?: ReadonlyArray<string>
}

/** Encoded (JSON) form of NodeFacts as it crosses Temporal. */
export type NodeFactsJson = ConstructorParameters<typeof NodeFacts>[0]

/** Activities every node agent serves on its `node-{uuid}` task queue. */
export interface NodeActivities extends S3NodeActivities {
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
  /** Makes a zone on this DNS node exactly these rrsets, changing only those that differ (idempotent). */
  ensureZone(input: { readonly zone: string; readonly rrsets: ReadonlyArray<Rrset> }): Promise<DnsChangeReport>
  /** The zones this DNS node serves, names without the trailing dot (a converge removes orphans). */
  listZones(): Promise<ReadonlyArray<string>>
  /** Removes a zone from this DNS node (idempotent). */
  removeZone(input: { readonly zone: string }): Promise<DnsChangeReport>
  /**
   * Makes this LB node's HAProxy serve exactly `spec`: routes through the runtime API (no
   * reload), the map file rewritten, config written and reloaded only when backends changed;
   * with `plan`, only reports what it would change.
   */
  ensureLb(input: { readonly spec: LbSpec; readonly plan: boolean }): Promise<LbChangeReport>
  /** Serves these ACME HTTP-01 responses at `/.well-known/acme-challenge/{token}` of every site here. */
  putAcmeChallenges(input: { readonly challenges: ReadonlyArray<AcmeChallenge> }): Promise<void>
  /** Stops serving these ACME challenge responses (idempotent). */
  removeAcmeChallenges(input: { readonly tokens: ReadonlyArray<string> }): Promise<void>
}

/**
 * An ACME order between the activity that created it and the one that finishes it: the ACME
 * server's own objects (plain JSON), and the challenge responses the nodes serve meanwhile.
 */
export interface AcmeOrderState {
  readonly order: { readonly url: string } & Record<string, unknown>
  readonly challenges: ReadonlyArray<AcmeChallenge & { readonly challenge: Record<string, unknown> }>
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
  finishShardConverge(input: { readonly shardId: string } & RoundOutcome): Promise<void>
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
  /** Shard role, for the converge workflow to pick what to ensure. */
  shardRole(input: { readonly shardId: string }): Promise<string>
  /** Every lb shard of a cluster with its nodes and the spec they must serve (none: no LB). */
  lbClusterTargets(input: { readonly clusterId: string }): Promise<ReadonlyArray<LbTarget>>
  /** The spec the nodes of one lb shard must serve, for its convergence. */
  lbShardSpec(input: { readonly shardId: string }): Promise<LbSpec>
  /** Asks the LB sync of an lb shard's cluster for a round (after a converge read an older mapping). */
  requestLbSyncOfShard(input: { readonly shardId: string }): Promise<void>
  /** Reads one zone's desired rrsets, DNS nodes and row revisions, marking pending rows provisioning; null if gone. */
  zoneSnapshot(input: { readonly zoneId: string }): Promise<ZoneSnapshot | null>
  /** Records a zone sync round: rows at their snapshot revision become active (or are deleted), or failed. */
  finishZoneSync(input: { readonly snapshot: ZoneSnapshot } & RoundOutcome): Promise<void>
  /** Every zone a dns shard's nodes must serve (those of the brands that may use its cluster), planned. */
  dnsShardZones(input: { readonly shardId: string }): Promise<{
    readonly zones: ReadonlyArray<{ readonly zone: string; readonly rrsets: ReadonlyArray<Rrset> }>
  }>
  /** Deletes audit entries older than the configured retention; returns how many. */
  purgeAuditLogs(): Promise<number>
  /** Whether an FQDN's Let's Encrypt issuance can go ahead, and on which nodes (marks it `issuing`). */
  acmeTarget(input: { readonly fqdnId: string }): Promise<AcmeTarget>
  /** Places a new ACME order for the host name and returns its HTTP-01 challenges. */
  acmeOrder(input: { readonly hostname: string }): Promise<AcmeOrderState>
  /**
   * Tells the ACME server the challenges are served, waits for validation, finalizes with a new
   * key and stores the certificate (handed to the tenant's sync); its id, or null when the FQDN
   * no longer wants it.
   */
  acmeFinish(input: {
    readonly fqdnId: string
    readonly hostname: string
    readonly state: AcmeOrderState
  }): Promise<string | null>
  /** Records why an FQDN's issuance failed. */
  acmeFail(input: { readonly fqdnId: string; readonly message: string }): Promise<void>
  /** Starts issuances for every name due for renewal (or never issued); returns how many. */
  renewCertificates(): Promise<number>
  /** Deletes replaced certificates and takes expired ones off the nodes. */
  cleanupCertificates(): Promise<{ readonly replaced: number; readonly expired: number }>
}

/** Workflow argument of ConvergeShardWorkflow. */
export interface ConvergeShardInput {
  readonly shardId: string
  /** Dry run: collect each node's planned changes and change nothing. */
  readonly plan?: boolean
  /** How long to wait for each node's agent before reporting the node as failed. */
  readonly nodeTimeoutSeconds: number
}

/** Workflow argument of IssueCertificateWorkflow. */
export interface IssueCertificateInput {
  readonly fqdnId: string
  /** How long each node's agent may take to place or remove a challenge file. */
  readonly nodeTimeoutSeconds: number
}

/** Workflow argument of SyncTenantWorkflow. */
export interface SyncTenantInput {
  readonly tenantId: string
  /** How long a round waits for each node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Where an issuance stands before it talks to the ACME server. */
export type AcmeTarget =
  /** The name is served on these nodes: go. */
  | { readonly kind: "ready"; readonly hostname: string; readonly nodeIds: ReadonlyArray<string> }
  /** Not yet served (the tenant's sync has not made it active, or the tenant is moving): ask again. */
  | { readonly kind: "wait"; readonly why: string }
  /** Nothing to issue any more (deleted, `tls: none`): stop without a trace. */
  | { readonly kind: "skip"; readonly why: string }
  /** Cannot be issued as things stand: recorded on the FQDN. */
  | { readonly kind: "fail"; readonly why: string }

/** A certificate an ACME server issued, as stored. */
export interface IssuedCertificate {
  readonly certificatePem: string
  readonly privateKeyPem: string
  readonly subject: string
  readonly names: ReadonlyArray<string>
  readonly fingerprint: string
  readonly notBefore: string
  readonly notAfter: string
}

/** Workflow argument of SyncLbWorkflow. */
export interface SyncLbInput {
  readonly clusterId: string
  /** How long a round waits for each LB node's agent before recording the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Workflow argument of ProbeNodeWorkflow. */
export interface ProbeNodeInput {
  readonly probeId: string
  readonly nodeId: string
  /** How long to wait for the node's agent before failing the probe. */
  readonly timeoutSeconds: number
}

/** What a DNS node changed for one zone. */
export interface DnsChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    readonly kind: "zone" | "rrset"
    readonly target: string
  }>
}

/** What one round of a zone's sync must do, read from the database. */
export interface ZoneSnapshot {
  readonly zoneId: string
  readonly zoneName: string
  /** The zone's desired rrsets; `null` when the zone is being deleted. */
  readonly rrsets: ReadonlyArray<Rrset> | null
  /** Records the planner left out, with the reason (they become failed). */
  readonly rejected: ReadonlyArray<{ readonly id: string; readonly reason: string }>
  /** DNS nodes serving the zone's brand. */
  readonly nodeIds: ReadonlyArray<string>
  /** Why the zone cannot be served at all (no DNS node for its brand), if so. */
  readonly problem: string | null
  /** Row revisions read, so only rows nobody changed meanwhile become active. */
  readonly revisions: {
    readonly zones: ReadonlyArray<readonly [string, string]>
    readonly dns_records: ReadonlyArray<readonly [string, string]>
  }
}

/** Workflow argument of SyncZoneWorkflow. */
export interface SyncZoneInput {
  readonly zoneId: string
  /** How long a round waits for each DNS node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}
