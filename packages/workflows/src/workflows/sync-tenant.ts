import type { StatusCause, SyncTenantInput, TenantSnapshot } from "@hosting/core/activities"
import { continueAsNew } from "@temporalio/workflow"
import { onNode, roundSteps } from "./activities.js"
import { nodeCause, onEveryNode, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// a tenant's ensure writes files and tests and reloads nginx and php-fpm
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "5 minutes", heartbeat: true })

const round = async (snap: TenantSnapshot, timeoutSeconds: number): Promise<Array<StatusCause>> => {
  const causes: Array<StatusCause> = []
  const ensure = (nodeIds: ReadonlyArray<string>) =>
    onEveryNode(nodeIds, causes, (n) =>
      snap.spec === null
        ? node(n, timeoutSeconds).removeTenant({ tenant: snap.tenantName })
        : node(n, timeoutSeconds).ensureTenant({ spec: snap.spec }),
    )
  if (snap.migrateNodeIds === null) {
    if (snap.nodeIds.length === 0) causes.push({ message: "the tenant's shard has no nodes" })
    else await ensure(snap.nodeIds)
    return causes
  }
  // migration: everything up on the target first, then the source is cleaned
  const target = snap.migrateNodeIds.filter((n) => !snap.nodeIds.includes(n))
  const source = snap.nodeIds.filter((n) => !snap.migrateNodeIds!.includes(n))
  if (snap.migrateNodeIds.length === 0) return [{ message: "the target shard has no nodes" }]
  await ensure(snap.migrateNodeIds)
  if (causes.length > 0 || snap.spec === null) return causes
  const from = source[0] ?? snap.nodeIds[0]
  if (from !== undefined && target.length > 0) {
    try {
      const archive = await node(from, timeoutSeconds).exportTenantFiles({ tenant: snap.tenantName })
      await onEveryNode(target, causes, (n) =>
        node(n, timeoutSeconds).importTenantFiles({ tenant: snap.tenantName, archive }),
      )
    } catch (err) {
      causes.push(nodeCause(from, err))
    }
  }
  if (causes.length > 0) return causes
  await onEveryNode(source, causes, (n) => node(n, timeoutSeconds).removeTenant({ tenant: snap.tenantName }))
  return causes
}

/**
 * The serializer of one tenant (`tenant:{id}:sync`): each round reads the tenant's whole desired
 * state from the database, ensures it on every node of its shard and records the outcome; a signal
 * during a round asks for another. Changes to one tenant therefore never race, and none is lost:
 * a signal that arrives as the workflow completes fails the completion and replays into a round.
 */
export async function SyncTenantWorkflow(input: SyncTenantInput): Promise<void> {
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().tenantSnapshot({ tenantId: input.tenantId }),
    apply: (snap) => round(snap, input.nodeTimeoutSeconds),
    finish: (snapshot, causes) => roundSteps().finishTenantSync({ snapshot, causes }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncTenantWorkflow>(input)
}
