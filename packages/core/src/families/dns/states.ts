import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { RoundOutcome, ZoneSnapshot } from "../../activities/index.js"
import { causesOf, type FamilyTables, markProvisioning, recordRound } from "../../lifecycle/rounds.js"
import { baseDomain } from "../access/repo-platform-config.js"
import { mailZoneRecords } from "../email/states.js"
import { RecordData } from "./domain.js"
import {
  isAtOrUnder,
  labelUnder,
  type PlannedRecord,
  planZone,
  serviceHostnames,
  tenantOfServiceLabel,
  type ZonePlan,
} from "./plan.js"

/** The rows a zone's round applies: the zone and its records. */
const ZONE_TABLES: FamilyTables<"zones" | "dns_records"> = {
  root: "zones",
  children: ["dns_records"],
  parentColumn: "zone_id",
}

interface ZoneRow {
  readonly id: string
  readonly brand_id: string
  readonly name: string
  readonly status: string
  readonly revision: string
}
interface RecordRow {
  readonly id: string
  readonly name: string
  readonly ttl: number
  readonly data: unknown
  readonly status: string
  readonly revision: string
}

const decodeData = Schema.decodeUnknown(RecordData)

/** `reverse(column) LIKE reverse('.' || zone) || '%'`: names strictly below a zone, by index. */
const below = (sql: SqlClient, column: string, zone: string) =>
  sql`reverse(${sql.literal(column)}) LIKE ${`${[...`.${zone}`].reverse().join("")}%`}`

/**
 * The database side of zone syncs: reads a zone's desired data (its rows, the brand's bound host
 * names with their clusters' LB addresses, tenants' service hostnames with their shards' web node
 * addresses, the zones below it) and records outcomes. As for tenants, a row becomes active only
 * if its revision is still the one the sync applied.
 */
