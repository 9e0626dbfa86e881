import { defineFamily } from "../family.js"
import { DnsRecords } from "./service-records.js"
import { Zones } from "./service-zones.js"
import { ZoneSync } from "./sync.js"

/** DNS: zones and their records, with the zone's serializer (`zone:{id}:sync`) on PowerDNS nodes. */
export const dnsFamily = defineFamily({
  name: "dns",
  services: [Zones.Default, DnsRecords.Default],
  provides: [ZoneSync.Default],
})

export * from "./contract.js"
export * from "./plan.js"
export * from "./service-records.js"
export * from "./service-zones.js"
export * from "./states.js"
export * from "./sync.js"
