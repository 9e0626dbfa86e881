import type { ControlPlaneActivities, IssueCertificateInput, StatusCause } from "@hosting/core/activities"
import { condition, defineSignal, patched, setHandler, sleep } from "@temporalio/workflow"
import { controlPlane, cp, onNode, SERVED } from "./activities.js"
import { onEveryNode, innerReasonOf as reason } from "./serializer.js"

// An ACME server's answers take seconds; a refusal is final for this order (the activity says
// so), anything else (network, 5xx) is tried a few times.
const acme = controlPlane("3 minutes", { initialInterval: "2 seconds", maximumAttempts: 3 })

// placing or removing a challenge file is one small write
const node = (nodeId: string, timeoutSeconds: number) => onNode(nodeId, { timeoutSeconds, startToClose: "1 minute" })

/** Sent by the tenant's sync when a round recorded the name (served or failed). */
export const servedSignal = defineSignal(SERVED)

// The name becomes servable when its tenant's sync makes it active (usually within a second); the
// round that records it signals. Wait at most 10 minutes, then record that it never was.
const GIVE_UP_MS = 10 * 60_000
// Runs started before the signal existed poll: after 250 ms, doubling up to 2 s.
const FIRST_WAIT_MS = 250
const MAX_WAIT_MS = 2_000

/**
 * One FQDN's Let's Encrypt certificate (`fqdn:{id}:acme`): waits until the name is served, orders
 * a certificate, puts the HTTP-01 responses on every node of the tenant's shard, lets the ACME
 * server validate, stores the certificate (the tenant's sync installs it) and removes the
 * responses. Every way it ends is recorded on the FQDN (`acme_status`, `acme_message`).
 */
export async function IssueCertificateWorkflow(input: IssueCertificateInput): Promise<string> {
  let served = false
  setHandler(servedSignal, () => {
    served = true
  })
  let target = await cp.acmeTarget({ fqdnId: input.fqdnId })
  // Date.now() is the workflow's deterministic clock
  const giveUpAt = Date.now() + GIVE_UP_MS
  if (patched("acme-served-signal")) {
    // a signal that came while acmeTarget read is kept: the next read sees what it recorded
    while (target.kind === "wait" && (await condition(() => served, Math.max(giveUpAt - Date.now(), 1)))) {
      served = false
      target = await cp.acmeTarget({ fqdnId: input.fqdnId })
    }
  } else {
    for (let wait = FIRST_WAIT_MS; target.kind === "wait" && Date.now() < giveUpAt; ) {
      await sleep(wait)
      wait = Math.min(wait * 2, MAX_WAIT_MS)
      target = await cp.acmeTarget({ fqdnId: input.fqdnId })
    }
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
    const causes: Array<StatusCause> = []
    await onEveryNode(nodeIds, causes, (n) => node(n, input.nodeTimeoutSeconds).putAcmeChallenges({ challenges }))
    if (causes.length > 0) {
      const why = `could not place the challenge: ${causes.map((c) => `node ${c.node_id}: ${c.message}`).join("; ")}`
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
    await onEveryNode(nodeIds, [], (n) => node(n, input.nodeTimeoutSeconds).removeAcmeChallenges({ tokens }))
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
