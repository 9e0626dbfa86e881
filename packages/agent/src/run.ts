import { Cause, type Effect, Exit, type ManagedRuntime, Option } from "effect"
import { ConfigRejected } from "./roles.js"

/** What core's managers fail with: a tagged error with words for the activity. */
export type ManagerFailure = { readonly _tag?: string; readonly message: string }

/**
 * A queue that runs each function alone, after everything queued before it (whether that
 * succeeded or failed): a node's changes never plan against each other's half-done state.
 */
export const serialQueue = () => {
  let queue: Promise<unknown> = Promise.resolve()
  return <A>(f: () => Promise<A>): Promise<A> => {
    const next = queue.then(f, f)
    queue = next.catch(() => {})
    return next
  }
}

/**
 * Runs a manager's effect. runPromise would wrap a failure in a FiberFailure, and the activity
 * could no longer tell a refusal (never retried) from an unreachable server (retried): the
 * failure is unwrapped and `asError` says which it is; a defect or interruption is a plain Error.
 */
export const runManaged = async <A, E extends ManagerFailure, R>(
  runtime: ManagedRuntime.ManagedRuntime<R, never>,
  effect: Effect.Effect<A, E, R>,
  asError: (failure: E) => Error,
): Promise<A> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(Cause.pretty(exit.cause))
  throw asError(failure.value)
}

/** A failure tagged `tag` is a ConfigRejected (its message after `prefix`), any other a plain Error. */
export const rejectedAs =
  (tag: string, prefix = "") =>
  (failure: ManagerFailure): Error =>
    failure._tag === tag ? new ConfigRejected(`${prefix}${failure.message}`) : new Error(failure.message)
