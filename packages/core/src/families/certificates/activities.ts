/**
 * The certificates family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */
import type { AcmeChallenge } from "../tenancy/plan.js"

/** Certificates activities a node agent serves on its `node-{uuid}` task queue. */
export interface CertificatesNodeActivities {
  /** Serves these ACME HTTP-01 responses at `/.well-known/acme-challenge/{token}` of every site here. */
  putAcmeChallenges(input: { readonly challenges: ReadonlyArray<AcmeChallenge> }): Promise<void>
  /** Stops serving these ACME challenge responses (idempotent). */
  removeAcmeChallenges(input: { readonly tokens: ReadonlyArray<string> }): Promise<void>
}

/** Certificates activities the control-plane worker serves. */
export interface CertificatesControlPlaneActivities {
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

/**
 * An ACME order between the activity that created it and the one that finishes it: the ACME
 * server's own objects (plain JSON), and the challenge responses the nodes serve meanwhile.
 */
export interface AcmeOrderState {
  readonly order: { readonly url: string } & Record<string, unknown>
  readonly challenges: ReadonlyArray<AcmeChallenge & { readonly challenge: Record<string, unknown> }>
}

/** Workflow argument of IssueCertificateWorkflow. */
export interface IssueCertificateInput {
  readonly fqdnId: string
  /** How long each node's agent may take to place or remove a challenge file. */
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
