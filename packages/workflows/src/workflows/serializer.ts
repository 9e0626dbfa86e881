import { type SignalDefinition, setHandler } from "@temporalio/workflow"

/**
 * The pieces every per-resource serializer shares (a tenant, a zone, a cluster's LB routes): a
 * loop of rounds driven by a "changed" signal, and per-node error collection.
 */

/** One line for a node that failed: the error and, for an activity failure, its cause. */
export const describeNodeError = (nodeId: string, err: unknown): string => {
  const cause = (err as { cause?: { message?: string } }).cause?.message
  return `node ${nodeId}: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ""}`
}

/** Runs `f` on every node at once, collecting each node's error instead of stopping at the first. */
export const onEveryNode = async (
  nodeIds: ReadonlyArray<string>,
  errors: Array<string>,
  f: (nodeId: string) => Promise<unknown>,
): Promise<void> => {
  await Promise.all(
    nodeIds.map(async (nodeId) => {
      try {
        await f(nodeId)
      } catch (err) {
        errors.push(describeNodeError(nodeId, err))
      }
    }),
  )
}

/**
 * Runs `round` while `signal` says something changed: each round reads the whole desired state,
 * so signals that arrive during a round collapse into one more round, and a signal that arrives as
 * the workflow completes fails the completion and replays into another round — never lost.
 * `round` returns false when there is nothing left to serialize (the resource is gone). Returns
 * "more" after `maxRounds` with work still pending: the caller continues as new (a long history
 * slows replay; the state lives in the database).
 */
export const serializeRounds = async (
  signal: SignalDefinition<[]>,
  maxRounds: number,
  round: () => Promise<boolean>,
): Promise<"done" | "more"> => {
  let dirty = true
  setHandler(signal, () => {
    dirty = true
  })
  for (let i = 0; i < maxRounds; i++) {
    if (!dirty) return "done"
    dirty = false
    if (!(await round())) return "done"
  }
  return dirty ? "more" : "done"
}
