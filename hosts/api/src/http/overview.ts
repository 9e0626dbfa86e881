import { HttpApiBuilder } from "@effect/platform"
import { AuditLogs, CurrentPrincipal, HostingApi, Overview, Whoami } from "@hosting/core"
import { Effect } from "effect"
import { handleWithPrincipal } from "./principal.js"

/** /whoami for any valid key. */
export const SessionLive = HttpApiBuilder.group(HostingApi, "session", (handlers) =>
  handlers.handle("whoami", () =>
    Effect.map(CurrentPrincipal, (p) => Whoami.make({ id: p.keyId, name: p.name, scopes: p.scopes, brands: p.brands })),
  ),
)

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

/** The overview family's handlers. */
export const overviewHandlers = [SessionLive, DashboardLive, SearchLive, AuditLogsLive] as const
