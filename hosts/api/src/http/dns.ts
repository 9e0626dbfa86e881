import { HttpApiBuilder } from "@effect/platform"
import { CurrentPrincipal, DnsRecords, HostingApi, Zones } from "@hosting/core"
import { Effect } from "effect"

/** DNS zones of brands. */
export const ZonesLive = HttpApiBuilder.group(HostingApi, "zones", (handlers) =>
  Effect.gen(function* () {
    const zones = yield* Zones
    return handlers
      .handle("list", ({ urlParams }) => Effect.flatMap(CurrentPrincipal, (p) => zones.list(p, urlParams)))
      .handle("create", ({ payload }) => Effect.flatMap(CurrentPrincipal, (p) => zones.create(p, payload)))
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => zones.get(p, path.id)))
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => zones.remove(p, path.id)))
      .handle("setTenant", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => zones.setTenant(p, path.id, payload)),
      )
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => zones.retry(p, path.id)))
      .handle("rrsets", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => zones.rrsets(p, path.id)))
  }),
)

/** Records of DNS zones. */
export const DnsRecordsLive = HttpApiBuilder.group(HostingApi, "dnsRecords", (handlers) =>
  Effect.gen(function* () {
    const records = yield* DnsRecords
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.flatMap(CurrentPrincipal, (p) => records.list(p, path.id, urlParams)),
      )
      .handle("create", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => records.create(p, path.id, payload)),
      )
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => records.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => records.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => records.remove(p, path.id)))
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => records.retry(p, path.id)))
  }),
)
