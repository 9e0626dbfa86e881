import type { MailChangeReport, MailDomainSnapshot, StatusCause, SyncMailDomainInput } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { onNode, roundSteps } from "./activities.js"
import { onEveryNode, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// a domain's maps, passwd-file, scripts and keys, and at most three reloads on the node
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "1 minute", heartbeat: true })

/**
 * The serializer of one mail domain (`mail-domain:{id}:sync`): each round reads the domain's
 * whole desired state (its accounts with their aliases, forwards and auto-reply, suspended with
 * their tenant), makes every email node of its shard hold exactly that (or removes the domain
 * with its mailboxes), and records the outcome; addresses a node left out fail with its reason.
 */
export async function SyncMailDomainWorkflow(input: SyncMailDomainInput): Promise<void> {
  let rejected: Array<MailChangeReport["rejected"][number]> = []
  const apply = async (snap: MailDomainSnapshot): Promise<Array<StatusCause>> => {
    rejected = []
    // a domain being removed from a shard without nodes is simply gone
    if (snap.problem !== null && snap.spec !== null) return [{ message: snap.problem }]
    const causes: Array<StatusCause> = []
    await onEveryNode(snap.nodeIds, causes, async (nodeId) => {
      const call = node(nodeId, input.nodeTimeoutSeconds)
      const report =
        snap.spec === null
          ? await call.removeMailDomain({ domain: snap.domain })
          : await call.ensureMailDomain({ spec: snap.spec })
      for (const r of report.rejected) if (!rejected.some((x) => x.address === r.address)) rejected.push(r)
    })
    return causes
  }
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().mailDomainSnapshot({ mailDomainId: input.mailDomainId }),
    apply,
    finish: (snapshot, causes) => roundSteps().finishMailDomainSync({ snapshot, causes, rejected }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncMailDomainWorkflow>(input)
}
