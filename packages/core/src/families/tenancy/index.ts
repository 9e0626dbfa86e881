import { defineFamily } from "../family.js"
import { Fqdns } from "./service-fqdns.js"
import { Tenants } from "./service-tenants.js"
import { Webroots } from "./service-webroots.js"
import { TenantSync } from "./sync.js"

/**
 * Tenancy: tenants, their webroots and the FQDNs bound to them, with the tenant's serializer
 * (`tenant:{id}:sync`) that SSH keys and certificates ride too.
 */
export const tenancyFamily = defineFamily({
  name: "tenancy",
  services: [Tenants.Default, Webroots.Default, Fqdns.Default],
  provides: [TenantSync.Default],
})

export * from "./contract.js"
export * from "./plan.js"
export * from "./service-fqdn-sides.js"
export * from "./service-fqdns.js"
export * from "./service-tenants.js"
export * from "./service-webroots.js"
export * from "./states.js"
export * from "./sync.js"
