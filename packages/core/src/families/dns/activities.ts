/**
 * The DNS family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */
import type { RoundOutcome } from "../../activities/index.js"
import type { Rrset } from "./domain.js"

/** DNS activities a node agent serves on its `node-{uuid}` task queue. */
export interface DnsNodeActivities {
  /** Makes a zone on this DNS node exactly these rrsets, changing only those that differ (idempotent). */
  ensureZone(input: { readonly zone: string; readonly rrsets: ReadonlyArray<Rrset> }): Promise<DnsChangeReport>
  /** The zones this DNS node serves, names without the trailing dot (a converge removes orphans). */
  listZones(): Promise<ReadonlyArray<string>>
  /** Removes a zone from this DNS node (idempotent). */
  removeZone(input: { readonly zone: string }): Promise<DnsChangeReport>
}

/** DNS activities the control-plane worker serves. */
export interface DnsControlPlaneActivities {
  /** Reads one zone's desired rrsets, DNS nodes and row revisions, marking pending rows provisioning; null if gone. */
  zoneSnapshot(input: { readonly zoneId: string }): Promise<ZoneSnapshot | null>
  /** Records a zone sync round: rows at their snapshot revision become active (or are deleted), or failed. */
  finishZoneSync(input: { readonly snapshot: ZoneSnapshot } & RoundOutcome): Promise<void>
  /** Every zone a dns shard's nodes must serve (those of the brands that may use its cluster), planned. */
  dnsShardZones(input: { readonly shardId: string }): Promise<{
    readonly zones: ReadonlyArray<{ readonly zone: string; readonly rrsets: ReadonlyArray<Rrset> }>
  }>
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
