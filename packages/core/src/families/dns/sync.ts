import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { failHandOff } from "../../lifecycle/rounds.js"
import { makeSerializerRequest, zoneSerializer } from "../../lifecycle/serializers.js"
import { serviceHostname, withoutDot } from "./plan.js"

/** `a.b.example.com` → `a.b.example.com`, `b.example.com`, `example.com`, `com`. */
const suffixes = (hostname: string): Array<string> => {
  const labels = withoutDot(hostname).split(".")
  return labels.map((_, i) => labels.slice(i).join("."))
}

/**
 * Hands a zone's changes to its serializer: one workflow per zone (`zone:{id}:sync`) that reads
 * the zone's whole desired data from the database and ensures it on every DNS node serving the
 * zone's brand, looping while signals say more changed (as TenantSync does for tenants, see lifecycle/serializers.ts).
 */
export class ZoneSync extends Effect.Service<ZoneSync>()("@hosting/ZoneSync", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const requestSerializer = yield* makeSerializerRequest
    const request = (zoneId: string) => requestSerializer(zoneSerializer, zoneId)

    /**
     * Asks a zone's sync because data derived from the web tier changed. Never fails the caller:
     * when the engine cannot be reached the zone is marked failed with the reason, and retrying
     * the zone sends it again.
     */
    const requestDerived = (zoneId: string) =>
      request(zoneId).pipe(Effect.catchAll((e) => failHandOff(sql, "zones", [zoneId], e.message)))

    /**
     * Asks the sync of the most specific zone at or above `hostname`, if there is one, because
     * data derived from the web tier changed (an FQDN bound or unbound); never fails the caller.
     */
    const requestCovering = (hostname: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT id FROM zones
          WHERE name IN ${sql.in(suffixes(hostname))} AND status <> 'deleting'
          ORDER BY length(name) DESC LIMIT 1`
        const zone = rows[0]
        if (zone === undefined) return
        yield* requestDerived(zone.id)
      }).pipe(Effect.orDie, Effect.withSpan("ZoneSync.requestCovering"))

    /**
     * requestCovering for every name of a tenant in DNS: the host names bound under it and its
     * service hostname (for changes to the tenant's existence, placement or FQDNs).
     */
    const requestForTenant = (tenantId: string) =>
      Effect.gen(function* () {
        const fqdns = yield* sql<{ hostname: string }>`SELECT hostname FROM fqdns WHERE tenant_id = ${tenantId}`
        const tenants = yield* sql<{ name: string; base: string | null }>`SELECT name,
            (SELECT config->>'base_domain' FROM platform_config) AS base
          FROM tenants WHERE id = ${tenantId}`
        const service = tenants[0] === undefined ? null : serviceHostname(tenants[0].name, tenants[0].base)
        const names = [...fqdns.map((f) => f.hostname), ...(service === null ? [] : [service])]
        yield* Effect.forEach(names, requestCovering, { discard: true })
      }).pipe(Effect.orDie)

    /**
     * Asks the sync of every zone that may serve a tenant's service hostname under the base
     * domain `domain` (for a change of the base domain): the most specific zone at or above it
     * and the zones directly below it; never fails the caller.
     */
    const requestForBaseDomain = (domain: string) =>
      Effect.gen(function* () {
        const base = withoutDot(domain)
        yield* requestCovering(base)
        const below = yield* sql<{ id: string; name: string }>`SELECT id, name FROM zones
          WHERE status <> 'deleting' AND reverse(name) LIKE ${`${[...`.${base}`].reverse().join("")}%`}`
        const direct = below.filter((z) => !z.name.slice(0, -(base.length + 1)).includes("."))
        yield* Effect.forEach(direct, (z) => requestDerived(z.id), { discard: true })
      }).pipe(Effect.orDie, Effect.withSpan("ZoneSync.requestForBaseDomain"))

    return { request, requestCovering, requestForTenant, requestForBaseDomain } as const
  }),
}) {}
