import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schedule } from "effect"
import { Conflict, type NotFound, notFound } from "../../domain/errors.js"
import { generateName } from "../../domain/names.js"
import { onConstraint } from "../../sql/constraints.js"
import { markRow, type WrittenRows } from "../../sql/hand-off.js"
import { brandFilter, filters, type ListSpec } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { Webroot, webrootPath } from "./domain.js"

/**
 * What the web-tier services (tenants, webroots, FQDNs, SSH keys) share: reads scoped to the
 * caller's brands through the owning tenant, the "being deleted" guard and the status/revision
 * bump a node must see (the change is then reported to Reactions, which hands it to the sync).
 */

/** The web-tier tables whose rows a tenant's sync applies. */
export type WebTable = "tenants" | "webroots" | "fqdns" | "ssh_keys" | "certificates"

/** A list spec whose rows belong to a brand through `brandColumn` (a join to tenants for children). */
export interface ScopedSpec extends ListSpec {
  readonly brandColumn: string
}

/** One row by id, or NotFound when it does not exist or its brand is not the caller's. */
export const getScoped = <A>(
  sql: SqlClient,
  spec: ScopedSpec,
  principal: Principal,
  id: string,
  what: string,
  decode: (row: unknown) => Effect.Effect<A>,
): Effect.Effect<A, NotFound> =>
  sql`SELECT ${sql.literal(spec.select)} FROM ${sql.literal(spec.from)}
    WHERE ${sql.and(filters(sql`t.id = ${id}`, brandFilter(sql, spec.brandColumn, principal)))}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) => (rows[0] === undefined ? Effect.fail(notFound(what, id)) : decode(rows[0]))),
  )

/**
 * SET list of every write a node must see: the row waits (`pending`, or `deleting`) for its
 * tenant's next sync under a new revision, so a sync already running cannot mark it done.
 */
export const markFor = (sql: SqlClient, status: "pending" | "deleting") => markRow(sql, status, "web_revision_seq")

/** The tenant a child belongs to, or NotFound when it does not exist or its brand is not the caller's. */
export const visibleTenant = (sql: SqlClient, principal: Principal, tenantId: string) =>
  sql<{ id: string; status: string }>`SELECT t.id, t.status FROM tenants t
    WHERE ${sql.and(filters(sql`t.id = ${tenantId}`, brandFilter(sql, "t.brand_id", principal)))}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) =>
      rows[0] === undefined ? Effect.fail(notFound("tenant", tenantId)) : Effect.succeed(rows[0]),
    ),
  )

/** 409 for any change under a tenant whose deletion has started. */
export const tenantBeingDeleted = () => new Conflict({ message: "the tenant is being deleted" })

/**
 * Locks the tenant row against a concurrent delete for the rest of the transaction and checks
 * it is not being deleted, so a child inserted now is either refused or marked by that delete.
 */
export const lockLiveTenant = (sql: SqlClient, tenantId: string) =>
  sql<{ status: string }>`SELECT status FROM tenants WHERE id = ${tenantId} FOR SHARE`.pipe(
    Effect.filterOrFail((rows) => rows[0] !== undefined && rows[0].status !== "deleting", tenantBeingDeleted),
  )

// Generated names carry ~52 random bits: one clash is rare, five in a row practically impossible.
const NAME_ATTEMPTS = 5

/**
 * Runs an insert (usually a whole transaction) with a freshly generated name, again with a new
 * name when it violates a unique constraint; the name is the only unique column it writes.
 */
export const insertNamed = <A, E, R>(
  kind: "tenant" | "webroot",
  insert: (name: string) => Effect.Effect<A, E | SqlError, R>,
): Effect.Effect<A, Exclude<E, SqlError> | Conflict, R> => {
  const clash = new Conflict({ message: `could not generate a unique ${kind} name; try again` })
  return Effect.suspend(() => insert(generateName(kind))).pipe(
    onConstraint({ unique: () => clash }),
    Effect.retry(
      Schedule.recurWhile<unknown>((e) => e === clash).pipe(Schedule.intersect(Schedule.recurs(NAME_ATTEMPTS - 1))),
    ),
  )
}

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type Written = WrittenRows<WebTable>

/** Ids of the rows an `UPDATE … RETURNING id` touched. */
export const idsOf = (rows: ReadonlyArray<{ readonly id: string }>): ReadonlyArray<string> => rows.map((r) => r.id)

const webrootFromRow = rowDecoder(Webroot)

/** A webroot row with its `path`, which is derived from the name rather than stored. */
export const decodeWebroot = (row: unknown): Effect.Effect<Webroot> =>
  webrootFromRow({ ...(row as Record<string, unknown>), path: webrootPath(String((row as { name: unknown }).name)) })
