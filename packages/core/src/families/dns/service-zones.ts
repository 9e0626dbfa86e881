import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import type { TenantId } from "../../domain/ids.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { foreignFqdnUnder, foreignZoneOverlapping, lockNameTree } from "../../sql/name-ownership.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { allowTestDomains, Platform, refuseTestDomains } from "../access/service-platform.js"
import { getScoped, idsOf, type ScopedSpec } from "../tenancy/service-rows.js"
import { type CreateZone, DEFAULT_RECORD_TTL, type SetZoneTenant, Zone, type ZoneId, ZoneRrsets } from "./domain.js"
import { renderContent, withoutDot, zoneApexData } from "./plan.js"
import { markDns, zoneBeingDeleted } from "./service-rows.js"
import { ZoneStates } from "./states.js"

const spec: ScopedSpec = {
  from: "zones t",
  select: "t.*",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
  brandColumn: "t.brand_id",
}

/**
 * DNS zones of brands. Creating a zone writes its SOA and NS (platform-managed records, from the
 * brand's NS hostnames and hostmaster, else the platform's); changes are applied on the DNS
 * nodes by the zone's sync (reported to Reactions), and answer 202.
 */
export class Zones extends Effect.Service<Zones>()("@hosting/Zones", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const states = yield* ZoneStates
    const platform = yield* Platform
    const testDomains = yield* allowTestDomains
    const decode = rowDecoder(Zone)

    const get = Effect.fn("Zones.get")(function* (principal: Principal, id: ZoneId) {
      return yield* getScoped(sql, spec, principal, id, "zone", decode)
    })

    const list = Effect.fn("Zones.list")(function* (principal: Principal, query: ListQuery) {
      return yield* listPage(sql, spec, query, filters(brandFilter(sql, "t.brand_id", principal)), decode)
    })

    /** The owning tenant, which must be the caller's, of the zone's brand and not being deleted. */
    const ownerTenant = (principal: Principal, brandId: string, tenantId: TenantId) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ brand_id: string; status: string }>`SELECT t.brand_id::text, t.status FROM tenants t
          WHERE ${sql.and(filters(sql`t.id = ${tenantId}`, brandFilter(sql, "t.brand_id", principal)))}`.pipe(
          Effect.orDie,
        )
        const tenant = rows[0]
        if (tenant === undefined) return yield* Effect.fail(notFound("tenant", tenantId))
        if (tenant.brand_id !== brandId) {
          return yield* Effect.fail(
            new InvalidInput({
              message: "tenant_id must be a tenant of the zone's brand",
              details: { tenant_id: tenantId },
            }),
          )
        }
        if (tenant.status === "deleting")
          return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      })

    /**
     * A zone takes every name under it for its brand, so it may not reach into names another
     * brand holds: its zones above or below, or FQDNs it bound at or under the zone. The message
     * names the conflicting zone (public in DNS anyway) but never the other brand, and not the
     * other brand's host names, which creating zones would otherwise let anyone enumerate.
     */
    const refuseForeignNames = (brandId: string, name: string) =>
      Effect.gen(function* () {
        const zone = yield* foreignZoneOverlapping(sql, brandId, name)
        if (zone !== undefined) {
          return yield* Effect.fail(new Conflict({ message: `${name} overlaps the zone ${zone} of another brand` }))
        }
        if (yield* foreignFqdnUnder(sql, brandId, name)) {
          return yield* Effect.fail(
            new Conflict({ message: `${name} holds host names bound by another brand; a zone there would take them` }),
          )
        }
      })

    const create = Effect.fn("Zones.create")(function* (principal: Principal, input: typeof CreateZone.Type) {
      const name = withoutDot(input.name)
      yield* refuseTestDomains(testDomains, "name", [name])
      const brands = yield* sql<{ ns_hostnames: ReadonlyArray<string>; hostmaster: string | null }>`SELECT
          t.ns_hostnames, t.hostmaster FROM brands t
        WHERE ${sql.and(filters(sql`t.id = ${input.brand_id}`, brandFilter(sql, "t.id", principal)))}`.pipe(
        Effect.orDie,
      )
      const brand = brands[0]
      if (brand === undefined) return yield* Effect.fail(notFound("brand", input.brand_id))
      if (input.tenant_id !== undefined) yield* ownerTenant(principal, input.brand_id, input.tenant_id)
      const defaults = yield* platform.get()
      const nameservers = brand.ns_hostnames.length > 0 ? brand.ns_hostnames : defaults.ns_hostnames
      if (nameservers.length === 0) {
        return yield* Effect.fail(
          new InvalidInput({
            message: `the brand has no NS host names and the platform has no default: set ns_hostnames with PUT /api/v1/brands/${input.brand_id} (or PUT /api/v1/platform/config)`,
          }),
        )
      }
      const id = randomUuid()
      const apex = zoneApexData(name, nameservers, brand.hostmaster ?? defaults.hostmaster)
      const recordIds = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // decided under the lock on the name's tree: a concurrent FQDN or zone below or above
            // this one is either already visible here or waits and then sees this zone
            yield* lockNameTree(sql, name)
            yield* refuseForeignNames(input.brand_id, name)
            yield* sql`INSERT INTO zones (id, brand_id, tenant_id, name, status)
              VALUES (${id}, ${input.brand_id}, ${input.tenant_id ?? null}, ${name}, 'pending')`
            const ids: Array<string> = []
            for (const data of apex) {
              const recordId = randomUuid()
              ids.push(recordId)
              yield* sql`INSERT INTO dns_records (id, zone_id, name, type, ttl, data, content, managed_by, status)
                VALUES (${recordId}, ${id}, ${name}, ${data.type}, ${DEFAULT_RECORD_TTL}, ${JSON.stringify(data)}::jsonb,
                  ${renderContent(data)}, 'platform', 'pending')`
            }
            return ids
          }),
        )
        .pipe(onConstraint({ unique: () => new Conflict({ message: `the zone ${name} already exists` }) }))
      // answered as written: a fast sync may have moved it on by the time it is re-read
      const answer = yield* get(principal, id as ZoneId)
      yield* reactions.changed({
        kind: "zone.changed",
        zoneId: id,
        written: [
          ["zones", [id]],
          ["dns_records", recordIds],
        ],
      })
      return answer
    })

    /** Deletes the zone and its records: all rows become `deleting`; the sync removes them. */
    const remove = Effect.fn("Zones.remove")(function* (principal: Principal, id: ZoneId) {
      yield* get(principal, id)
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const deleting = markDns(sql, "deleting")
            const r = yield* sql<{ id: string }>`UPDATE dns_records SET ${deleting} WHERE zone_id = ${id} RETURNING id`
            const z = yield* sql<{ id: string }>`UPDATE zones SET ${deleting} WHERE id = ${id} RETURNING id`
            return [
              ["zones", idsOf(z)],
              ["dns_records", idsOf(r)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "zone.changed", zoneId: id, written })
      return answer
    })

    /** Re-sends a zone whose sync failed: it and its failed records go back to pending. */
    const retry = Effect.fn("Zones.retry")(function* (principal: Principal, id: ZoneId) {
      const zone = yield* get(principal, id)
      if (zone.status === "deleting") return yield* Effect.fail(zoneBeingDeleted())
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const pending = markDns(sql, "pending")
            const z = yield* sql<{ id: string }>`UPDATE zones SET ${pending}
              WHERE id = ${id} AND status = 'failed' RETURNING id`
            const r = yield* sql<{ id: string }>`UPDATE dns_records SET ${pending}
              WHERE zone_id = ${id} AND status = 'failed' RETURNING id`
            return [
              ["zones", idsOf(z)],
              ["dns_records", idsOf(r)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      if (written.every(([, ids]) => ids.length === 0)) {
        return yield* Effect.fail(
          new Conflict({
            message: `only a failed zone (or one with failed records) can be retried; this one is ${zone.status}`,
          }),
        )
      }
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "zone.changed", zoneId: id, written })
      return answer
    })

    /** Changes the owning tenant; DNS data does not depend on it, so nothing is synced. */
    const setTenant = Effect.fn("Zones.setTenant")(function* (
      principal: Principal,
      id: ZoneId,
      input: typeof SetZoneTenant.Type,
    ) {
      const zone = yield* get(principal, id)
      if (zone.status === "deleting") return yield* Effect.fail(zoneBeingDeleted())
      if (input.tenant_id !== null) yield* ownerTenant(principal, zone.brand_id, input.tenant_id)
      yield* sql`UPDATE zones SET tenant_id = ${input.tenant_id}, updated_at = now()
        WHERE id = ${id}`.pipe(Effect.orDie)
      return yield* get(principal, id)
    })

    const rrsets = Effect.fn("Zones.rrsets")(function* (principal: Principal, id: ZoneId) {
      const zone = yield* get(principal, id)
      const plan = yield* states.desired(id)
      return ZoneRrsets.make({ zone, rrsets: plan.rrsets, rejected: plan.rejected as ZoneRrsets["rejected"] })
    })

    return { list, get, create, remove, retry, setTenant, rrsets } as const
  }),
  dependencies: [Platform.Default, ZoneStates.Default, Reactions.Default],
}) {}
