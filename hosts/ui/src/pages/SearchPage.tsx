// Cross-resource search (`search.search`), hits grouped by type and linked to their pages.
import { useQuery } from "@tanstack/react-query"
import { ErrorAlert, PageHeader, StatusBadge } from "../components/ui"
import { resourceOf } from "../resources/registry"
import { href } from "../router"
import { useSession } from "../session/session"

/** Results for `q`. */
export const SearchPage = (props: { readonly q: string }) => {
  const { client } = useSession()
  const results = useQuery({
    queryKey: ["search", props.q],
    queryFn: () => client.search.search({ urlParams: { q: props.q } }),
    enabled: props.q !== "",
  })
  const groups = results.data?.groups.filter((g) => g.items.length > 0) ?? []
  return (
    <div>
      <PageHeader title={`Search: ${props.q}`} />
      <ErrorAlert error={results.error} />
      {results.data && groups.length === 0 ? <p>Nothing matches “{props.q}”.</p> : null}
      {groups.map((g) => (
        <section key={g.type} className="mb-4" aria-label={resourceOf(g.type)?.label ?? g.type}>
          <h2 className="mb-1 text-lg font-semibold">{resourceOf(g.type)?.label ?? g.type}</h2>
          <ul className="list-disc pl-6">
            {g.items.map((hit) => (
              <li key={hit.id}>
                {resourceOf(g.type)?.hasDetail ? (
                  <a href={href([g.type, hit.id])} className="text-blue-800 underline">
                    {hit.name}
                  </a>
                ) : (
                  hit.name
                )}{" "}
                {hit.status ? <StatusBadge status={hit.status} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  )
}
