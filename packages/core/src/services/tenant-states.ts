import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { TenantRevisions, TenantSnapshot } from "../activities/index.js"
import type { TenantSpec, WebrootSpec } from "../domain/web.js"
import { TenantSync } from "./tenant-sync.js"

interface TenantRow {
  readonly id: string
  readonly name: string
  readonly shard_id: string
  readonly migrate_to: string | null
  readonly suspended: boolean
  readonly status: string
  readonly revision: string
}
interface WebrootRow {
  readonly id: string
  readonly tenant_id: string
  readonly name: string
  readonly runtime: WebrootSpec["runtime"]
  readonly runtime_version: string | null
  readonly entrypoint: string | null
  readonly numprocs: number
  readonly status: string
  readonly revision: string
}
interface FqdnRow {
  readonly id: string
  readonly webroot_id: string
  readonly tenant_id: string
  readonly hostname: string
  readonly status: string
  readonly revision: string
}
interface KeyRow {
  readonly id: string
  readonly tenant_id: string
  readonly public_key: string
  readonly status: string
  readonly revision: string
}

const live = (r: { readonly status: string }) => r.status !== "deleting"

/** The node spec of one tenant from its rows; rows being deleted are left out. */
const toSpec = (
  t: TenantRow,
  webroots: ReadonlyArray<WebrootRow>,
  fqdns: ReadonlyArray<FqdnRow>,
  keys: ReadonlyArray<KeyRow>,
): TenantSpec => ({
  name: t.name,
  suspended: t.suspended,
  webroots: webroots
    .filter(live)
    .map((w) => ({
      name: w.name,
      runtime: w.runtime,
      runtime_version: w.runtime_version,
      entrypoint: w.entrypoint,
      numprocs: w.numprocs,
      server_names: fqdns
        .filter((f) => f.webroot_id === w.id && live(f))
        .map((f) => f.hostname)
        .sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name)),
  ssh_keys: keys
    .filter(live)
    .map((k) => k.public_key)
    .sort(),
})

const pairs = (rows: ReadonlyArray<{ readonly id: string; readonly revision: string }>) =>
  rows.map((r) => [r.id, String(r.revision)] as const)

/**
 * The database side of tenant syncs and web converges: reads desired state for nodes and records
 * outcomes. A row becomes active only if its revision is still the one the sync applied, so a
 * change made during a sync stays pending for the next round.
 */
export class TenantStates extends Effect.Service<TenantStates>()("@hosting/TenantStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const sync = yield* TenantSync

    const nodesOf = (shardId: string) =>
      Effect.map(
        sql<{ node_id: string }>`SELECT node_id::text FROM node_shards WHERE shard_id = ${shardId} ORDER BY node_id`,
        (rows) => rows.map((r) => r.node_id),
      )

    const snapshot = (tenantId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [t] = yield* sql<TenantRow>`SELECT id, name, shard_id, migrate_to, suspended, status,
              revision::text FROM tenants WHERE id = ${tenantId}`
            if (t === undefined) return null
            yield* sql`UPDATE tenants SET status = 'provisioning' WHERE id = ${tenantId} AND status = 'pending'`
            for (const table of ["webroots", "fqdns", "ssh_keys"])
              yield* sql`UPDATE ${sql(table)} SET status = 'provisioning'
                WHERE tenant_id = ${tenantId} AND status = 'pending'`
            const webroots = yield* sql<WebrootRow>`SELECT id, tenant_id, name, runtime, runtime_version, entrypoint,
              numprocs, status, revision::text FROM webroots WHERE tenant_id = ${tenantId}`
            const fqdns = yield* sql<FqdnRow>`SELECT id, webroot_id, tenant_id, hostname, status, revision::text
              FROM fqdns WHERE tenant_id = ${tenantId}`
            const keys = yield* sql<KeyRow>`SELECT id, tenant_id, public_key, status, revision::text
              FROM ssh_keys WHERE tenant_id = ${tenantId}`
            const revisions: TenantRevisions = {
              tenants: pairs([t]),
              webroots: pairs(webroots),
              fqdns: pairs(fqdns),
              ssh_keys: pairs(keys),
            }
            const snap: TenantSnapshot = {
              tenantId,
              tenantName: t.name,
              spec: t.status === "deleting" ? null : toSpec(t, webroots, fqdns, keys),
              nodeIds: yield* nodesOf(t.shard_id),
              migrateNodeIds: t.migrate_to === null ? null : yield* nodesOf(t.migrate_to),
              revisions,
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    const finish = (snap: TenantSnapshot, errors: ReadonlyArray<string>) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const message = errors.join("; ").slice(0, 4000)
            const failed = errors.length > 0
            // children first: fqdns reference webroots, everything references the tenant
            for (const [table, rows] of [
              ["fqdns", snap.revisions.fqdns],
              ["ssh_keys", snap.revisions.ssh_keys],
              ["webroots", snap.revisions.webroots],
              ["tenants", snap.revisions.tenants],
            ] as const) {
              for (const [id, revision] of rows) {
                if (failed) {
                  // a failed delete stays `deleting` (deleting again retries it); the rest fail
                  yield* sql`UPDATE ${sql(table)} SET status = CASE WHEN status = 'deleting' THEN 'deleting' ELSE 'failed' END,
                    status_message = ${message}, updated_at = now() WHERE id = ${id} AND revision = ${revision}`
                } else {
                  yield* sql`DELETE FROM ${sql(table)} WHERE id = ${id} AND revision = ${revision} AND status = 'deleting'`
                  yield* sql`UPDATE ${sql(table)} SET status = 'active', status_message = NULL, updated_at = now()
                    WHERE id = ${id} AND revision = ${revision} AND status IN ('pending', 'provisioning', 'failed')`
                }
              }
            }
            if (!failed && snap.migrateNodeIds !== null) {
              yield* sql`UPDATE tenants SET shard_id = migrate_to, migrate_to = NULL, updated_at = now()
                WHERE id = ${snap.tenantId} AND migrate_to IS NOT NULL`
            }
          }),
        )
        .pipe(Effect.orDie)

    const shardSpecs = (shardId: string) =>
      Effect.gen(function* () {
        const [{ revision }] = yield* sql<{
          revision: string
        }>`SELECT last_value::text AS revision FROM web_revision_seq`
        const tenants = yield* sql<TenantRow>`SELECT id, name, shard_id, migrate_to, suspended, status, revision::text
          FROM tenants WHERE shard_id = ${shardId} AND status <> 'deleting' ORDER BY name`
        const ids = tenants.map((t) => t.id)
        if (ids.length === 0) return { tenants: [], revision: revision! }
        const webroots = yield* sql<WebrootRow>`SELECT w.id, w.tenant_id, w.name, w.runtime, w.runtime_version,
          w.entrypoint, w.numprocs, w.status, w.revision::text FROM webroots w
          JOIN tenants t ON t.id = w.tenant_id WHERE t.shard_id = ${shardId}`
        const fqdns = yield* sql<FqdnRow>`SELECT f.id, f.webroot_id, f.tenant_id, f.hostname, f.status,
          f.revision::text FROM fqdns f JOIN tenants t ON t.id = f.tenant_id WHERE t.shard_id = ${shardId}`
        const keys = yield* sql<KeyRow>`SELECT k.id, k.tenant_id, k.public_key, k.status, k.revision::text
          FROM ssh_keys k JOIN tenants t ON t.id = k.tenant_id WHERE t.shard_id = ${shardId}`
        const group = <R extends { readonly tenant_id: string }>(rows: ReadonlyArray<R>) => {
          const m = new Map<string, Array<R>>()
          for (const r of rows) m.set(r.tenant_id, [...(m.get(r.tenant_id) ?? []), r])
          return m
        }
        const [w, f, k] = [group(webroots), group(fqdns), group(keys)]
        return {
          tenants: tenants.map((t) => toSpec(t, w.get(t.id) ?? [], f.get(t.id) ?? [], k.get(t.id) ?? [])),
          revision: revision!,
        }
      }).pipe(Effect.orDie)

    const resyncChangedSince = (shardId: string, revision: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT t.id FROM tenants t WHERE t.shard_id = ${shardId} AND (
            t.revision > ${revision}
            OR EXISTS (SELECT 1 FROM webroots w WHERE w.tenant_id = t.id AND w.revision > ${revision})
            OR EXISTS (SELECT 1 FROM fqdns f WHERE f.tenant_id = t.id AND f.revision > ${revision})
            OR EXISTS (SELECT 1 FROM ssh_keys k WHERE k.tenant_id = t.id AND k.revision > ${revision}))`.pipe(
          Effect.orDie,
        )
        yield* Effect.forEach(rows, (r) => sync.request(r.id).pipe(Effect.orDie), { discard: true })
        return rows.length
      })

    const shardRole = (shardId: string) =>
      Effect.map(
        sql<{ role: string }>`SELECT role FROM shards WHERE id = ${shardId}`.pipe(Effect.orDie),
        (rows) => rows[0]?.role ?? "unknown",
      )

    return { snapshot, finish, shardSpecs, resyncChangedSince, shardRole } as const
  }),
  dependencies: [TenantSync.Default],
}) {}
