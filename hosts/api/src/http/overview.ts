import { HttpApiBuilder } from "@effect/platform"
import { AuditLogs, CurrentPrincipal, HostingApi, Overview } from "@hosting/core"
import { Effect } from "effect"

/** Dashboard counts. */
export const DashboardLive = HttpApiBuilder.group(HostingApi, "dashboard", (handlers) =>
  Effect.gen(function* () {
    const overview = yield* Overview
    return handlers.handle("stats", () => Effect.flatMap(CurrentPrincipal, (p) => overview.stats(p)))
  }),
)

/** Cross-resource search. */
export const SearchLive = HttpApiBuilder.group(HostingApi, "search", (handlers) =>
  Effect.gen(function* () {
    const overview = yield* Overview
    return handlers.handle("search", ({ urlParams }) =>
      Effect.flatMap(CurrentPrincipal, (p) => overview.search(p, urlParams.q, urlParams.limit ?? 10)),
    )
  }),
)

/** The audit log. */
export const AuditLogsLive = HttpApiBuilder.group(HostingApi, "auditLogs", (handlers) =>
  Effect.gen(function* () {
    const audit = yield* AuditLogs
    return handlers.handle("list", ({ urlParams }) =>
      Effect.flatMap(CurrentPrincipal, (p) => audit.list(p, urlParams, urlParams)),
    )
  }),
)