export class ZoneStates extends Effect.Service<ZoneStates>()("@hosting/ZoneStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient

    /**
     * Tenants whose service hostname (`<tenant>.<base domain>`) may be in the zone, with their
     * shards' web node addresses: every tenant's for a zone at or above the base domain, one
     * tenant's for a zone directly below it (named after it), none for any other zone. Service
     * hostnames are the platform's, not a brand's: every brand's tenants are served.
     */
    const services = (zone: string) =>
      Effect.gen(function* () {
        const base = yield* baseDomain(sql)
        if (base === null) return []
        const label = labelUnder(zone, base)
        if (!isAtOrUnder(base, zone) && label === undefined) return []
        const tenants = yield* sql<{
          name: string
          status: string
          shard_id: string
          migrate_to: string | null
        }>`SELECT name, status, shard_id::text AS shard_id, migrate_to::text AS migrate_to FROM tenants
          WHERE ${sql.and(label === undefined ? [] : [sql`name = ${tenantOfServiceLabel(label)}`])}`
        const shardIds = [...new Set(tenants.map((t) => t.shard_id))]
        const nodes =
          shardIds.length === 0
            ? []
            : yield* sql<{ shard_id: string; addresses: ReadonlyArray<string> }>`SELECT ns.shard_id::text AS shard_id,
                array_agg(DISTINCT a.address ORDER BY a.address) AS addresses
              FROM node_shards ns JOIN nodes n ON n.id = ns.node_id CROSS JOIN LATERAL unnest(n.addresses) AS a(address)
              WHERE ns.shard_id IN ${sql.in(shardIds)} GROUP BY ns.shard_id`
        return serviceHostnames(
          base,
          tenants.map((t) => ({ name: t.name, status: t.status, shardId: t.shard_id, migrateTo: t.migrate_to })),
          new Map(nodes.map((n) => [n.shard_id, n.addresses])),
        )
      })

    /** The planner's view of a zone, from its live records and the web tier. */
    const plan = (zone: ZoneRow, records: ReadonlyArray<RecordRow>) =>
      Effect.gen(function* () {
        const live: Array<PlannedRecord> = []
        for (const r of records.filter((x) => x.status !== "deleting")) {
          live.push({ id: r.id, name: r.name, ttl: r.ttl, data: yield* decodeData(r.data) })
        }
        const bound = yield* sql<{ hostname: string; addresses: ReadonlyArray<string> }>`SELECT f.hostname,
            COALESCE(array_agg(l.address ORDER BY l.address) FILTER (WHERE l.address IS NOT NULL), '{}') AS addresses
          FROM fqdns f JOIN tenants t ON t.id = f.tenant_id JOIN shards s ON s.id = t.shard_id
          LEFT JOIN lb_addresses l ON l.cluster_id = s.cluster_id
          WHERE f.status <> 'deleting' AND t.brand_id = ${zone.brand_id}
            AND (f.hostname = ${zone.name} OR ${below(sql, "f.hostname", zone.name)})
          GROUP BY f.hostname`
        const others = yield* sql<{ name: string }>`SELECT name FROM zones
          WHERE id <> ${zone.id} AND status <> 'deleting' AND ${below(sql, "name", zone.name)}`
        return planZone({
          zone: zone.name,
          records: live,
          bound,
          services: yield* services(zone.name),
          otherZones: others.map((o) => o.name),
          // mail domains of the brand: their MX, SPF, DKIM and DMARC records
          platform: yield* mailZoneRecords(sql, zone.brand_id, zone.name),
        })
      })

    const records = (zoneId: string) =>
      sql<RecordRow>`SELECT id, name, ttl, data, status, revision::text FROM dns_records WHERE zone_id = ${zoneId}`

    /** DNS nodes of the dns shards in the clusters the brand may use, or why there are none. */
    const dnsNodes = (brandId: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ shard_id: string; node_id: string | null }>`SELECT s.id::text AS shard_id,
            ns.node_id::text AS node_id
          FROM shards s LEFT JOIN node_shards ns ON ns.shard_id = s.id
          WHERE s.role = 'dns' AND s.cluster_id IN (SELECT cluster_id FROM brand_clusters WHERE brand_id = ${brandId})`
        const nodeIds = [...new Set(rows.flatMap((r) => (r.node_id === null ? [] : [r.node_id])))].sort()
        const problem =
          rows.length === 0
            ? `no DNS shard serves brand ${brandId}: add a dns shard to a cluster the brand uses (PUT /api/v1/brands/${brandId}/clusters)`
            : nodeIds.length === 0
              ? `the DNS shards of brand ${brandId}'s clusters have no nodes`
              : null
        return { nodeIds, problem }
      })

    const snapshot = (zoneId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [zone] = yield* sql<ZoneRow>`SELECT id, brand_id::text, name, status, revision::text
              FROM zones WHERE id = ${zoneId}`
            if (zone === undefined) return null
            yield* markProvisioning(sql, ZONE_TABLES, zoneId)
            const rows = yield* records(zoneId)
            const deleting = zone.status === "deleting"
            const planned: ZonePlan = deleting ? { rrsets: [], rejected: [] } : yield* plan(zone, rows)
            const nodes = yield* dnsNodes(zone.brand_id)
            const snap: ZoneSnapshot = {
              zoneId,
              zoneName: zone.name,
              rrsets: deleting ? null : planned.rrsets,
              rejected: planned.rejected,
              nodeIds: nodes.nodeIds,
              // a zone being deleted from no node at all is simply gone
              problem: deleting ? null : nodes.problem,
              revisions: {
                zones: [[zone.id, String(zone.revision)]],
                dns_records: rows.map((r) => [r.id, String(r.revision)] as const),
              },
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    const finish = (snap: ZoneSnapshot, outcome: RoundOutcome) =>
      sql
        .withTransaction(
          // records first: they reference the zone
          recordRound(
            sql,
            [
              ["dns_records", snap.revisions.dns_records],
              ["zones", snap.revisions.zones],
            ],
            causesOf(outcome),
            new Map(
              snap.rejected.map((r) => [r.id, { resource_type: "dns_record", resource_id: r.id, message: r.reason }]),
            ),
          ),
        )
        .pipe(Effect.orDie)

    /** What the zone's DNS nodes serve (or will serve once synced), without changing anything. */
    const desired = (zoneId: string) =>
      Effect.gen(function* () {
        const [zone] = yield* sql<ZoneRow>`SELECT id, brand_id::text, name, status, revision::text
          FROM zones WHERE id = ${zoneId}`
        if (zone === undefined) return { rrsets: [], rejected: [] } satisfies ZonePlan
        return yield* plan(zone, yield* records(zoneId))
      }).pipe(Effect.orDie)

    /**
     * Every zone the nodes of a dns shard serve (of the brands that may use the shard's cluster,
     * not being deleted) with its planned rrsets, for the shard's convergence.
     */
    const shardZones = (shardId: string) =>
      Effect.gen(function* () {
        const zones = yield* sql<ZoneRow>`SELECT z.id, z.brand_id::text, z.name, z.status, z.revision::text
          FROM zones z JOIN brand_clusters bc ON bc.brand_id = z.brand_id JOIN shards s ON s.cluster_id = bc.cluster_id
          WHERE s.id = ${shardId} AND s.role = 'dns' AND z.status <> 'deleting' ORDER BY z.name`
        return {
          zones: yield* Effect.forEach(zones, (zone) =>
            Effect.map(
              Effect.flatMap(records(zone.id), (rows) => plan(zone, rows)),
              (p) => ({
                zone: zone.name,
                rrsets: p.rrsets,
              }),
            ),
          ),
        }
      }).pipe(Effect.orDie)

    return { snapshot, finish, desired, shardZones } as const
  }),
}) {}
