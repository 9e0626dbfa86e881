import { Hostname, isAtOrUnder, type PowerDnsManager, Rrset, withoutDot } from "@hosting/core/node"
import { ApplicationFailure } from "@temporalio/activity"
import { Schema } from "effect"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { dnsNodeConfigFromEnv } from "./config.js"
import { DnsNode, dnsManagersLayer } from "./node.js"

/** The dns role: PowerDNS on its own PostgreSQL database. */
export const dnsRole = (dns: DnsNode): AgentRole => ({
  name: "dns",
  start: () => dns.start(),
  close: () => dns.close(),
  activities: {
    ensureZone: ({ zone, rrsets }) =>
      classify(() => {
        const name = decode(Hostname, zone)
        const sets = decode(Schema.Array(Rrset), rrsets)
        // defence in depth: a zone's data never reaches outside the zone
        const outside = sets.find((r) => !isAtOrUnder(withoutDot(r.name), withoutDot(name)))
        if (outside !== undefined)
          throw ApplicationFailure.nonRetryable(`${outside.name} is outside the zone ${name}`, "InvalidSpec")
        return dns.ensureZone(name, sets)
      }),
    removeZone: ({ zone }) => classify(() => dns.removeZone(decode(Hostname, zone))),
    listZones: () => classify(() => dns.listZones()),
  },
})

/** The dns role from the environment: its managers' layer, and the role over the agent's runtime. */
export const dnsRoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<PowerDnsManager> => {
  const config = dnsNodeConfigFromEnv(env)
  return { layer: dnsManagersLayer(config), make: (runtime) => dnsRole(new DnsNode(config, runtime)) }
}
