import { Context, type Effect } from "effect"
import type { Unavailable } from "../domain/errors.js"

/** What it takes to start one workflow execution. */
export interface WorkflowStart {
  readonly workflowType: string
  readonly workflowId: string
  readonly taskQueue: string
  readonly args: ReadonlyArray<unknown>
}

/**
 * Port to the workflow engine (Temporal in every deployment). Starting an id that is already
 * running is not an error: the caller gets the existing run, which is what makes a repeated
 * request safe.
 */
export class WorkflowEngine extends Context.Tag("@hosting/WorkflowEngine")<
  WorkflowEngine,
  {
    readonly start: (w: WorkflowStart) => Effect.Effect<void, Unavailable>
    /** Runs a workflow to completion and returns its result (for short, read-only workflows). */
    readonly execute: (w: WorkflowStart & { readonly timeoutSeconds: number }) => Effect.Effect<unknown, Unavailable>
    /**
     * Sends `signal` to the running workflow with this id, starting it first if none runs: the
     * way to hand more work to a per-resource serializer without racing its completion.
     */
    readonly signalWithStart: (w: WorkflowStart & { readonly signal: string }) => Effect.Effect<void, Unavailable>
    /** Sends `signal` to the workflow with this id if one runs; none running is not an error. */
    readonly signal: (w: { readonly workflowId: string; readonly signal: string }) => Effect.Effect<void, Unavailable>
  }
>() {}
