// Create and edit pages: the generic form over the resource's fields and endpoints.
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { initialValues, ResourceForm } from "../components/ResourceForm"
import { buttonClass, ErrorAlert, PageHeader } from "../components/ui"
import { IncompleteCreate, type ResourceConfig, type Row } from "../resources/types"
import { href, navigate } from "../router"
import { useSession } from "../session/session"

/** Shows a secret from a create response once, with a copy button. */
export const SecretOnce = (props: { readonly label: string; readonly secret: string; readonly next: string }) => {
  const [copied, setCopied] = useState(false)
  return (
    <div role="status" className="max-w-xl rounded-md border border-amber-400 bg-amber-50 p-4 text-sm">
      <p className="mb-2 font-semibold">{props.label}: copy it now, it is not shown again.</p>
      <label htmlFor="created-secret" className="sr-only">
        {props.label}
      </label>
      <input
        id="created-secret"
        readOnly
        value={props.secret}
        className="mb-2 w-full rounded border px-2 py-1 font-mono"
      />
      <div className="flex gap-2">
        <button
          type="button"
          className={buttonClass("primary")}
          onClick={async () => {
            await navigator.clipboard.writeText(props.secret)
            setCopied(true)
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <a href={props.next} className={buttonClass()}>
          Done
        </a>
      </div>
    </div>
  )
}

/**
 * What an incomplete multi-call create left behind: the API's error, what exists, and a link to
 * the created row (the form is gone, so a second submit cannot create a duplicate).
 */
const Incomplete = (props: { readonly config: ResourceConfig; readonly failure: IncompleteCreate }) => {
  const { config, failure } = props
  const title = config.titleOf(failure.row)
  return (
    <div className="max-w-xl">
      <p role="status" className="mb-2 text-sm">
        The {config.singular} <strong>{title}</strong> was created, but creating {failure.step} failed:
      </p>
      <ErrorAlert error={failure.reason} />
      {failure.done.length === 0 ? null : (
        <>
          <p className="text-sm">Also created:</p>
          <ul className="mb-3 list-disc pl-6 text-sm">
            {failure.done.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </>
      )}
      <a href={href([config.key, failure.row.id])} className={buttonClass("primary")}>
        Open {config.singular} {title}
      </a>
    </div>
  )
}

/** Create page; `parentId` for resources created under a parent. */
export const CreatePage = (props: { readonly config: ResourceConfig; readonly parentId?: string }) => {
  const { config, parentId } = props
  const { client } = useSession()
  const queries = useQueryClient()
  const [created, setCreated] = useState<Row | undefined>(undefined)
  const [incomplete, setIncomplete] = useState<IncompleteCreate | undefined>(undefined)
  const fields = config.fields ?? []
  const back = parentId && config.parent ? href([config.parent, parentId], { tab: config.label }) : href([config.key])
  const title = `New ${config.singular}`
  const secret = created && config.secretField ? created[config.secretField] : undefined
  return (
    <div>
      <PageHeader title={title} />
      {incomplete ? (
        <Incomplete config={config} failure={incomplete} />
      ) : typeof secret === "string" && created ? (
        <SecretOnce
          label={`The new ${config.singular}`}
          secret={secret}
          next={config.hasDetail ? href([config.key, created.id]) : back}
        />
      ) : (
        <ResourceForm
          title={title}
          fields={fields}
          initial={initialValues(fields)}
          submitLabel="Create"
          cancelHref={back}
          onSubmit={async (payload) => {
            let row: Row
            try {
              row = await config.api.create!(client, payload, parentId)
            } catch (e) {
              if (!(e instanceof IncompleteCreate)) throw e
              await queries.invalidateQueries({ queryKey: [config.key] })
              setIncomplete(e)
              return
            }
            await queries.invalidateQueries({ queryKey: [config.key] })
            if (config.secretField && typeof row[config.secretField] === "string") setCreated(row)
            else navigate(config.hasDetail ? href([config.key, row.id]) : back)
          }}
        />
      )}
    </div>
  )
}

/** Edit page of one row. */
export const EditPage = (props: { readonly config: ResourceConfig; readonly id: string }) => {
  const { config, id } = props
  const { client } = useSession()
  const queries = useQueryClient()
  const fields = config.editFields ?? config.fields ?? []
  const query = useQuery({ queryKey: [config.key, "get", id], queryFn: () => config.api.get!(client, id) })
  const title = `Edit ${config.singular}`
  return (
    <div>
      <PageHeader title={query.data ? `${title} ${config.titleOf(query.data)}` : title} />
      <ErrorAlert error={query.error} />
      {query.data ? (
        <ResourceForm
          title={title}
          fields={fields}
          initial={initialValues(fields, config.formValues ? config.formValues(query.data) : query.data)}
          submitLabel="Save"
          cancelHref={href([config.key, id])}
          onSubmit={async (payload) => {
            await config.api.update!(client, id, payload)
            await queries.invalidateQueries({ queryKey: [config.key] })
            navigate(href([config.key, id]))
          }}
        />
      ) : null}
    </div>
  )
}
