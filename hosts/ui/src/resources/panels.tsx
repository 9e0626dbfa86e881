// Tabs and cells that are not a plain child list: mapping-style sub-resources edited as a
// whole (region runtimes, brand clusters) and the audit log's expandable request bodies.
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { initialValues, ResourceForm } from "../components/ResourceForm"
import { ErrorAlert } from "../components/ui"
import { useSession } from "../session/session"
import type { Column, Field, Row, Tab } from "./types"

/** A sub-document read with `get` and replaced with `set`, edited through the generic form. */
const DocumentPanel = (props: {
  readonly queryKey: ReadonlyArray<string>
  readonly title: string
  readonly fields: ReadonlyArray<Field>
  readonly get: () => Promise<Record<string, unknown>>
  readonly set: (payload: Record<string, unknown>) => Promise<unknown>
}) => {
  const queries = useQueryClient()
  const query = useQuery({ queryKey: props.queryKey, queryFn: props.get })
  return (
    <div>
      <ErrorAlert error={query.error} />
      {query.data ? (
        <ResourceForm
          key={JSON.stringify(query.data)}
          title={props.title}
          fields={props.fields}
          initial={initialValues(props.fields, query.data)}
          submitLabel="Save"
          onSubmit={async (payload) => {
            await props.set(payload)
            await queries.invalidateQueries({ queryKey: props.queryKey })
          }}
        />
      ) : null}
    </div>
  )
}

const RegionRuntimes = (props: { readonly id: string }) => {
  const { client } = useSession()
  const path = { id: props.id } as never
  return (
    <DocumentPanel
      queryKey={["regions", "runtimes", props.id]}
      title="Runtimes"
      fields={[
        {
          name: "runtimes",
          label: "Runtimes (JSON)",
          kind: "json",
          help: 'e.g. [{"runtime": "php", "versions": ["8.3"]}]',
        },
      ]}
      get={() => client.regions.getRuntimes({ path })}
      set={(payload) => client.regions.setRuntimes({ path, payload: { runtimes: [], ...payload } as never })}
    />
  )
}

const BrandClusters = (props: { readonly id: string }) => {
  const { client } = useSession()
  const path = { id: props.id } as never
  return (
    <DocumentPanel
      queryKey={["brands", "clusters", props.id]}
      title="Clusters of the brand"
      fields={[{ name: "cluster_ids", label: "Cluster ids", kind: "list", help: "comma-separated cluster ids" }]}
      get={() => client.brands.getClusters({ path })}
      set={(payload) => client.brands.setClusters({ path, payload: { cluster_ids: [], ...payload } as never })}
    />
  )
}

/** Region detail tab: the runtimes it offers. */
export const runtimesTab: Tab = { label: "Runtimes", render: (r: Row) => <RegionRuntimes id={r.id} /> }

/** Brand detail tab: the clusters it may place tenants on. */
export const brandClustersTab: Tab = { label: "Clusters", render: (r: Row) => <BrandClusters id={r.id} /> }

/** Audit log column: the (redacted) request body, expandable. */
export const auditBodyColumn: Column = {
  key: "request_body",
  label: "Request body",
  render: (r: Row) =>
    r["request_body"] === null || r["request_body"] === undefined ? (
      "—"
    ) : (
      <details>
        <summary className="cursor-pointer text-blue-800 underline">Show body</summary>
        <pre className="mt-1 max-w-md overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 text-xs">
          {JSON.stringify(r["request_body"], null, 2)}
        </pre>
      </details>
    ),
}
