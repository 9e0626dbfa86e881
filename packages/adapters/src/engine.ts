import { Unavailable, WorkflowEngine } from "@hosting/core"
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from "@temporalio/client"
import { Effect, Layer } from "effect"

const unavailable = (e: unknown) =>
  new Unavailable({ message: `workflow engine: ${e instanceof Error ? e.message : String(e)}` })

/** WorkflowEngine backed by a Temporal client. */
export const temporalWorkflowEngine = (client: Client) =>
  Layer.succeed(
    WorkflowEngine,
    WorkflowEngine.of({
      start: (w) =>
        Effect.tryPromise({
          try: () =>
            client.workflow.start(w.workflowType, {
              workflowId: w.workflowId,
              taskQueue: w.taskQueue,
              args: [...w.args],
            }),
          catch: (e) => e,
        }).pipe(
          Effect.asVoid,
          // Same id already running: the earlier request's workflow does the work.
          Effect.catchIf(
            (e) => e instanceof WorkflowExecutionAlreadyStartedError,
            () => Effect.void,
          ),
          Effect.mapError(unavailable),
        ),
      execute: (w) =>
        Effect.tryPromise({
          try: () =>
            client.workflow.execute(w.workflowType, {
              workflowId: w.workflowId,
              taskQueue: w.taskQueue,
              args: [...w.args],
              workflowExecutionTimeout: `${w.timeoutSeconds} seconds`,
            }),
          catch: unavailable,
        }),
      signalWithStart: (w) =>
        Effect.tryPromise({
          try: () =>
            client.workflow.signalWithStart(w.workflowType, {
              workflowId: w.workflowId,
              taskQueue: w.taskQueue,
              args: [...w.args],
              signal: w.signal,
              signalArgs: [],
            }),
          catch: unavailable,
        }).pipe(Effect.asVoid),
      signal: (w) =>
        Effect.tryPromise({
          try: () => client.workflow.getHandle(w.workflowId).signal(w.signal),
          catch: (e) => e,
        }).pipe(
          // nobody waits for it (finished, or never started): nothing to tell
          Effect.catchIf(
            (e) => e instanceof WorkflowNotFoundError,
            () => Effect.void,
          ),
          Effect.mapError(unavailable),
        ),
    }),
  )
