import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect, ParseResult, Schema } from "effect"

/** Timestamps arrive as Date from node-postgres; the wire format is ISO-8601 text. */
export const isoTimestamps = (row: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v
  return out
}

/**
 * Decoder from a database row to an entity. A row that does not decode is a bug in our own
 * schema or migration, not a caller's mistake, so it becomes a defect.
 */
export const rowDecoder =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (row: unknown): Effect.Effect<A> =>
    Schema.decodeUnknown(schema)(isoTimestamps(row as Record<string, unknown>)).pipe(
      Effect.mapError(
        (e) => new Error(`row does not match ${String(schema.ast)}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`),
      ),
      Effect.orDie,
    )

/**
 * A text[] parameter that works with any SqlClient: passed as one JSON string and unpacked by
 * the server, so no driver-specific array binding is needed.
 */
export const textArray = (sql: SqlClient, values: ReadonlyArray<string>) =>
  sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`
