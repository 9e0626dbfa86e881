import { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { Conflict, Forbidden, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid, type ShardId, type TenantId } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import {
  markTenantChildrenDeleting,
  markTenantChildrenPending,
  tenantChildFamilies,
} from "../../lifecycle/tenant-children.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import { isPlatformAdmin, type Principal } from "../access/domain-api-key.js"
import { serviceHostname } from "../dns/plan.js"
import { SshKey } from "../ssh-keys/domain.js"
import { type CreateTenant, type MigrateTenant, Tenant, TenantResources, type UpdateTenant } from "./domain.js"
import { decodeFqdnRow, fqdnSpec } from "./service-fqdn-sides.js"
import {
  decodeWebroot,
  getScoped,
  idsOf,
  insertNamed,
  markFor,
  type ScopedSpec,
  tenantBeingDeleted,
} from "./service-rows.js"

const spec: ScopedSpec = {
  from: "tenants t",
  select: "t.*, (SELECT config->>'base_domain' FROM platform_config) AS base_domain",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name", "t.display_name"],
  statusColumn: "t.status",
  brandColumn: "t.brand_id",
}

const mapClusters = (brandId: string) =>
  `map a cluster that has a web shard to the brand: PUT /api/v1/brands/${brandId}/clusters`

/**
 * Tenants: a Linux user on every node of a web shard, owned by a brand. Writes mark rows for the
 * tenant's sync, report the change (Reactions) and answer 202; the sync makes them active or failed.
 */
export class Tenants extends Effect.Service<Tenants>()("@hosting/Tenants", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decodeRow = rowDecoder(Tenant)
    // derived, not stored: a new base domain renames every tenant's service hostname at once
    const decode = (row: unknown) => {
      const r = row as { name: string; base_domain: string | null }
      return decodeRow({ ...r, service_hostname: serviceHostname(r.name, r.base_domain) })
    }

    const get = Effect.fn("Tenants.get")(function* (principal: Principal, id: TenantId) {
      return yield* getScoped(sql, spec, principal, id, "tenant", decode)
    })

    const list = Effect.fn("Tenants.list")(function* (principal: Principal, query: ListQuery) {
      return yield* listPage(sql, spec, query, filters(brandFilter(sql, "t.brand_id", principal)), decode)
    })

    /** The shard with this id if it serves the web role; anything else is 422. */
    const webShard = (shardId: ShardId) =>
      sql<{
        id: string
        cluster_id: string
        role: string
      }>`SELECT id, cluster_id, role FROM shards WHERE id = ${shardId}`.pipe(
        Effect.orDie,
        Effect.filterOrFail(
          (rows) => rows[0]?.role === "web",
          () => new InvalidInput({ message: `shard_id ${shardId} is not a web shard`, details: { shard_id: shardId } }),
        ),
        Effect.map((rows) => rows[0]!),
      )

    const brandUsesCluster = (brandId: string, clusterId: string) =>
      sql`SELECT 1 FROM brand_clusters WHERE brand_id = ${brandId} AND cluster_id = ${clusterId}`.pipe(
        Effect.orDie,
        Effect.map((rows) => rows.length > 0),
      )

    /**
     * Where a new tenant goes: the admin's shard, or the web shard with the fewest tenants (then
     * by name) among the requested cluster or all clusters the brand may use.
     */
    const place = Effect.fn("Tenants.place")(function* (input: typeof CreateTenant.Type) {
      if (input.cluster_id !== undefined && !(yield* brandUsesCluster(input.brand_id, input.cluster_id))) {
        return yield* Effect.fail(
          new InvalidInput({
            message: `cluster ${input.cluster_id} is not one the brand may use; ${mapClusters(input.brand_id)}`,
            details: { cluster_id: input.cluster_id },
          }),
        )
      }
      if (input.shard_id !== undefined) {
        const shard = yield* webShard(input.shard_id)
        if (input.cluster_id !== undefined && shard.cluster_id !== input.cluster_id) {
          return yield* Effect.fail(
            new InvalidInput({ message: `shard ${input.shard_id} is not in cluster ${input.cluster_id}` }),
          )
        }
        return shard.id
      }
      const clusters =
        input.cluster_id === undefined
          ? sql`s.cluster_id IN (SELECT cluster_id FROM brand_clusters WHERE brand_id = ${input.brand_id})`
          : sql`s.cluster_id = ${input.cluster_id}`
      const rows = yield* sql<{ id: string }>`SELECT s.id FROM shards s WHERE s.role = 'web' AND ${clusters}
        ORDER BY (SELECT count(*) FROM tenants x WHERE x.shard_id = s.id), s.name, s.id LIMIT 1`.pipe(Effect.orDie)
      if (rows[0] === undefined) {
        const where = input.cluster_id === undefined ? "the brand's clusters have" : `cluster ${input.cluster_id} has`
        return yield* Effect.fail(
          new InvalidInput({
            message: `no web shard to place the tenant on: ${where} none; ${mapClusters(input.brand_id)}`,
          }),
        )
      }
      return rows[0].id
    })

    const create = Effect.fn("Tenants.create")(function* (principal: Principal, input: typeof CreateTenant.Type) {
      const brand = yield* sql`SELECT 1 FROM brands t
        WHERE ${sql.and(filters(sql`t.id = ${input.brand_id}`, brandFilter(sql, "t.id", principal)))}`.pipe(
        Effect.orDie,
      )
      if (brand.length === 0) return yield* Effect.fail(notFound("brand", input.brand_id))
      if (input.shard_id !== undefined && !isPlatformAdmin(principal)) {
        return yield* Effect.fail(
          new Forbidden({ message: "only platform admins choose the shard; give cluster_id to choose the cluster" }),
        )
      }
      const shardId = yield* place(input)
      const id = randomUuid()
      yield* insertNamed(
        "tenant",
        (name) => sql`INSERT INTO tenants (id, brand_id, shard_id, name, display_name, status)
          VALUES (${id}, ${input.brand_id}, ${shardId}, ${name}, ${input.display_name ?? null}, 'pending')`,
      )
      // its nodes get the account; its service hostname is served from now on
      // the answer is the row as written (pending): read after the hand-off, a round may have taken it
      const answer = yield* get(principal, id as TenantId)
      yield* reactions.changed({ kind: "tenant.created", tenantId: id })
      return answer
    })

    /** Runs a tenant-row UPDATE that must not touch a tenant being deleted; 409 if it is. */
    const updateLive = (id: TenantId, set: Fragment) =>
      sql<{ id: string }>`UPDATE tenants SET ${set} WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(
        Effect.orDie,
        Effect.filterOrFail((rows) => rows.length > 0, tenantBeingDeleted),
      )

    const update = Effect.fn("Tenants.update")(function* (
      principal: Principal,
      id: TenantId,
      patch: typeof UpdateTenant.Type,
    ) {
      const current = yield* get(principal, id)
      // the display name never reaches a node: no new revision, no sync
      const displayName = patch.display_name === undefined ? current.display_name : patch.display_name
      yield* updateLive(id, sql`display_name = ${displayName}, updated_at = now()`)
      return yield* get(principal, id)
    })

    /** A change a node must apply: mark the tenant pending under a new revision and hand it to the sync. */
    const changeTenant = (principal: Principal, id: TenantId, set: Fragment) =>
      Effect.gen(function* () {
        yield* updateLive(id, sql`${set}, ${markFor(sql, "pending")}`)
        const answer = yield* get(principal, id)
        yield* reactions.changed({ kind: "tenant.changed", tenantId: id })
        return answer
      })

    const suspend = Effect.fn("Tenants.suspend")(function* (principal: Principal, id: TenantId, suspended: boolean) {
      yield* get(principal, id)
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* updateLive(id, sql`suspended = ${suspended}, ${markFor(sql, "pending")}`)
            // its databases, mail domains and buckets carry the suspension too: pending until applied
            yield* markTenantChildrenPending(sql, tenantChildFamilies, id)
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "tenant.changed", tenantId: id })
      return answer
    })

    const migrate = Effect.fn("Tenants.migrate")(function* (
      principal: Principal,
      id: TenantId,
      input: typeof MigrateTenant.Type,
    ) {
      const tenant = yield* get(principal, id)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const target = yield* webShard(input.shard_id)
      if (!isPlatformAdmin(principal) && !(yield* brandUsesCluster(tenant.brand_id, target.cluster_id))) {
        return yield* Effect.fail(
          new InvalidInput({
            message: `shard ${input.shard_id} is not in a cluster the brand may use; ${mapClusters(tenant.brand_id)}`,
          }),
        )
      }
      if (target.id === tenant.shard_id) {
        return yield* Effect.fail(new Conflict({ message: `the tenant is already on shard ${target.id}` }))
      }
      return yield* changeTenant(principal, id, sql`migrate_to = ${target.id}`)
    })

    /**
     * Deletes the tenant and everything it owns: all rows become `deleting`; its sync removes them.
     * Deleting again is the same request once more (and how a failed delete is retried).
     */
    const remove = Effect.fn("Tenants.remove")(function* (principal: Principal, id: TenantId) {
      yield* get(principal, id)
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const deleting = markFor(sql, "deleting")
            const t = yield* sql<{ id: string }>`UPDATE tenants SET ${deleting} WHERE id = ${id} RETURNING id`
            const w = yield* sql<{ id: string }>`UPDATE webroots SET ${deleting} WHERE tenant_id = ${id} RETURNING id`
            const f = yield* sql<{ id: string }>`UPDATE fqdns SET ${deleting} WHERE tenant_id = ${id} RETURNING id`
            const k = yield* sql<{ id: string }>`UPDATE ssh_keys SET ${deleting} WHERE tenant_id = ${id} RETURNING id`
            // rows of families with serializers of their own go first; the tenant row waits for them
            yield* markTenantChildrenDeleting(sql, tenantChildFamilies, id)
            return [
              ["tenants", idsOf(t)],
              ["webroots", idsOf(w)],
              ["fqdns", idsOf(f)],
              ["ssh_keys", idsOf(k)],
            ] as const
          }),
        )
        .pipe(Effect.orDie)
      // the names it served, its service hostname too, leave their zones with it
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "tenant.deleted", tenantId: id, written })
      return answer
    })

    /**
     * Re-sends a failed tenant, or the failed rows of an active one: the tenant (when failed) and
     * every failed webroot, FQDN, SSH key and certificate it owns go back to pending.
     */
    const retry = Effect.fn("Tenants.retry")(function* (principal: Principal, id: TenantId) {
      const tenant = yield* get(principal, id)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (tenant.status !== "failed" && tenant.status !== "active") {
        return yield* Effect.fail(
          new Conflict({
            message: `only a failed tenant, or an active one with failed resources, can be retried; this one is ${tenant.status}`,
          }),
        )
      }
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // the tenant row first, like every writer of a tenant's rows
            const [locked] = yield* sql<{
              status: string
            }>`SELECT status FROM tenants WHERE id = ${id} FOR NO KEY UPDATE`
            if (locked === undefined || (locked.status !== "failed" && locked.status !== "active")) return undefined
            const pending = markFor(sql, "pending")
            const t = yield* sql<{ id: string }>`UPDATE tenants SET ${pending}
              WHERE id = ${id} AND status = 'failed' RETURNING id`
            const children = yield* Effect.forEach(
              ["webroots", "fqdns", "ssh_keys", "certificates"] as const,
              (table) =>
                Effect.map(
                  sql<{ id: string }>`UPDATE ${sql(table)} SET ${pending}
                    WHERE tenant_id = ${id} AND status = 'failed' RETURNING id`,
                  (rows) => [table, idsOf(rows)] as const,
                ),
            )
            return [["tenants", idsOf(t)] as const, ...children]
          }),
        )
        .pipe(Effect.orDie)
      // another request retried or deleted it between the read and the update
      if (written === undefined) {
        return yield* Effect.fail(new Conflict({ message: "only a failed tenant can be retried" }))
      }
      if (written.every(([, ids]) => ids.length === 0)) {
        return yield* Effect.fail(
          new Conflict({
            message:
              "nothing to retry: the tenant is active and none of its webroots, FQDNs, SSH keys or certificates failed",
          }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "tenant.retried", tenantId: id, written })
      return answer
    })

    const decodeKey = rowDecoder(SshKey)

    const resources = Effect.fn("Tenants.resources")(function* (principal: Principal, id: TenantId) {
      const tenant = yield* get(principal, id)
      const of = (table: string) =>
        sql`SELECT * FROM ${sql(table)} WHERE tenant_id = ${id} ORDER BY created_at, id`.pipe(Effect.orDie)
      return TenantResources.make({
        tenant,
        webroots: yield* Effect.flatMap(of("webroots"), Effect.forEach(decodeWebroot)),
        // as GET /fqdns/{id} answers them: their status gathers every side effect
        fqdns: yield* sql`SELECT t.* FROM ${sql.literal(fqdnSpec.from)} WHERE t.tenant_id = ${id}
          ORDER BY t.created_at, t.id`.pipe(Effect.orDie, Effect.flatMap(Effect.forEach(decodeFqdnRow))),
        ssh_keys: yield* Effect.flatMap(of("ssh_keys"), Effect.forEach(decodeKey)),
      })
    })

    return { list, get, create, update, remove, suspend, migrate, retry, resources } as const
  }),
  dependencies: [Reactions.Default],
}) {}
