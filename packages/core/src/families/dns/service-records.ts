import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Either } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { baseDomain } from "../access/repo-platform-config.js"
import { getScoped, type ScopedSpec } from "../tenancy/service-rows.js"
import {
  DEFAULT_RECORD_TTL,
  DnsRecord,
  type DnsRecordId,
  type RecordData,
  type RecordInput,
  type ZoneId,
} from "./domain.js"
import { labelUnder, recordConflict, renderContent, resolveRecordName, tenantOfServiceLabel } from "./plan.js"
import { markDns, zoneBeingDeleted } from "./service-rows.js"

const spec: ScopedSpec = {
  from: "dns_records t JOIN zones z ON z.id = t.zone_id",
  select: "t.*, z.status AS zone_status",
  sortColumns: { name: "t.name", type: "t.type", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name", "t.content"],
  statusColumn: "t.status",
  brandColumn: "z.brand_id",
}

interface ZoneRow {
  readonly id: string
  readonly brand_id: string
  readonly name: string
  readonly status: string
}

const platformManaged = (r: DnsRecord) =>
  new Conflict({
    message: `the ${r.type} record ${r.name} is managed by the platform (a zone's SOA and NS come from its brand's ns_hostnames and hostmaster); it cannot be changed or deleted`,
  })

/** The record's type-specific data, without the owner name and TTL. */
const dataOf = (input: RecordInput): RecordData => {
  const { name: _name, ttl: _ttl, ...data } = input
  return data as RecordData
}

/**
 * Records of zones. Every write is checked against the zone's other records (CNAME exclusivity,
 * duplicates), the names the platform serves for bound FQDNs and zones below it, under a lock on
 * the zone row so two writes to one zone never both pass; the zone's sync then serves them.
 */
export class DnsRecords extends Effect.Service<DnsRecords>()("@hosting/DnsRecords", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(DnsRecord)
    const withZoneStatus = (row: unknown) =>
      Effect.map(decode(row), (record) => ({
        record,
        zoneStatus: String((row as { zone_status: unknown }).zone_status),
      }))

    const get = Effect.fn("DnsRecords.get")(function* (principal: Principal, id: DnsRecordId) {
      return yield* getScoped(sql, spec, principal, id, "dns record", decode)
    })

    /** The zone, visible through the caller's brands; `lock` holds it until commit. */
    const zoneOf = (principal: Principal, zoneId: string, lock: boolean) =>
      sql<ZoneRow>`SELECT t.id, t.brand_id::text, t.name, t.status FROM zones t
        WHERE ${sql.and(filters(sql`t.id = ${zoneId}`, brandFilter(sql, "t.brand_id", principal)))}
        ${sql.literal(lock ? "FOR UPDATE" : "")}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined ? Effect.fail(notFound("zone", zoneId)) : Effect.succeed(rows[0]),
        ),
      )

    const list = Effect.fn("DnsRecords.list")(function* (principal: Principal, zoneId: ZoneId, query: ListQuery) {
      yield* zoneOf(principal, zoneId, false)
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.zone_id = ${zoneId}`, brandFilter(sql, spec.brandColumn, principal)),
        decode,
      )
    })

    /**
     * Checks a record against its zone (the zone row must be locked) and returns the row values;
     * `replacing` is the id of the record being updated, which does not conflict with itself.
     */
    const prepare = (zone: ZoneRow, input: RecordInput, replacing: string | null) =>
      Effect.gen(function* () {
        if (zone.status === "deleting") return yield* Effect.fail(zoneBeingDeleted())
        const resolved = resolveRecordName(zone.name, input.name)
        if (Either.isLeft(resolved)) return yield* Effect.fail(new InvalidInput({ message: resolved.left }))
        const name = resolved.right
        if (input.type === "NS" && name === zone.name) {
          return yield* Effect.fail(
            new Conflict({
              message: "the zone's own NS records are managed by the platform (the brand's ns_hostnames)",
            }),
          )
        }
        const others = yield* sql<{ name: string }>`SELECT name FROM zones
          WHERE id <> ${zone.id} AND status <> 'deleting' AND (${name} = name OR right(${name}, length(name) + 1) = '.' || name)`
        const invalid = recordConflict(
          zone.name,
          name,
          input.type,
          others.map((o) => o.name),
          new Set(),
        )
        if (invalid !== undefined) return yield* Effect.fail(new InvalidInput({ message: invalid }))
        const bound = yield* sql<{
          hostname: string
        }>`SELECT f.hostname FROM fqdns f JOIN tenants t ON t.id = f.tenant_id
          WHERE f.hostname = ${name} AND f.status <> 'deleting' AND t.brand_id = ${zone.brand_id}`
        // a live tenant's service hostname (`<label>.<base domain>`) is the platform's too
        const base = yield* baseDomain(sql)
        const label = base === null ? undefined : labelUnder(name, base)
        const services =
          label === undefined
            ? []
            : yield* sql`SELECT 1 FROM tenants WHERE name = ${tenantOfServiceLabel(label)} AND status <> 'deleting'`
        const taken = recordConflict(
          zone.name,
          name,
          input.type,
          [],
          new Set(bound.map((b) => b.hostname)),
          new Set(services.length > 0 ? [name] : []),
        )
        if (taken !== undefined) return yield* Effect.fail(new Conflict({ message: taken }))

        const data = dataOf(input)
        const content = renderContent(data)
        const existing = yield* sql<{ id: string; type: string; content: string }>`SELECT id, type, content
          FROM dns_records WHERE zone_id = ${zone.id} AND name = ${name} AND status <> 'deleting'
          AND id <> ${replacing ?? "00000000-0000-0000-0000-000000000000"}`
        if (input.type === "CNAME" && existing.length > 0) {
          const types = [...new Set(existing.map((e) => e.type))].sort().join(", ")
          return yield* Effect.fail(
            new Conflict({
              message: `${name} already has records (${types}); a CNAME must be the only record at a name`,
            }),
          )
        }
        if (input.type !== "CNAME" && existing.some((e) => e.type === "CNAME")) {
          return yield* Effect.fail(
            new Conflict({ message: `${name} has a CNAME record; no other record can be at that name` }),
          )
        }
        if (existing.some((e) => e.type === input.type && e.content === content)) {
          return yield* Effect.fail(
            new Conflict({ message: `the same ${input.type} record already exists at ${name}` }),
          )
        }
        return { name, type: input.type, ttl: input.ttl ?? DEFAULT_RECORD_TTL, data: JSON.stringify(data), content }
      })

    const create = Effect.fn("DnsRecords.create")(function* (principal: Principal, zoneId: ZoneId, input: RecordInput) {
      yield* zoneOf(principal, zoneId, false)
      const id = randomUuid()
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const zone = yield* zoneOf(principal, zoneId, true)
            const row = yield* prepare(zone, input, null)
            yield* sql`INSERT INTO dns_records (id, zone_id, name, type, ttl, data, content, managed_by, status)
            VALUES (${id}, ${zoneId}, ${row.name}, ${row.type}, ${row.ttl}, ${row.data}::jsonb, ${row.content},
              'user', 'pending')`
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id as DnsRecordId)
      yield* reactions.changed({ kind: "dns-record.changed", zoneId, recordId: id })
      return answer
    })

    /** The record for a change, refused when the platform manages it. */
    const changeable = (principal: Principal, id: DnsRecordId) =>
      Effect.gen(function* () {
        const found = yield* getScoped(sql, spec, principal, id, "dns record", withZoneStatus)
        if (found.record.managed_by === "platform") return yield* Effect.fail(platformManaged(found.record))
        return found
      })

    const update = Effect.fn("DnsRecords.update")(function* (
      principal: Principal,
      id: DnsRecordId,
      input: RecordInput,
    ) {
      const { record } = yield* changeable(principal, id)
      if (record.status === "deleting")
        return yield* Effect.fail(new Conflict({ message: "the record is being deleted" }))
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const zone = yield* zoneOf(principal, record.zone_id, true)
            const row = yield* prepare(zone, input, id)
            const written = yield* sql`UPDATE dns_records SET name = ${row.name}, type = ${row.type}, ttl = ${row.ttl},
              data = ${row.data}::jsonb, content = ${row.content}, ${markDns(sql, "pending")}
            WHERE id = ${id} AND status <> 'deleting' RETURNING id`
            if (written.length === 0)
              return yield* Effect.fail(new Conflict({ message: "the record is being deleted" }))
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "dns-record.changed", zoneId: record.zone_id, recordId: id })
      return answer
    })

    const remove = Effect.fn("DnsRecords.remove")(function* (principal: Principal, id: DnsRecordId) {
      const { record, zoneStatus } = yield* changeable(principal, id)
      // deleting again sends the delete again; anything else under a zone being deleted is refused
      if (record.status !== "deleting" && zoneStatus === "deleting") return yield* Effect.fail(zoneBeingDeleted())
      yield* sql`UPDATE dns_records SET ${markDns(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "dns-record.changed", zoneId: record.zone_id, recordId: id })
      return answer
    })

    const retry = Effect.fn("DnsRecords.retry")(function* (principal: Principal, id: DnsRecordId) {
      const { record, zoneStatus } = yield* getScoped(sql, spec, principal, id, "dns record", withZoneStatus)
      if (zoneStatus === "deleting") return yield* Effect.fail(zoneBeingDeleted())
      const rows = yield* sql`UPDATE dns_records SET ${markDns(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed record can be retried; this one is ${record.status}` }),
        )
      }
      // answered as written: a fast sync may have moved (or removed) it by the time it is re-read
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "dns-record.changed", zoneId: record.zone_id, recordId: id })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
