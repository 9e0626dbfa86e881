// The shape of a resource as the generic pages see it: columns, form fields and which SDK
// endpoints to call. A page per resource is one of these, not a component.
import type { PromiseClient } from "@hosting/sdk"
import type { ReactNode } from "react"

/** A row as the generic components handle it. */
export type Row = { readonly id: string } & { readonly [k: string]: unknown }

/** A page of a list. */
export interface RowPage {
  readonly items: ReadonlyArray<Row>
  readonly next_cursor: string | null
  readonly has_more: boolean
}

/** Query parameters every list takes (plus per-resource filters). */
export type ListParams = Record<string, string>

/** A table column. */
export interface Column {
  readonly key: string
  readonly label: string
  readonly render?: (row: Row) => ReactNode
}

/** A choice of a select whose options come from the API: the value sent, the text shown. */
export interface SelectOption {
  readonly value: string
  readonly label: string
}

/**
 * A form field; values are converted to the payload by `kind`. A `group` is a repeatable set of
 * sub-fields (`fields`): its payload is an array with one object per item. A `datetime` is a UTC
 * date and time, sent as `YYYY-MM-DDTHH:MM:SSZ`.
 */
export interface Field {
  readonly name: string
  readonly label: string
  readonly kind:
    | "text"
    | "email"
    | "password"
    | "list"
    | "select"
    | "number"
    | "json"
    | "multiline"
    | "datetime"
    | "group"
  readonly options?: ReadonlyArray<string>
  /** Select options read from the API (`key` names the cached query); a text input if that fails. */
  readonly optionsFrom?: {
    readonly key: string
    readonly load: (c: PromiseClient) => Promise<ReadonlyArray<SelectOption>>
  }
  readonly required?: boolean
  readonly help?: string
  /** Empty means `null` (clears the value) instead of leaving it out. */
  readonly nullable?: boolean
  readonly placeholder?: string
  /** Shown (and sent) only while a sibling field has one of these values; hidden counts as empty. */
  readonly showIf?: { readonly field: string; readonly oneOf: ReadonlyArray<string> }
  /** `group`: the fields of one item. */
  readonly fields?: ReadonlyArray<Field>
  /** `group`: what one item is called ("webroot" → "Webroot 1", "Add webroot"). */
  readonly itemLabel?: string
}

/** An extra action on the detail page (converge, probe, …). */
export interface Action {
  readonly label: string
  readonly run: (client: PromiseClient, row: Row) => Promise<unknown>
  /** Offered only for rows where this holds (Suspend for a tenant that is not suspended). */
  readonly when?: (row: Row) => boolean
  /** Shows the action's result under the buttons (a plan, a probe). */
  readonly showResult?: boolean
}

/** A tab of the detail page: a child resource's list, or a custom panel; `when` as for an action. */
export type Tab = { readonly when?: (row: Row) => boolean } & (
  | { readonly label: string; readonly resource: string }
  | { readonly label: string; readonly render: (row: Row) => ReactNode }
)

type C = PromiseClient

/**
 * A create made of several calls that failed after the first one created `row`: the page shows
 * `reason` (the API's error) and links the row, so what exists is not lost.
 */
export class IncompleteCreate extends Error {
  readonly _tag = "IncompleteCreate"
  constructor(
    /** The row the first call created. */
    readonly row: Row,
    /** What failed, for the user: "FQDN shop.example.com". */
    readonly step: string,
    /** What was created besides `row`, for the user. */
    readonly done: ReadonlyArray<string>,
    /** The failed call's rejection. */
    readonly reason: unknown,
  ) {
    super(`creating ${step} failed`)
  }
}

/** Everything the generic list, detail and form pages need to know about a resource. */
export interface ResourceConfig {
  /** Route segment and search/dashboard type: `brands`, `api-keys`, … */
  readonly key: string
  readonly label: string
  readonly singular: string
  /** Resource key of the parent when the list lives under one (`clusters` under `regions`). */
  readonly parent?: string
  readonly columns: ReadonlyArray<Column>
  readonly sortKeys: ReadonlyArray<string>
  readonly withStatus?: boolean
  /** Extra list filters (audit log). */
  readonly filters?: ReadonlyArray<Field>
  readonly titleOf: (row: Row) => string
  /** Fields of the create form (and of the edit form unless `editFields`). */
  readonly fields?: ReadonlyArray<Field>
  readonly editFields?: ReadonlyArray<Field>
  /** The values the edit form starts from, when they are not the row's own fields (nested data). */
  readonly formValues?: (row: Row) => Record<string, unknown>
  /** A property of the create response shown once with a copy button (API key secrets). */
  readonly secretField?: string
  /** Whether rows link to a detail page. */
  readonly hasDetail?: boolean
  readonly actions?: ReadonlyArray<Action>
  readonly tabs?: ReadonlyArray<Tab>
  readonly api: {
    readonly list: (c: C, params: ListParams, parentId: string | undefined) => Promise<RowPage>
    readonly get?: (c: C, id: string) => Promise<Row>
    readonly create?: (c: C, payload: Record<string, unknown>, parentId: string | undefined) => Promise<Row>
    readonly update?: (c: C, id: string, payload: Record<string, unknown>) => Promise<Row>
    readonly remove?: (c: C, id: string) => Promise<unknown>
    readonly retry?: (c: C, id: string) => Promise<unknown>
  }
}
