// Counts per resource type and status, from `dashboard.stats`.
import { useQuery } from "@tanstack/react-query"
import { ErrorAlert, PageHeader, StatusBadge } from "../components/ui"
import { resourceOf } from "../resources/registry"
import { href } from "../router"
import { useSession } from "../session/session"

/** The dashboard. */
export const Dashboard = () => {
  const { client } = useSession()
  const stats = useQuery({ queryKey: ["dashboard"], queryFn: () => client.dashboard.stats() })
  return (
    <div>
      <PageHeader title="Dashboard" />
      <ErrorAlert error={stats.error} />
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {Object.entries(stats.data?.counts ?? {}).map(([type, count]) => {
          const config = resourceOf(type)
          const title = config?.label ?? type
          return (
            <li key={type} className="rounded-lg border border-slate-300 bg-white p-4">
              <h2 className="text-sm font-medium text-slate-700">
                {config && !config.parent ? (
                  <a href={href([type])} className="text-blue-800 underline">
                    {title}
                  </a>
                ) : (
                  title
                )}
              </h2>
              <p className="text-3xl font-semibold">{count.total}</p>
              <ul className="mt-2 flex flex-wrap gap-2" aria-label={`${title} by status`}>
                {Object.entries(count.by_status).map(([s, n]) => (
                  <li key={s} className="text-sm">
                    <StatusBadge status={s} /> {n}
                  </li>
                ))}
              </ul>
            </li>
          )
        })}
      </ul>
      <section aria-labelledby="recent-failures" className="mt-8">
        <h2 id="recent-failures" className="mb-2 text-lg font-semibold">
          Recent failures
        </h2>
        {(stats.data?.recent_failures ?? []).length === 0 ? (
          <p className="text-sm text-slate-700">None.</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-300 bg-white">
            {(stats.data?.recent_failures ?? []).map((f) => (
              <li key={`${f.type}:${f.id}`} className="p-3 text-sm">
                <a href={href([f.type, f.id])} className="font-medium text-blue-800 underline">
                  {resourceOf(f.type)?.singular ?? f.type} {f.name}
                </a>{" "}
                <StatusBadge status="failed" />
                <p className="mt-1 whitespace-pre-wrap text-slate-800">{f.status_message}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
