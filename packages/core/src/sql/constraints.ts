import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

const pgCode = (e: SqlError): string | undefined => {
  const cause = e.cause as { readonly code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : undefined
}

/**
 * Turns the constraint violations a caller can cause (duplicate name, row still referenced)
 * into typed errors; every other database failure is a defect (500, logged).
 */
export const onConstraint =
  <E1 = never, E2 = never>(handlers: { readonly unique?: () => E1; readonly foreignKey?: () => E2 }) =>
  <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>): Effect.Effect<A, Exclude<E, SqlError> | E1 | E2, R> =>
    Effect.catchIf(
      effect as Effect.Effect<A, unknown, R>,
      (e: unknown) => (e as { _tag?: string })._tag === "SqlError",
      (e: unknown): Effect.Effect<never, E1 | E2> => {
        const code = pgCode(e as SqlError)
        if (code === "23505" && handlers.unique) return Effect.fail(handlers.unique())
        if (code === "23503" && handlers.foreignKey) return Effect.fail(handlers.foreignKey())
        return Effect.die(e)
      },
    ) as Effect.Effect<A, Exclude<E, SqlError> | E1 | E2, R>
