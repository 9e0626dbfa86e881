import { HttpApiBuilder } from "@effect/platform"
import { DnsRecords, HostingApi, Zones } from "@hosting/core"
import { Effect } from "effect"
import { asyncChildHandlers, byId, byIdWith, handleWithPrincipal, withPayload, withQuery } from "./principal.js"

/** DNS zones of brands. */
export const ZonesLive = HttpApiBuilder.group(HostingApi, "zones", (handlers) =>
  Effect.map(Zones, (zones) =>
    handleWithPrincipal(handlers, {
      list: withQuery(zones.list),
      create: withPayload(zones.create),
      get: byId(zones.get),
      delete: byId(zones.remove),
      setTenant: byIdWith(zones.setTenant),
      retry: byId(zones.retry),
      rrsets: byId(zones.rrsets),
    }),
  ),
)

/** Records of DNS zones. */
export const DnsRecordsLive = HttpApiBuilder.group(HostingApi, "dnsRecords", (handlers) =>
  Effect.map(DnsRecords, (records) => handleWithPrincipal(handlers, asyncChildHandlers(records))),
)

/** The DNS family's handlers. */
export const dnsHandlers = [ZonesLive, DnsRecordsLive] as const
