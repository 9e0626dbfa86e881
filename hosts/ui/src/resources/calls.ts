// Glue between the generic pages' strings and the SDK's typed parameters.
import type { ListParams, Row, RowPage } from "./types"

// The SDK's parameter types are branded ids and literal unions; the generic pages hold strings
// that the SDK's Schema encoding checks (a bad value rejects with a ParseError that is shown).

/** List query parameters: empty ones left out, `limit` as a number. */
export const q = (params: ListParams) => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params)) if (v !== "") out[k] = k === "limit" ? Number(v) : v
  return out as never
}
/** A list response as the generic pages see it. */
export const page = (p: Promise<unknown>) => p as Promise<RowPage>
/** A row response as the generic pages see it. */
export const row = (p: Promise<unknown>) => p as Promise<Row>
/** An `{ id }` path. */
export const id = (value: string) => ({ id: value }) as never
/** A request body, checked by the SDK's encoding. */
export const body = (payload: Record<string, unknown>) => payload as never
