import type { StatusCause } from "@hosting/core/activities"
import { ActivityFailure, ApplicationFailure, condition, defineSignal, patched, setHandler } from "@temporalio/workflow"
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
 * How a family lets the next round start while this one is being recorded: its snapshot and finish
 * as ordinary (queued) activities, which run beside the node's work instead of holding the
 * workflow task the way local activities do, and whether a round's snapshot allows it (a round
 * whose recording changes what the next one must do — a tenant's move to another shard, a
 * removal — is recorded before the next is read).
 */
export interface Pipeline<S> {
  readonly snapshot: () => Promise<S | null>
  readonly finish: (snap: S, causes: ReadonlyArray<StatusCause>) => Promise<void>
  readonly allowed: (snap: S) => boolean
}

/**
 * A family's serializer rounds: read a snapshot (null: the resource is gone), apply it to the
 * nodes collecting causes, record the outcome. A new family supplies these three steps.
 *
 * With a `pipeline`, a change that arrives while the nodes apply a round is read at once (again
 * for every later change, one read at a time), so when the nodes finish, the next round goes out
 * in the same workflow task, and this round's outcome is recorded beside it, always before the
 * next round's. Three API writes in a row (tenant, webroot, name) made two rounds with a snapshot
 * and a finish between them on the path to the page being served; now there is nothing between
 * them. Rows are recorded by the revision each round read, so an earlier round never marks a later
 * change active.
 */
export const serializeFamily = <S>(
  maxRounds: number,
  steps: {
    readonly snapshot: () => Promise<S | null>
    readonly apply: (snap: S) => Promise<Array<StatusCause>>
    readonly finish: (snap: S, causes: ReadonlyArray<StatusCause>) => Promise<void>
    readonly pipeline?: Pipeline<S>
  },
): Promise<"done" | "more"> => {
  const pipeline = steps.pipeline
  if (pipeline === undefined)
    return serializeRounds(maxRounds, async () => {
      const snap = await steps.snapshot()
      if (snap === null) return false
      await steps.finish(snap, await steps.apply(snap))
      return true
    })
  return serializePipelined(maxRounds, steps, pipeline)
}

const serializePipelined = async <S>(
  maxRounds: number,
  steps: {
    readonly snapshot: () => Promise<S | null>
    readonly apply: (snap: S) => Promise<Array<StatusCause>>
    readonly finish: (snap: S, causes: ReadonlyArray<StatusCause>) => Promise<void>
  },
  pipeline: Pipeline<S>,
): Promise<"done" | "more"> => {
  let dirty = true
  setHandler(changedSignal, () => {
    dirty = true
  })
  // the next round's snapshot, read while this round's nodes worked
  let next: Promise<S | null> | undefined
  // every round's recording so far, in round order
  let recorded: Promise<void> = Promise.resolve()
  for (let i = 0; i < maxRounds; i++) {
    if (!dirty && next === undefined) break
    let snap: S | null
    if (next === undefined) {
      dirty = false
      snap = await steps.snapshot()
    } else {
      snap = await next
      next = undefined
    }
    if (snap === null) {
      await recorded
      return "done"
    }
    let applied = false
    const applying = steps.apply(snap).finally(() => {
      applied = true
    })
    if (pipeline.allowed(snap)) {
      while (!applied) {
        await condition(() => dirty || applied)
        // a run recorded before pipelining waited for the nodes here: replay it that way
        if (applied || !patched("pipelined-rounds")) break
        dirty = false
        let read = false
        next = pipeline.snapshot().finally(() => {
          read = true
        })
        await condition(() => read || applied)
      }
    }
    const causes = await applying
    const done = snap
    if (next === undefined) {
      await recorded
      await steps.finish(done, causes)
    } else {
      recorded = recorded.then(() => pipeline.finish(done, causes))
      // awaited before the next recording or at the end; a failure fails the run there
      recorded.catch(() => {})
    }
  }
  await recorded
  // a snapshot read for a round this run will not make: its rows stay provisioning for the next run
  if (next !== undefined) await next
  return dirty || next !== undefined ? "more" : "done"
}
