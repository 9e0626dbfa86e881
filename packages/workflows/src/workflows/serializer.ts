import type { StatusCause } from "@hosting/core/activities"
import { ActivityFailure, ApplicationFailure, defineSignal, setHandler } from "@temporalio/workflow"
import { CHANGED } from "./activities.js"

/**
 * The pieces every per-resource serializer shares (a tenant, a zone, a cluster's LB routes): a
 * loop of rounds driven by the "changed" signal, and per-node failure causes.
 */

/** Sent by writers after they changed the resource's rows (signal-with-start). */
export const changedSignal = defineSignal(CHANGED)

/** The reason an activity failed, as a user should read it: the error and, for an activity failure, its cause. */
export const reasonOf = (err: unknown): string => {
  const cause = (err as { cause?: { message?: string } }).cause?.message
  return `${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ""}`
}

/** The reason of a failed activity without the wrapper's text (the cause's own message). */
export const innerReasonOf = (err: unknown): string => {
  const cause = err instanceof ActivityFailure ? err.cause : err
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause)
}

/** The cause of a node's failure. */
export const nodeCause = (nodeId: string, err: unknown): StatusCause => ({ node_id: nodeId, message: reasonOf(err) })

/** Runs `f` on every node at once, collecting each node's failure instead of stopping at the first. */
export const onEveryNode = async (
  nodeIds: ReadonlyArray<string>,
  causes: Array<StatusCause>,
  f: (nodeId: string) => Promise<unknown>,
): Promise<void> => {
  await Promise.all(
    nodeIds.map(async (nodeId) => {
      try {
        await f(nodeId)
      } catch (err) {
        causes.push(nodeCause(nodeId, err))
      }
    }),
  )
}

/**
 * Runs `round` while the changed signal says something changed: each round reads the whole
 * desired state, so signals that arrive during a round collapse into one more round, and a signal
 * that arrives as the workflow completes fails the completion and replays into another round —
 * never lost. `round` returns false when there is nothing left to serialize (the resource is
 * gone). Returns "more" after `maxRounds` with work still pending: the caller continues as new (a
 * long history slows replay; the state lives in the database).
 */
export const serializeRounds = async (maxRounds: number, round: () => Promise<boolean>): Promise<"done" | "more"> => {
  let dirty = true
  setHandler(changedSignal, () => {
    dirty = true
  })
  for (let i = 0; i < maxRounds; i++) {
    if (!dirty) return "done"
    dirty = false
    if (!(await round())) return "done"
  }
  return dirty ? "more" : "done"
}

/**
 * A family's serializer rounds: read a snapshot (null: the resource is gone), apply it to the
 * nodes collecting causes, record the outcome. A new family supplies these three steps.
 */
export const serializeFamily = <S>(
  maxRounds: number,
  steps: {
    readonly snapshot: () => Promise<S | null>
    readonly apply: (snap: S) => Promise<Array<StatusCause>>
    readonly finish: (snap: S, causes: ReadonlyArray<StatusCause>) => Promise<void>
  },
): Promise<"done" | "more"> =>
  serializeRounds(maxRounds, async () => {
    const snap = await steps.snapshot()
    if (snap === null) return false
    await steps.finish(snap, await steps.apply(snap))
    return true
  })
