import { HttpApiBuilder } from "@effect/platform"
import { AuditLogs, HostingApi, Overview } from "@hosting/core"
import { Effect } from "effect"
import { handleWithPrincipal } from "./principal.js"

/** Dashboard counts. */
export const DashboardLive = HttpApiBuilder.group(HostingApi, "dashboard", (handlers) =>
  Effect.map(Overview, (overview) => handleWithPrincipal(handlers, { stats: (p) => overview.stats(p) })),
)

/** Cross-resource search. */
export const SearchLive = HttpApiBuilder.group(HostingApi, "search", (handlers) =>
  Effect.map(Overview, (overview) =>
    handleWithPrincipal(handlers, {
      search: (p, { urlParams }) => overview.search(p, urlParams.q, urlParams.limit ?? 10),
    }),
  ),
)

/** The audit log. */
export const AuditLogsLive = HttpApiBuilder.group(HostingApi, "auditLogs", (handlers) =>
  Effect.map(AuditLogs, (audit) =>
    handleWithPrincipal(handlers, { list: (p, { urlParams }) => audit.list(p, urlParams, urlParams) }),
  ),
)
