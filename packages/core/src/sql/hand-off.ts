import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Unavailable } from "../domain/errors.js"
import { failHandOff } from "../lifecycle/rounds.js"

/**
 * The write side of every per-resource serializer (a tenant's sync, a zone's sync): rows a node
 * must see are bumped to `pending` or `deleting` under a new revision from the serializer's
 * sequence, then the serializer is signalled.
 */

/** SET list of a write a node must see: the row waits for the next round under a new revision. */
export const markRow = (sql: SqlClient, status: "pending" | "deleting", revisionSequence: string) =>
  sql`status = ${status}, status_message = NULL, status_details = NULL, revision = nextval(${revisionSequence}), updated_at = now()`

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type WrittenRows<T extends string> = ReadonlyArray<readonly [T, ReadonlyArray<string>]>

/**
 * Signals the serializer. When the workflow engine cannot be reached the rows just written say
 * why and the caller gets the 503: changed rows become `failed` (retry sends them again); rows
 * being deleted stay `deleting` (deleting again sends them again).
 */
export const handOff = <T extends string>(
  sql: SqlClient,
  signal: Effect.Effect<void, Unavailable>,
  written: WrittenRows<T>,
): Effect.Effect<void, Unavailable> =>
  signal.pipe(
    Effect.tapError((e) =>
      Effect.forEach(
        written.filter(([, ids]) => ids.length > 0),
        ([table, ids]) => failHandOff(sql, table, ids, e.message).pipe(Effect.orDie),
        { discard: true },
      ),
    ),
  )
