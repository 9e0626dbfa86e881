import type { ControlPlaneActivities, IssueCertificateInput, NodeActivities } from "@hosting/core/activities"
import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from "@temporalio/workflow"
import { onEveryNode } from "./serializer.js"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10 },
})

// An ACME server's answers take seconds; a refusal is final for this order (the activity says
// so), anything else (network, 5xx) is tried a few times.
const acme = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  startToCloseTimeout: "3 minutes",
  retry: { initialInterval: "2 seconds", maximumAttempts: 3 },
})

const onNode = (nodeId: string, timeoutSeconds: number) =>
  proxyActivities<NodeActivities>({
    taskQueue: `node-${nodeId}`,
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    startToCloseTimeout: "1 minute",
    retry: { initialInterval: "500 milliseconds", maximumInterval: "5 seconds" },
  })

// The name becomes servable when its tenant's sync makes it active (usually within a second):
// look again after 250 ms, doubling up to 2 s, for at most 10 minutes, then record that it never did.
const FIRST_WAIT_MS = 250
const MAX_WAIT_MS = 2_000
const GIVE_UP_MS = 10 * 60_000

/** The reason an activity failed, as a user should read it. */
const reason = (err: unknown): string => {
  const cause = err instanceof ActivityFailure ? err.cause : err
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause)
}

/**
 * One FQDN's Let's Encrypt certificate (`fqdn:{id}:acme`): waits until the name is served, orders
 * a certificate, puts the HTTP-01 responses on every node of the tenant's shard, lets the ACME
 * server validate, stores the certificate (the tenant's sync installs it) and removes the
 * responses. Every way it ends is recorded on the FQDN (`acme_status`, `acme_message`).
 */
export async function IssueCertificateWorkflow(input: IssueCertificateInput): Promise<string> {
  let target = await cp.acmeTarget({ fqdnId: input.fqdnId })
  // Date.now() is the workflow's deterministic clock
  const giveUpAt = Date.now() + GIVE_UP_MS
  for (let wait = FIRST_WAIT_MS; target.kind === "wait" && Date.now() < giveUpAt; ) {
    await sleep(wait)
    wait = Math.min(wait * 2, MAX_WAIT_MS)
    target = await cp.acmeTarget({ fqdnId: input.fqdnId })
  }
  switch (target.kind) {
    case "skip":
      return target.why
    case "wait":
    case "fail": {
      const why = target.kind === "wait" ? `gave up waiting: ${target.why}` : target.why
      await cp.acmeFail({ fqdnId: input.fqdnId, message: why })
      return why
    }
  }
  const { hostname, nodeIds } = target
  let state: Awaited<ReturnType<ControlPlaneActivities["acmeOrder"]>>
  try {
    state = await acme.acmeOrder({ hostname })
  } catch (err) {
    const why = `could not place the ACME order: ${reason(err)}`
    await cp.acmeFail({ fqdnId: input.fqdnId, message: why })
    return why
  }
  const tokens = state.challenges.map((c) => c.token)
  const challenges = state.challenges.map(({ token, key_authorization }) => ({ token, key_authorization }))
  try {
    const errors: Array<string> = []
    await onEveryNode(nodeIds, errors, (n) => onNode(n, input.nodeTimeoutSeconds).putAcmeChallenges({ challenges }))
    if (errors.length > 0) {
      const why = `could not place the challenge: ${errors.join("; ")}`
      await cp.acmeFail({ fqdnId: input.fqdnId, message: why })
      return why
    }
    const id = await acme.acmeFinish({ fqdnId: input.fqdnId, hostname, state })
    return id === null ? "issued, but the FQDN no longer wants it" : `issued certificate ${id}`
  } catch (err) {
    const why = `validation or issuance failed: ${reason(err)}`
    await cp.acmeFail({ fqdnId: input.fqdnId, message: why })
    return why
  } finally {
    // best effort: a response left behind only answers a token nobody asks for again
    await onEveryNode(nodeIds, [], (n) => onNode(n, input.nodeTimeoutSeconds).removeAcmeChallenges({ tokens }))
  }
}

/** Starts issuances for names due for renewal (and never issued or failed); run by a schedule. */
export async function RenewCertificatesWorkflow(): Promise<number> {
  return cp.renewCertificates()
}

/** Deletes replaced certificates and takes expired ones off the nodes; run by a schedule. */
export async function CleanupCertificatesWorkflow(): Promise<{ replaced: number; expired: number }> {
  return cp.cleanupCertificates()
}
