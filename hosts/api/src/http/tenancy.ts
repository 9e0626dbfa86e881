import { HttpApiBuilder } from "@effect/platform"
import { Fqdns, HostingApi, Tenants, Webroots } from "@hosting/core"
import { Effect } from "effect"
import { asyncChildHandlers, byId, byIdWith, handleWithPrincipal, withPayload, withQuery } from "./principal.js"

/** Tenants and their lifecycle operations. */
export const TenantsLive = HttpApiBuilder.group(HostingApi, "tenants", (handlers) =>
  Effect.map(Tenants, (tenants) =>
    handleWithPrincipal(handlers, {
      list: withQuery(tenants.list),
      create: withPayload(tenants.create),
      get: byId(tenants.get),
      update: byIdWith(tenants.update),
      delete: byId(tenants.remove),
      suspend: (p, { path }) => tenants.suspend(p, path.id, true),
      unsuspend: (p, { path }) => tenants.suspend(p, path.id, false),
      migrate: byIdWith(tenants.migrate),
      retry: byId(tenants.retry),
      resources: byId(tenants.resources),
    }),
  ),
)

/** Webroots of tenants. */
export const WebrootsLive = HttpApiBuilder.group(HostingApi, "webroots", (handlers) =>
  Effect.map(Webroots, (webroots) => handleWithPrincipal(handlers, asyncChildHandlers(webroots))),
)

/** FQDNs bound to webroots. */
export const FqdnsLive = HttpApiBuilder.group(HostingApi, "fqdns", (handlers) =>
  Effect.map(Fqdns, (fqdns) => handleWithPrincipal(handlers, asyncChildHandlers(fqdns))),
)

/** The tenancy family's handlers. */
export const tenancyHandlers = [TenantsLive, WebrootsLive, FqdnsLive] as const
