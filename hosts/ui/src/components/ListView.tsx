// The generic list: search, sort, status filter, per-resource filters, and cursor paging with
// next/previous, over the resource's list endpoint.
import { ResourceStatus } from "@hosting/sdk"
import { keepPreviousData, useQuery } from "@tanstack/react-query"
import { useDeferredValue, useId, useState } from "react"
import { literalsOf } from "../resources/schema-options"
import type { ListParams, ResourceConfig, Row } from "../resources/types"
import { href } from "../router"
import { useSession } from "../session/session"
import { anyInFlight, pollWhileInFlight } from "./lifecycle"
import { FieldControls, type FormValues, textValues } from "./ResourceForm"
import { buttonClass, ErrorAlert, INPUT, ValueView } from "./ui"

/** The status filter's choices: every lifecycle status the API knows. */
export const STATUSES = literalsOf(ResourceStatus)
const PAGE_SIZE = 20

/** Rows of a resource as a table with its columns; the first cell links to the detail page. */
export const RowsTable = (props: {
  readonly config: ResourceConfig
  readonly rows: ReadonlyArray<Row>
  readonly caption?: string
  /** Shown instead of an empty table body (nothing while the first page loads). */
  readonly empty?: string
}) => {
  const { config } = props
  return (
    <div className="overflow-x-auto rounded-md border border-slate-300 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{props.caption ?? config.label}</caption>
        <thead className="bg-slate-100 text-left">
          <tr>
            {config.columns.map((c) => (
              <th key={c.key} scope="col" className="px-3 py-2 font-semibold">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {props.rows.map((row) => (
            <tr key={row.id}>
              {config.columns.map((c, i) => (
                <td key={c.key} className="px-3 py-2 align-top">
                  {i === 0 && config.hasDetail ? (
                    <a href={href([config.key, row.id])} className="font-medium text-blue-800 underline">
                      {config.titleOf(row)}
                    </a>
                  ) : c.render ? (
                    c.render(row)
                  ) : (
                    <ValueView name={c.key} value={row[c.key]} />
                  )}
                </td>
              ))}
            </tr>
          ))}
          {props.rows.length === 0 && props.empty !== undefined ? (
            <tr>
              <td colSpan={config.columns.length} className="px-3 py-4 text-slate-700">
                {props.empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  )
}

/** A list of one resource, optionally under a parent (`clusters` of a region). */
export const ListView = (props: {
  readonly config: ResourceConfig
  readonly parentId?: string
  /** The list is the page: its title is the page's h1. */
  readonly asPage?: boolean
}) => {
  const { config, parentId } = props
  const { client } = useSession()
  const ids = useId()
  const [search, setSearch] = useState("")
  const [sort, setSort] = useState("")
  const [status, setStatus] = useState("")
  const [filters, setFilters] = useState<FormValues>({})
  // cursors[i] is the cursor that loads page i; page 0 has none
  const [cursors, setCursors] = useState<ReadonlyArray<string>>([])
  const deferredSearch = useDeferredValue(search)
  const deferredFilters = useDeferredValue(filters)
  const params: ListParams = {
    limit: String(PAGE_SIZE),
    search: deferredSearch,
    sort,
    ...(config.withStatus ? { status } : {}),
    ...textValues(deferredFilters),
    ...(cursors.length > 0 ? { cursor: cursors[cursors.length - 1] as string } : {}),
  }
  const query = useQuery({
    queryKey: [config.key, "list", parentId ?? null, params],
    queryFn: () => config.api.list(client, params, parentId),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => pollWhileInFlight(q.state.data?.items ?? []),
  })
  const resetPaging = () => setCursors([])
  const createHref =
    config.api.create === undefined || config.fields === undefined
      ? undefined
      : parentId === undefined
        ? href([config.key, "new"])
        : href([config.parent ?? "", parentId, config.key, "new"])
  const items = query.data?.items ?? []
  return (
    <section aria-labelledby={`${ids}-title`}>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        {props.asPage ? (
          <h1 id={`${ids}-title`} className="mr-auto text-2xl font-semibold">
            {config.label}
          </h1>
        ) : (
          <h2 id={`${ids}-title`} className="mr-auto text-lg font-semibold">
            {config.label}
          </h2>
        )}
        {createHref === undefined ? null : (
          <a href={createHref} className={buttonClass("primary")}>
            New {config.singular}
          </a>
        )}
      </div>
      <div className="mb-3 grid grid-cols-1 gap-3 sm:grid-cols-3">
        {config.key === "audit-logs" ? null : (
          <div>
            <label htmlFor={`${ids}-search`} className="mb-1 block text-sm font-medium">
              Search {config.label.toLowerCase()}
            </label>
            <input
              id={`${ids}-search`}
              type="search"
              className={INPUT}
              value={search}
              onChange={(e) => {
                setSearch(e.target.value)
                resetPaging()
              }}
            />
          </div>
        )}
        <div>
          <label htmlFor={`${ids}-sort`} className="mb-1 block text-sm font-medium">
            Sort by
          </label>
          <select
            id={`${ids}-sort`}
            className={INPUT}
            value={sort}
            onChange={(e) => {
              setSort(e.target.value)
              resetPaging()
            }}
          >
            <option value="">Default</option>
            {config.sortKeys.flatMap((k) => [
              <option key={k} value={k}>
                {k} (ascending)
              </option>,
              <option key={`-${k}`} value={`-${k}`}>
                {k} (descending)
              </option>,
            ])}
          </select>
        </div>
        {config.withStatus ? (
          <div>
            <label htmlFor={`${ids}-status`} className="mb-1 block text-sm font-medium">
              Status
            </label>
            <select
              id={`${ids}-status`}
              className={INPUT}
              value={status}
              onChange={(e) => {
                setStatus(e.target.value)
                resetPaging()
              }}
            >
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {config.filters === undefined ? null : (
        <fieldset className="mb-3 grid grid-cols-1 gap-x-3 sm:grid-cols-3">
          <legend className="mb-1 text-sm font-semibold">Filters</legend>
          <FieldControls
            fields={config.filters}
            values={filters}
            onChange={(v) => {
              setFilters(v)
              resetPaging()
            }}
          />
        </fieldset>
      )}
      <ErrorAlert error={query.error} />
      <RowsTable
        config={config}
        rows={items}
        {...(query.isPending ? {} : { empty: `No ${config.label.toLowerCase()} found.` })}
      />
      <nav aria-label={`${config.label} pages`} className="mt-3 flex items-center gap-2">
        <button
          type="button"
          className={buttonClass()}
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <span className="text-sm text-slate-700">Page {cursors.length + 1}</span>
        <button
          type="button"
          className={buttonClass()}
          disabled={!query.data?.has_more || query.data.next_cursor === null}
          onClick={() => {
            const next = query.data?.next_cursor
            if (next) setCursors([...cursors, next])
          }}
        >
          Next page
        </button>
        {query.isPending || query.isPlaceholderData ? (
          <span className="text-sm text-slate-700">Loading…</span>
        ) : anyInFlight(items) ? (
          <span className="text-sm text-slate-700">Updating while changes are in progress…</span>
        ) : null}
      </nav>
    </section>
  )
}
