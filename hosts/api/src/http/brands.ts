import { HttpApiBuilder } from "@effect/platform"
import { ApiKeys, Brands, CurrentPrincipal, endpointAccess, HostingApi } from "@hosting/core"
import { Effect } from "effect"

/** Resource names the contract's scopes mention, for checking keys cannot escalate. */
const scopeResources = [
  ...new Set(endpointAccess(HostingApi).flatMap((r) => (r.scope ? [r.scope.split(":")[0]!] : []))),
]

/** Brands and their cluster mappings. */
export const BrandsLive = HttpApiBuilder.group(HostingApi, "brands", (handlers) =>
  Effect.gen(function* () {
    const brands = yield* Brands
    return handlers
      .handle("list", ({ urlParams }) => Effect.flatMap(CurrentPrincipal, (p) => brands.list(p, urlParams)))
      .handle("create", ({ payload }) => brands.create(payload))
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => brands.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => brands.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => brands.remove(path.id))
      .handle("getClusters", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => brands.clusters(p, path.id)))
      .handle("setClusters", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => brands.setClusters(p, path.id, payload.cluster_ids)),
      )
  }),
)

/** API keys. */
export const ApiKeysLive = HttpApiBuilder.group(HostingApi, "apiKeys", (handlers) =>
  Effect.gen(function* () {
    const keys = yield* ApiKeys
    return handlers
      .handle("list", ({ urlParams }) => Effect.flatMap(CurrentPrincipal, (p) => keys.list(p, urlParams)))
      .handle("create", ({ payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => keys.create(p, payload, scopeResources)),
      )
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => keys.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => keys.update(p, path.id, payload, scopeResources)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => keys.revoke(p, path.id)))
  }),
)
