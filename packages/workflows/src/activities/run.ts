import { ApplicationFailure } from "@temporalio/activity"
import { Cause, type Effect, Exit, type ManagedRuntime } from "effect"

/** Runs an Effect on the worker's runtime and turns failures into Temporal failures. */
export const runActivity = async <A, E, R>(
  runtime: ManagedRuntime.ManagedRuntime<R, never>,
  effect: Effect.Effect<A, E, R>,
): Promise<A> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const e = failure.value as { _tag?: string; message?: string }
    // Typed failures are decisions (bad input, missing row): retrying cannot change them.
    throw ApplicationFailure.nonRetryable(e.message ?? String(e), e._tag ?? "Error")
  }
  // Defects (database down, bugs) are retried by Temporal's policy.
  throw new Error(Cause.pretty(exit.cause))
}
