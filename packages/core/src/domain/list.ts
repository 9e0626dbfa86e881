import { Schema } from "effect"

/** Largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 200

/** Position after the last row of a page: the sort key's value and the row id (tie-breaker). */
export interface CursorPosition {
  readonly value: string | number | null
  readonly id: string
}

const base64url = {
  encode: (s: string) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(s)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, ""),
  decode: (s: string) =>
    new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))),
}

const Position = Schema.Struct({
  value: Schema.Union(Schema.String, Schema.Number, Schema.Null),
  id: Schema.UUID,
})

const parsePosition = (s: string): typeof Position.Type | undefined => {
  try {
    const decoded = Schema.decodeUnknownEither(Position)(JSON.parse(base64url.decode(s)))
    return decoded._tag === "Right" ? decoded.right : undefined
  } catch {
    return undefined
  }
}

/**
 * Opaque list cursor: `next_cursor` of the previous page, passed back as it came. Validated at
 * the edge, so a tampered cursor is a 400, not a 500.
 */
export const Cursor = Schema.String.pipe(
  Schema.maxLength(512),
  Schema.filter((s) => parsePosition(s) !== undefined || "not a cursor returned by this API"),
  Schema.annotations({ title: "Cursor", description: "`next_cursor` of the previous page" }),
)

/** The position inside a cursor the edge has already validated. */
export const cursorPosition = (cursor: string): CursorPosition => {
  const p = parsePosition(cursor)
  if (p === undefined) throw new Error("cursor was not validated at the edge")
  return p
}

/** Encodes a position as the `next_cursor` string. */
export const encodeCursor = (p: CursorPosition): string =>
  base64url.encode(JSON.stringify({ value: p.value, id: p.id }))

/** Common query parameters of list endpoints; `sort` is declared per resource. */
export const listParams = <const S extends ReadonlyArray<string>>(sortKeys: S) =>
  Schema.Struct({
    limit: Schema.optional(
      Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, MAX_PAGE_SIZE)).annotations({
        description: `page size, 1–${MAX_PAGE_SIZE} (default 50)`,
      }),
    ),
    cursor: Schema.optional(Cursor),
    search: Schema.optional(
      Schema.String.pipe(Schema.maxLength(200)).annotations({ description: "case-insensitive substring of the name" }),
    ),
    sort: Schema.optional(
      Schema.Literal(...sortKeys.flatMap((k) => [k, `-${k}`])).annotations({
        description: "sort key; a leading `-` sorts descending",
      }),
    ),
  })

/** Decoded list query, independent of the resource. */
export interface ListQuery {
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
  readonly search?: string | undefined
  readonly sort?: string | undefined
  readonly status?: string | undefined
}

/** A page of a list: `{items, next_cursor, has_more}`. */
export const Page = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    items: Schema.Array(item),
    next_cursor: Schema.NullOr(Schema.String),
    has_more: Schema.Boolean,
  })

/** Decoded page. */
export interface PageOf<A> {
  readonly items: ReadonlyArray<A>
  readonly next_cursor: string | null
  readonly has_more: boolean
}
