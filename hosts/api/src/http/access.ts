import { HttpApiBuilder } from "@effect/platform"
import { ApiKeys, Brands, endpointAccess, HostingApi, Platform } from "@hosting/core"
import { Effect } from "effect"
import { byId, byIdWith, handleWithPrincipal, withQuery } from "./principal.js"

/** Resource names the contract's scopes mention, for checking keys cannot escalate. */
const scopeResources = [
  ...new Set(endpointAccess(HostingApi).flatMap((r) => (r.scope ? [r.scope.split(":")[0]!] : []))),
]

/** Brands and their cluster mappings; create and delete are platform-only and need no principal. */
export const BrandsLive = HttpApiBuilder.group(HostingApi, "brands", (handlers) =>
  Effect.map(Brands, (brands) =>
    handleWithPrincipal(
      handlers
        .handle("create", ({ payload }) => brands.create(payload))
        .handle("delete", ({ path }) => brands.remove(path.id)),
      {
        list: withQuery(brands.list),
        get: byId(brands.get),
        update: byIdWith(brands.update),
        getClusters: byId(brands.clusters),
        setClusters: (p, { path, payload }) => brands.setClusters(p, path.id, payload.cluster_ids),
      },
    ),
  ),
)

/** API keys. */
export const ApiKeysLive = HttpApiBuilder.group(HostingApi, "apiKeys", (handlers) =>
  Effect.map(ApiKeys, (keys) =>
    handleWithPrincipal(handlers, {
      list: withQuery(keys.list),
      create: (p, { payload }) => keys.create(p, payload, scopeResources),
      get: byId(keys.get),
      update: (p, { path, payload }) => keys.update(p, path.id, payload, scopeResources),
      delete: byId(keys.revoke),
    }),
  ),
)

/** Platform configuration. */
export const PlatformLive = HttpApiBuilder.group(HostingApi, "platform", (handlers) =>
  Effect.gen(function* () {
    const platform = yield* Platform
    return handlers
      .handle("getConfig", () => platform.get())
      .handle("updateConfig", ({ payload }) => platform.update(payload))
  }),
)

/** The access family's handlers, in the contract's order. */
export const accessHandlers = [PlatformLive, ApiKeysLive, BrandsLive] as const
