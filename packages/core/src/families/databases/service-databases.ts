import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schedule } from "effect"
import { Conflict, InvalidInput } from "../../domain/errors.js"
import { randomUuid, type ShardId, type TenantId } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { generateName } from "../../domain/names.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import { isPlatformAdmin, type Principal } from "../access/domain-api-key.js"
import { getScoped, type ScopedSpec, tenantBeingDeleted, visibleTenant } from "../tenancy/service-rows.js"
import { DEFAULT_CHARSET } from "./domain.js"
import {
  type CreateDatabase,
  charsetOfCollation,
  Database,
  type DatabaseCharset,
  type DatabaseId,
  defaultCollationOf,
  type MigrateDatabase,
  type UpdateDatabase,
} from "./domain-resource.js"
import { connectHostSql, connectPortSql, markDatabaseRow } from "./service-rows.js"

/** How databases are listed and read: through their tenant (its brand), with how to connect. */
export const databaseSpec: ScopedSpec = {
  from: "databases t JOIN tenants tn ON tn.id = t.tenant_id JOIN shards s ON s.id = t.shard_id",
  select: `t.*, tn.status AS tenant_status, ${connectHostSql} AS host, ${connectPortSql} AS port`,
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

const mapClusters = (brandId: string) =>
  `map a cluster that has a database shard to the brand: PUT /api/v1/brands/${brandId}/clusters`

// generated names carry ~52 random bits: one clash is rare, five in a row practically impossible
const NAME_ATTEMPTS = 5

/** The charset and collation a request asks for, completed from each other (and the current ones). */
const charsetOf = (
  input: { readonly charset?: DatabaseCharset | undefined; readonly collation?: string | undefined },
  current: { readonly charset: string; readonly collation: string } | undefined,
) => {
  const charset: string =
    input.charset ??
    (input.collation === undefined ? undefined : charsetOfCollation(input.collation)) ??
    current?.charset ??
    DEFAULT_CHARSET
  const collation =
    input.collation ??
    (current !== undefined && current.charset === charset
      ? current.collation
      : defaultCollationOf(charset as DatabaseCharset))
  return { charset, collation }
}

/**
 * Databases of tenants, on database shards. Writes mark rows for the database's sync, report
 * the change (Reactions) and answer 202; the sync makes them active or failed.
 */
export class Databases extends Effect.Service<Databases>()("@hosting/Databases", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(Database)
    const withTenant = (row: unknown) =>
      Effect.map(decode(row), (database) => ({
        database,
        tenantStatus: String((row as { tenant_status: unknown }).tenant_status),
      }))
    const current = (principal: Principal, id: DatabaseId) =>
      getScoped(sql, databaseSpec, principal, id, "database", withTenant)

    const get = Effect.fn("Databases.get")(function* (principal: Principal, id: DatabaseId) {
      return yield* getScoped(sql, databaseSpec, principal, id, "database", decode)
    })

    const list = Effect.fn("Databases.list")(function* (principal: Principal, tenantId: TenantId, query: ListQuery) {
      yield* visibleTenant(sql, principal, tenantId)
      return yield* listPage(
        sql,
        databaseSpec,
        query,
        filters(sql`t.tenant_id = ${tenantId}`, brandFilter(sql, databaseSpec.brandColumn, principal)),
        decode,
      )
    })

    /**
     * Where a new database goes: the admin's database shard, or the database shard with the
     * fewest databases (then by name) among the clusters the tenant's brand may use.
     */
    const place = Effect.fn("Databases.place")(function* (brandId: string, shardId: ShardId | undefined) {
      if (shardId !== undefined) {
        const rows = yield* sql<{ role: string }>`SELECT role FROM shards WHERE id = ${shardId}`.pipe(Effect.orDie)
        if (rows[0]?.role !== "database") {
          return yield* Effect.fail(
            new InvalidInput({
              message: `shard_id ${shardId} is not a database shard`,
              details: { shard_id: shardId },
            }),
          )
        }
        return shardId as string
      }
      const rows = yield* sql<{ id: string }>`SELECT s.id FROM shards s WHERE s.role = 'database'
          AND s.cluster_id IN (SELECT cluster_id FROM brand_clusters WHERE brand_id = ${brandId})
        ORDER BY (SELECT count(*) FROM databases d WHERE d.shard_id = s.id), s.name, s.id LIMIT 1`.pipe(Effect.orDie)
      if (rows[0] === undefined) {
        return yield* Effect.fail(
          new InvalidInput({
            message: `no database shard to place the database on: the brand's clusters have none; ${mapClusters(brandId)}`,
          }),
        )
      }
      return rows[0].id
    })

    const create = Effect.fn("Databases.create")(function* (
      principal: Principal,
      tenantId: TenantId,
      input: typeof CreateDatabase.Type,
    ) {
      const tenant = yield* visibleTenant(sql, principal, tenantId)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (input.shard_id !== undefined && !isPlatformAdmin(principal)) {
        return yield* Effect.fail(new InvalidInput({ message: "only platform admins choose a database's shard" }))
      }
      const brands = yield* sql<{ brand_id: string }>`SELECT brand_id::text AS brand_id FROM tenants
        WHERE id = ${tenantId}`.pipe(Effect.orDie)
      const shardId = yield* place(brands[0]!.brand_id, input.shard_id)
      const { charset, collation } = charsetOf(input, undefined)
      const id = randomUuid()
      const clash = new Conflict({ message: "could not generate a unique database name; try again" })
      yield* Effect.suspend(() =>
        sql.withTransaction(
          Effect.gen(function* () {
            // a tenant's delete marks its databases under this lock: this one is refused or marked
            const locked = yield* sql<{ status: string }>`SELECT status FROM tenants WHERE id = ${tenantId} FOR SHARE`
            if (locked[0] === undefined || locked[0].status === "deleting")
              return yield* Effect.fail(tenantBeingDeleted())
            yield* sql`INSERT INTO databases (id, tenant_id, shard_id, name, charset, "collation", status)
              VALUES (${id}, ${tenantId}, ${shardId}, ${generateName("database")}, ${charset}, ${collation}, 'pending')`
          }),
        ),
      ).pipe(
        onConstraint({ unique: () => clash }),
        Effect.retry(
          Schedule.recurWhile<unknown>((e) => e === clash).pipe(Schedule.intersect(Schedule.recurs(NAME_ATTEMPTS - 1))),
        ),
      )
      const answer = yield* get(principal, id as DatabaseId)
      yield* reactions.changed({ kind: "database.changed", databaseId: id, written: [["databases", [id]]] })
      return answer
    })

    const update = Effect.fn("Databases.update")(function* (
      principal: Principal,
      id: DatabaseId,
      patch: typeof UpdateDatabase.Type,
    ) {
      const { database, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const { charset, collation } = charsetOf(patch, database)
      const rows = yield* sql`UPDATE databases SET charset = ${charset}, "collation" = ${collation},
          ${markDatabaseRow(sql, "pending")}
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(new Conflict({ message: "the database is being deleted" }))
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "database.changed", databaseId: id, written: [["databases", [id]]] })
      return answer
    })

    /** Drops the database and its users: all rows become `deleting`; its sync removes them. Deleting again re-sends. */
    const remove = Effect.fn("Databases.remove")(function* (principal: Principal, id: DatabaseId) {
      const { database, tenantStatus } = yield* current(principal, id)
      if (database.status !== "deleting" && tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const deleting = markDatabaseRow(sql, "deleting")
            const d = yield* sql<{ id: string }>`UPDATE databases SET ${deleting} WHERE id = ${id} RETURNING id`
            const u = yield* sql<{ id: string }>`UPDATE database_users SET ${deleting}
              WHERE database_id = ${id} RETURNING id`
            return [
              ["databases", d.map((r) => r.id)],
              ["database_users", u.map((r) => r.id)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "database.changed", databaseId: id, written })
      return answer
    })

    /** Re-sends a failed database, or the failed users of an active one (409 when nothing failed). */
    const retry = Effect.fn("Databases.retry")(function* (principal: Principal, id: DatabaseId) {
      const { database, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting" || database.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the database is being deleted" }))
      }
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const pending = markDatabaseRow(sql, "pending")
            const d = yield* sql<{ id: string }>`UPDATE databases SET ${pending}
              WHERE id = ${id} AND status = 'failed' RETURNING id`
            const u = yield* sql<{ id: string }>`UPDATE database_users SET ${pending}
              WHERE database_id = ${id} AND status = 'failed' RETURNING id`
            return [
              ["databases", d.map((r) => r.id)],
              ["database_users", u.map((r) => r.id)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      if (written.every(([, ids]) => ids.length === 0)) {
        return yield* Effect.fail(
          new Conflict({
            message: `only a failed database, or one with failed users, can be retried; this one is ${database.status}`,
          }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "database.changed", databaseId: id, written })
      return answer
    })

    /**
     * Moves an active database to another database shard of its brand's clusters: the row says
     * where to (`migrate_to`) and its sync's next round moves it (see SyncDatabaseWorkflow).
     */
    const migrate = Effect.fn("Databases.migrate")(function* (
      principal: Principal,
      id: DatabaseId,
      input: typeof MigrateDatabase.Type,
    ) {
      const { database, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (database.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the database is being deleted" }))
      }
      const [target] = yield* sql<{ id: string; role: string; brand_may_use: boolean }>`SELECT s.id::text, s.role,
          EXISTS (SELECT 1 FROM brand_clusters bc JOIN tenants tn ON tn.brand_id = bc.brand_id
            WHERE tn.id = ${database.tenant_id} AND bc.cluster_id = s.cluster_id) AS brand_may_use
        FROM shards s WHERE s.id = ${input.shard_id}`.pipe(Effect.orDie)
      if (target?.role !== "database") {
        return yield* Effect.fail(
          new InvalidInput({ message: `shard_id ${input.shard_id} is not a database shard`, details: input }),
        )
      }
      // the brand's clusters bound where its data may live, for platform admins too
      if (!target.brand_may_use) {
        const [brand] = yield* sql<{ brand_id: string }>`SELECT brand_id::text FROM tenants
          WHERE id = ${database.tenant_id}`.pipe(Effect.orDie)
        return yield* Effect.fail(
          new InvalidInput({
            message: `shard ${input.shard_id} is not in a cluster the brand may use; ${mapClusters(brand!.brand_id)}`,
            details: input,
          }),
        )
      }
      if (target.id === database.shard_id) {
        return yield* Effect.fail(new Conflict({ message: `the database is already on shard ${target.id}` }))
      }
      if (database.migrate_to !== null) {
        return yield* Effect.fail(
          new Conflict({ message: `the database is already moving to shard ${database.migrate_to}` }),
        )
      }
      if (database.status !== "active") {
        return yield* Effect.fail(
          new Conflict({
            message: `only an active database can be migrated; this one is ${database.status}${database.status === "failed" ? " (retry it first)" : ""}`,
          }),
        )
      }
      // the same conditions, under the row's lock: a concurrent change or migration wins or waits
      const rows = yield* sql`UPDATE databases SET migrate_to = ${target.id}, ${markDatabaseRow(sql, "pending")}
        WHERE id = ${id} AND status = 'active' AND migrate_to IS NULL AND shard_id <> ${target.id}
        RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(new Conflict({ message: "the database changed meanwhile; read it and try again" }))
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "database.changed", databaseId: id, written: [["databases", [id]]] })
      return answer
    })

    return { list, get, create, update, remove, retry, migrate } as const
  }),
  dependencies: [Reactions.Default],
}) {}
