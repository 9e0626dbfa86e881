/**
 * The email node's activities, as types: workflows import them (type-only) through NodeActivities,
 * the agent's email role implements them. Inputs and outputs are plain JSON.
 */
import type { MailDomainSpec } from "./domain.js"

/** Encoded (JSON) form of a mail domain's spec as it crosses Temporal. */
export type MailDomainSpecJson = typeof MailDomainSpec.Encoded

/** What an email node changed (or would change). */
export interface MailChangeReport {
  readonly changes: ReadonlyArray<{
    readonly action: "create" | "update" | "delete"
    /** `postfix_map`, `dovecot_users`, `sieve_script`, `dkim_table`, `dkim_key`, `mail_domain_files`. */
    readonly kind: string
    readonly target: string
  }>
  readonly reloads: { readonly postfix: number; readonly dovecot: number; readonly opendkim: number }
  /** Addresses released from suspension (or removed) whose deferred mail Postfix retried at once. */
  readonly flushed: ReadonlyArray<string>
  /** Aliases, accounts or domains the planner left out, with why; the rest was applied. */
  readonly rejected: ReadonlyArray<{ readonly address: string; readonly reason: string }>
}

/** What an email node serves, for the control plane and diagnostics. */
export interface MailServerDescription {
  readonly domains: ReadonlyArray<string>
  readonly accounts: number
  readonly daemons: { readonly postfix: boolean; readonly dovecot: boolean; readonly opendkim: boolean }
  readonly ports: { readonly smtp: number; readonly submission: number; readonly imap: number }
}

/** Activities an agent with the `email` role serves on its node's task queue. */
export interface EmailNodeActivities {
  /** Makes one mail domain exactly `spec` on this node, leaving its other domains as they are (idempotent). */
  ensureMailDomain(input: { readonly spec: MailDomainSpecJson }): Promise<MailChangeReport>
  /** Removes a mail domain: its map entries, accounts, scripts, key and mailbox files (idempotent). */
  removeMailDomain(input: { readonly domain: string }): Promise<MailChangeReport>
  /**
   * Makes this node host exactly these domains (others and their files removed); with `plan`,
   * only reports what it would change.
   */
  convergeMail(input: {
    readonly domains: ReadonlyArray<MailDomainSpecJson>
    readonly plan: boolean
  }): Promise<MailChangeReport>
  /** What the node hosts and whether its daemons run. */
  describeMailServer(): Promise<MailServerDescription>
}
