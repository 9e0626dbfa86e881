import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { STATUS_MESSAGE_MAX, type StatusCause, type StatusDetails, statusMessageOf } from "../domain/lifecycle.js"

/**
 * The database side of every serializer round, written once: a round marks its family's
 * `pending` rows `provisioning`, reads them with their revisions, and records the outcome only
 * on rows still at the revision it read — `active` (or deleted when they were `deleting`), or
 * `failed` with the causes. A change made during a round therefore stays pending for the next.
 */

/** A family's tables: the root row (`tenants`, `zones`) and the child tables pointing at it. */
export interface FamilyTables<T extends string> {
  readonly root: T
  /** Child tables, each with `parentColumn` naming the root row. */
  readonly children: ReadonlyArray<T>
  readonly parentColumn: string
}

/** `[id, revision]` of every row a round read, per table, in the order they are recorded. */
export type RoundRevisions<T extends string> = ReadonlyArray<readonly [T, ReadonlyArray<readonly [string, string]>]>

/** The `status_details` value of a list of causes (null when there are none). */
export const detailsOf = (causes: ReadonlyArray<StatusCause>): string | null =>
  causes.length === 0 ? null : JSON.stringify({ causes } satisfies StatusDetails)

/** Moves the root row and its children from `pending` to `provisioning` (inside the round's read). */
export const markProvisioning = <T extends string>(sql: SqlClient, tables: FamilyTables<T>, id: string) =>
  Effect.gen(function* () {
    yield* sql`UPDATE ${sql(tables.root)} SET status = 'provisioning' WHERE id = ${id} AND status = 'pending'`
    for (const table of tables.children)
      yield* sql`UPDATE ${sql(table)} SET status = 'provisioning'
        WHERE ${sql(tables.parentColumn)} = ${id} AND status = 'pending'`
  })

/**
 * Records a round on the rows it read (call it inside the round's transaction). With causes,
 * every row fails with them — a failed delete stays `deleting` (deleting again retries it);
 * without, rows become active and those being deleted are removed. `rejected` rows (a planner
 * left them out) fail with their own cause even when the round succeeded.
 */
export const recordRound = <T extends string>(
  sql: SqlClient,
  revisions: RoundRevisions<T>,
  causes: ReadonlyArray<StatusCause>,
  rejected: ReadonlyMap<string, StatusCause> = new Map(),
) =>
  Effect.gen(function* () {
    const failed = causes.length > 0
    for (const [table, rows] of revisions) {
      for (const [id, revision] of rows) {
        const own = rejected.get(id)
        if (failed || own !== undefined) {
          const why = failed ? causes : [own!]
          const message = failed ? statusMessageOf(causes) : own!.message.slice(0, STATUS_MESSAGE_MAX)
          yield* sql`UPDATE ${sql(table)} SET status = CASE WHEN status = 'deleting' THEN 'deleting' ELSE 'failed' END,
            status_message = ${message}, status_details = ${detailsOf(why)}::jsonb, updated_at = now()
            WHERE id = ${id} AND revision = ${revision}`
        } else {
          yield* sql`DELETE FROM ${sql(table)} WHERE id = ${id} AND revision = ${revision} AND status = 'deleting'`
          yield* sql`UPDATE ${sql(table)} SET status = 'active', status_message = NULL, status_details = NULL,
            updated_at = now()
            WHERE id = ${id} AND revision = ${revision} AND status IN ('pending', 'provisioning', 'failed')`
        }
      }
    }
  })

/** Records the outcome of one row without revisions (a shard's converge): active, or failed with the causes. */
export const recordOutcome = (sql: SqlClient, table: string, id: string, causes: ReadonlyArray<StatusCause>) =>
  sql`UPDATE ${sql(table)} SET status = ${causes.length === 0 ? "active" : "failed"},
    status_message = ${causes.length === 0 ? null : statusMessageOf(causes)},
    status_details = ${detailsOf(causes)}::jsonb, updated_at = now() WHERE id = ${id}`

/**
 * Marks rows that could not be handed to their serializer (the engine is unreachable): changed
 * rows become `failed` with why (retry hands them over again), rows being deleted stay `deleting`
 * (deleting again does). `where` selects the rows of `table`.
 */
export const failHandOff = (sql: SqlClient, table: string, ids: ReadonlyArray<string>, message: string) => {
  const causes = [{ message: `could not start workflow: ${message}` }]
  return sql`UPDATE ${sql(table)} SET status = CASE WHEN status = 'deleting' THEN 'deleting' ELSE 'failed' END,
    status_message = ${statusMessageOf(causes)}, status_details = ${detailsOf(causes)}::jsonb, updated_at = now()
    WHERE id IN ${sql.in(ids)}`
}

/** Causes from plain messages (rounds recorded by workflows started before causes existed). */
export const causesOf = (input: {
  readonly errors?: ReadonlyArray<string> | undefined
  readonly causes?: ReadonlyArray<StatusCause> | undefined
}): ReadonlyArray<StatusCause> => input.causes ?? (input.errors ?? []).map((message) => ({ message }))
