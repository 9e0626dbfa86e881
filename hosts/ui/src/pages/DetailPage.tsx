// The generic detail page: every field, status with its message and Retry, actions, edit and
// delete, and tabs for sub-resources.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { ListView } from "../components/ListView"
import { pollWhileInFlight } from "../components/lifecycle"
import { buttonClass, ErrorAlert, formatValue, PageHeader, StatusBadge, ValueView } from "../components/ui"
import { resourceOf } from "../resources/registry"
import type { ResourceConfig, Row } from "../resources/types"
import { href, navigate } from "../router"
import { useSession } from "../session/session"

const Fields = (props: { readonly row: Row }) => (
  <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-md border border-slate-300 bg-white p-4 text-sm sm:grid-cols-[12rem_1fr]">
    {Object.entries(props.row).map(([k, v]) => (
      <div key={k} className="contents">
        <dt className="font-semibold text-slate-800">{k}</dt>
        <dd className="break-all">
          <ValueView name={k} value={v} />
        </dd>
      </div>
    ))}
  </dl>
)

interface Cause {
  readonly side?: string
  readonly node_id?: string
  readonly resource_type?: string
  readonly resource_id?: string
  readonly message: string
}

/** Where a cause arose: the side effect (an FQDN's lb, dns, …), the node, the resource. */
const whereOf = (c: Cause): string =>
  [
    c.side,
    c.node_id === undefined ? undefined : `node ${c.node_id}`,
    c.resource_type === undefined ? undefined : `${c.resource_type} ${c.resource_id ?? ""}`.trim(),
  ]
    .filter((p) => p !== undefined)
    .join(" · ")

/** A failed resource's causes (`status_details`): which node, which resource, why — one per line. */
const Causes = (props: { readonly details: unknown }) => {
  const causes = (props.details as { causes?: ReadonlyArray<Cause> } | null)?.causes ?? []
  if (causes.length === 0) return null
  return (
    <ul aria-label="Causes" className="mt-2 list-disc space-y-1 pl-5">
      {causes.map((c, i) => (
        // causes have no identity of their own; their order is the API's
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <li key={i}>
          {whereOf(c) === "" ? null : <span className="font-semibold">{whereOf(c)}: </span>}
          <span className="whitespace-pre-wrap">{c.message}</span>
        </li>
      ))}
    </ul>
  )
}

const Tabs = (props: { readonly config: ResourceConfig; readonly row: Row; readonly tab: string | null }) => {
  const tabs = (props.config.tabs ?? []).filter((t) => t.when === undefined || t.when(props.row))
  if (tabs.length === 0) return null
  const current = tabs.find((t) => t.label === props.tab) ?? tabs[0]!
  return (
    <div className="mt-6">
      <nav aria-label="Sub-resources" className="mb-3 flex gap-1 border-b border-slate-300">
        {tabs.map((t) => (
          <a
            key={t.label}
            href={href([props.config.key, props.row.id], { tab: t.label })}
            aria-current={t === current ? "page" : undefined}
            className={`-mb-px rounded-t-md border px-3 py-1.5 text-sm ${
              t === current
                ? "border-slate-300 border-b-white bg-white font-semibold"
                : "border-transparent text-blue-800"
            }`}
          >
            {t.label}
          </a>
        ))}
      </nav>
      {"resource" in current ? (
        <ListView key={current.resource} config={resourceOf(current.resource)!} parentId={props.row.id} />
      ) : (
        current.render(props.row)
      )}
    </div>
  )
}

/** Detail page of one row of `config`. */
export const DetailPage = (props: {
  readonly config: ResourceConfig
  readonly id: string
  readonly tab: string | null
}) => {
  const { config, id } = props
  const { client } = useSession()
  const queries = useQueryClient()
  const [result, setResult] = useState<unknown>(undefined)
  const query = useQuery({
    queryKey: [config.key, "get", id],
    queryFn: () => config.api.get!(client, id),
    // provisioning resources change on their own: poll while they are in flight
    refetchInterval: (q) => pollWhileInFlight([q.state.data]),
  })
  const invalidate = () => queries.invalidateQueries({ queryKey: [config.key] })
  const action = useMutation({
    mutationFn: (run: () => Promise<unknown>) => run(),
    onSuccess: async (value) => {
      setResult(value)
      await invalidate()
    },
  })
  const remove = useMutation({
    mutationFn: () => config.api.remove!(client, id),
    onSuccess: async () => {
      await invalidate()
      const parentId = query.data?.[`${config.parent?.replace(/s$/, "")}_id`]
      navigate(config.parent && typeof parentId === "string" ? href([config.parent, parentId]) : href([config.key]))
    },
  })
  const row = query.data
  const status = typeof row?.["status"] === "string" ? row["status"] : undefined
  const editable = config.api.update !== undefined && (config.editFields ?? config.fields ?? []).length > 0
  const actions = row ? (config.actions ?? []).filter((a) => a.when === undefined || a.when(row)) : []
  return (
    <div>
      <PageHeader
        title={
          <>
            <span className="text-slate-700">{config.singular}: </span>
            {row ? config.titleOf(row) : id} {status ? <StatusBadge status={status} /> : null}
          </>
        }
      >
        {row && editable ? (
          <a href={href([config.key, id, "edit"])} className={buttonClass()}>
            Edit
          </a>
        ) : null}
        {row && config.api.remove ? (
          <button
            type="button"
            className={buttonClass("danger")}
            onClick={() => {
              if (window.confirm(`Delete ${config.singular} ${config.titleOf(row)}?`)) remove.mutate()
            }}
          >
            Delete
          </button>
        ) : null}
      </PageHeader>
      <ErrorAlert error={query.error ?? remove.error ?? action.error} />
      {row && status === "failed" ? (
        <div role="status" className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">Failed</p>
          <p className="whitespace-pre-wrap">{formatValue(row["status_message"])}</p>
          <Causes details={row["status_details"]} />
          {config.api.retry ? (
            <button
              type="button"
              className={`${buttonClass("primary")} mt-2`}
              onClick={() => action.mutate(() => config.api.retry!(client, id))}
            >
              Retry
            </button>
          ) : null}
        </div>
      ) : null}
      {row && actions.length > 0 ? (
        <div className="mb-4 flex flex-wrap gap-2">
          {actions.map((a) => (
            <button
              key={a.label}
              type="button"
              className={buttonClass()}
              disabled={action.isPending}
              onClick={() => {
                setResult(undefined)
                action.mutate(async () => {
                  const value = await a.run(client, row)
                  return a.showResult ? value : undefined
                })
              }}
            >
              {a.label}
            </button>
          ))}
        </div>
      ) : null}
      {result === undefined || result === null ? null : (
        <section aria-label="Result" className="mb-4">
          <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-50">
            {JSON.stringify(result, null, 2)}
          </pre>
        </section>
      )}
      {row ? <Fields row={row} /> : query.isPending ? <p>Loading…</p> : null}
      {row ? <Tabs config={config} row={row} tab={props.tab} /> : null}
    </div>
  )
}
