import type { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { type NotFound, notFound } from "../domain/errors.js"
import { cursorPosition, encodeCursor, type ListQuery, type PageOf } from "../domain/list.js"
import { isPlatformAdmin, type Principal } from "../families/access/domain-api-key.js"
import { isoTimestamps, textArray } from "./rows.js"

/** How one resource is listed: constant SQL pieces chosen by us, never by the caller. */
export interface ListSpec {
  /** FROM clause, the main table aliased `t`. */
  readonly from: string
  /** SELECT list; must include `t.id` and every sort column under its API name. */
  readonly select: string
  /** API sort key → SQL column. */
  readonly sortColumns: Readonly<Record<string, string>>
  readonly defaultSort: string
  /** Columns the `search` parameter matches (case-insensitive substring). */
  readonly searchColumns: ReadonlyArray<string>
  /** Column the `status` parameter filters, for resources with a lifecycle. */
  readonly statusColumn?: string
}

const DEFAULT_LIMIT = 50

/** `%`, `_` and `\` are literal in a search term. */
const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * One page of a list, keyset-paginated on (sort column, id): stable under concurrent inserts
 * and O(page) at any depth, unlike OFFSET.
 */
export const listPage = <A>(
  sql: SqlClient,
  spec: ListSpec,
  query: ListQuery,
  filters: ReadonlyArray<Fragment>,
  decode: (row: unknown) => Effect.Effect<A>,
): Effect.Effect<PageOf<A>> =>
  Effect.gen(function* () {
    const sortKey = query.sort ?? spec.defaultSort
    const desc = sortKey.startsWith("-")
    const key = desc ? sortKey.slice(1) : sortKey
    const column = spec.sortColumns[key]
    if (column === undefined) return yield* Effect.die(new Error(`sort key ${key} is not declared for this list`))
    const limit = query.limit ?? DEFAULT_LIMIT
    const where: Array<Fragment> = [...filters]
    if (query.search !== undefined && query.search !== "" && spec.searchColumns.length > 0) {
      const pattern = likePattern(query.search)
      where.push(sql.or(spec.searchColumns.map((c) => sql`${sql.literal(c)} ILIKE ${pattern} ESCAPE '\\'`)))
    }
    if (query.status !== undefined && spec.statusColumn !== undefined) {
      where.push(sql`${sql.literal(spec.statusColumn)} = ${query.status}`)
    }
    if (query.cursor !== undefined) {
      const { value, id } = cursorPosition(query.cursor)
      where.push(
        desc
          ? sql`(${sql.literal(column)}, t.id) < (${value}, ${id})`
          : sql`(${sql.literal(column)}, t.id) > (${value}, ${id})`,
      )
    }
    const direction = sql.literal(desc ? "DESC" : "ASC")
    const rows = yield* sql`SELECT ${sql.literal(spec.select)} FROM ${sql.literal(spec.from)}
      WHERE ${where.length === 0 ? sql.literal("true") : sql.and(where)}
      ORDER BY ${sql.literal(column)} ${direction}, t.id ${direction}
      LIMIT ${limit + 1}`.pipe(Effect.orDie)
    const hasMore = rows.length > limit
    const pageRows = hasMore ? rows.slice(0, limit) : rows
    const items = yield* Effect.forEach(pageRows, decode)
    const last = pageRows[pageRows.length - 1] as Record<string, unknown> | undefined
    const next =
      hasMore && last !== undefined
        ? encodeCursor({ value: isoTimestamps(last)[key] as string | number, id: String(last["id"]) })
        : null
    return { items, next_cursor: next, has_more: hasMore }
  })

/**
 * The brand filter for a principal: nothing for a platform admin, else `column` must be one of
 * the key's brands. Applied inside every query, so other brands' rows are never even read.
 */
export const brandFilter = (sql: SqlClient, column: string, principal: Principal): Fragment | undefined =>
  isPlatformAdmin(principal)
    ? undefined
    : sql`${sql.literal(column)}::text = ANY(${textArray(sql, principal.brands as ReadonlyArray<string>)})`

/** Drops the filters that do not apply. */
export const filters = (...fs: ReadonlyArray<Fragment | undefined>): ReadonlyArray<Fragment> =>
  fs.filter((f): f is Fragment => f !== undefined)

/**
 * One page of the children of a parent row (a cluster's shards, a cluster's nodes): 404 when the
 * parent does not exist, rather than an empty page that hides a wrong id.
 */
export const listChildren = <A>(
  sql: SqlClient,
  spec: ListSpec,
  query: ListQuery,
  parent: { readonly table: string; readonly column: string; readonly id: string; readonly what: string },
  decode: (row: unknown) => Effect.Effect<A>,
): Effect.Effect<PageOf<A>, NotFound> =>
  sql`SELECT 1 FROM ${sql.literal(parent.table)} WHERE id = ${parent.id}`.pipe(
    Effect.orDie,
    Effect.filterOrFail(
      (rows) => rows.length > 0,
      () => notFound(parent.what, parent.id),
    ),
    Effect.zipRight(listPage(sql, spec, query, [sql`${sql.literal(`t.${parent.column}`)} = ${parent.id}`], decode)),
  )

/** One row by id, selected and decoded as lists do, or NotFound naming the resource. */
export const getById = <A>(
  sql: SqlClient,
  spec: Pick<ListSpec, "from" | "select">,
  id: string,
  what: string,
  decode: (row: unknown) => Effect.Effect<A>,
): Effect.Effect<A, NotFound> =>
  sql`SELECT ${sql.literal(spec.select)} FROM ${sql.literal(spec.from)} WHERE t.id = ${id}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) => (rows[0] === undefined ? Effect.fail(notFound(what, id)) : decode(rows[0]))),
  )
