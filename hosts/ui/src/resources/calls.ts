// Glue between the generic pages' strings and the SDK's typed parameters.
import { HostingApi, type PromiseClient } from "@hosting/sdk"
import type { SchemaAST } from "effect"
import { literalsOf } from "./schema-options"
import type { ListParams, ResourceConfig, Row, RowPage } from "./types"

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

/** A call of the Promise client, as the generic pages make it (arguments checked by the SDK's encoding). */
type Call = (args: any) => Promise<unknown>

/** The standard endpoints of a group, by the contract's names. */
type StandardGroup = Partial<Record<"list" | "get" | "create" | "upload" | "update" | "delete" | "retry", Call>>

/** Groups of the client with a list endpoint: the resources the generic pages show. */
type ListedGroup = {
  [G in keyof PromiseClient]: PromiseClient[G] extends { readonly list: Call } ? G : never
}[keyof PromiseClient]

/** An endpoint of the contract as read here: its path and its query schema (an Effect `Option`). */
interface EndpointShape {
  readonly path: string
  readonly urlParamsSchema:
    | { readonly _tag: "Some"; readonly value: { readonly ast: SchemaAST.AST } }
    | { readonly _tag: "None" }
}

/**
 * What the generic pages need of one group of the contract: its calls — list, get, create,
 * update, delete and retry, exactly those the group has, so the pages offer an edit or retry only
 * where the API does, under the parent when the group's list path has one — and its list's sort
 * keys and whether it filters on `status`, read from the list's query schema. `payload` reshapes
 * form values (a yes/no select into a boolean); `create` names the create endpoint when it is not
 * "create", or replaces the call (a tenant created with its webroots).
 */
export const fromGroup = (
  group: ListedGroup,
  options: {
    readonly create?: "upload" | NonNullable<ResourceConfig["api"]["create"]>
    readonly payload?: (values: Record<string, unknown>) => Record<string, unknown>
  } = {},
): Pick<ResourceConfig, "api" | "sortKeys" | "withStatus"> => {
  const endpoints: Readonly<Record<string, EndpointShape>> = HostingApi.groups[group].endpoints
  const list = endpoints["list"]!
  const query = list.urlParamsSchema._tag === "Some" ? list.urlParamsSchema.value : undefined
  const underParent = list.path.includes(":id")
  const createName = options.create === "upload" ? "upload" : "create"
  const payload = (values: Record<string, unknown>) => body(options.payload?.(values) ?? values)
  const calls = (c: PromiseClient): StandardGroup => c[group]
  const under = (parent: string | undefined) => (underParent ? { path: id(parent ?? "") } : {})
  const create: ResourceConfig["api"]["create"] =
    typeof options.create === "function"
      ? options.create
      : (c, b, parent) => row(calls(c)[createName]!({ ...under(parent), payload: payload(b) }))
  return {
    sortKeys: query === undefined ? [] : literalsOf(query, "sort").filter((k) => !k.startsWith("-")),
    withStatus: query !== undefined && literalsOf(query, "status").length > 0,
    api: {
      list: (c, p, parent) => page(calls(c).list!({ ...under(parent), urlParams: q(p) })),
      ...(endpoints["get"] && { get: (c, i) => row(calls(c).get!({ path: id(i) })) }),
      ...(endpoints[createName] && { create }),
      ...(endpoints["update"] && { update: (c, i, b) => row(calls(c).update!({ path: id(i), payload: payload(b) })) }),
      ...(endpoints["delete"] && { remove: (c, i) => calls(c).delete!({ path: id(i) }) }),
      ...(endpoints["retry"] && { retry: (c, i) => calls(c).retry!({ path: id(i) }) }),
    },
  }
}
