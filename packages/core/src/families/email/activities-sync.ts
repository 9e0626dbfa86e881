/**
 * The email family's control-plane activities and its serializer's input, as types: workflows
 * import them, the control-plane worker implements them (`activities/index.ts` joins every
 * family's). The node's are in activities.ts.
 */
import type { RoundOutcome } from "../../activities/index.js"
import type { MailDomainSpecJson } from "./activities.js"

/** What one round of a mail domain's sync must do, read from the database. */
export interface MailDomainSnapshot {
  readonly mailDomainId: string
  readonly tenantId: string
  /** The domain's name, for removal. */
  readonly domain: string
  /** Its whole desired state (accounts, suspended with their tenant); null when it is being removed. */
  readonly spec: MailDomainSpecJson | null
  /** The email nodes of its shard. */
  readonly nodeIds: ReadonlyArray<string>
  /** Why it cannot be applied at all (a shard without nodes), if so. */
  readonly problem: string | null
  /** Row revisions read, per table, so only rows nobody changed meanwhile become active. */
  readonly revisions: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]>
}

/** Workflow argument of SyncMailDomainWorkflow. */
export interface SyncMailDomainInput {
  readonly mailDomainId: string
  /** How long a round waits for each node's agent before failing with the reason. */
  readonly nodeTimeoutSeconds: number
}

/** Email activities the control-plane worker serves. */
export interface EmailControlPlaneActivities {
  /** Reads one mail domain's spec, nodes and row revisions, marking pending rows provisioning; null if gone. */
  mailDomainSnapshot(input: { readonly mailDomainId: string }): Promise<MailDomainSnapshot | null>
  /**
   * Records a mail domain round: rows at their snapshot revision become active (or are deleted),
   * or failed; addresses the node left out fail with its reason.
   */
  finishMailDomainSync(
    input: {
      readonly snapshot: MailDomainSnapshot
      readonly rejected?: ReadonlyArray<{ readonly address: string; readonly reason: string }>
    } & RoundOutcome,
  ): Promise<void>
  /** Every live mail domain of an email shard, for its converge. */
  mailShardDomains(input: { readonly shardId: string }): Promise<{
    readonly revision: string
    readonly domains: ReadonlyArray<MailDomainSpecJson>
  }>
  /** Asks the sync of every mail domain of the shard changed after `revision` (a converge read an older state). */
  resyncMailDomainsChangedSince(input: { readonly shardId: string; readonly revision: string }): Promise<number>
}
