import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { RoundOutcome, TenantRevisions, TenantSnapshot } from "../../activities/index.js"
import { SERVED_SIGNAL, workflowIdFor } from "../../domain/lifecycle.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { causesOf, type FamilyTables, markProvisioning, recordRound } from "../../lifecycle/rounds.js"
import { tenantChildFamilies, tenantChildrenRemaining, waitingForChildren } from "../../lifecycle/tenant-children.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import { tenantClusters } from "../lb/sync.js"
import type { TenantSpec, WebrootSpec } from "./plan.js"

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
  readonly https_redirect: boolean
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

interface CertRow {
  readonly id: string
  readonly fqdn_id: string
  readonly tenant_id: string
  readonly certificate_pem: string
  readonly private_key_pem: string
  readonly status: string
  readonly revision: string
  readonly created_at: unknown
}

const CERT_COLUMNS = "id, fqdn_id, tenant_id, certificate_pem, private_key_pem, status, revision::text, created_at"

const live = (r: { readonly status: string }) => r.status !== "deleting"

/** The node spec of one tenant from its rows; rows being deleted are left out. */
const toSpec = (
  t: TenantRow,
  webroots: ReadonlyArray<WebrootRow>,
  fqdns: ReadonlyArray<FqdnRow>,
  keys: ReadonlyArray<KeyRow>,
  certs: ReadonlyArray<CertRow>,
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
  certificates: installedCertificates(fqdns, certs),
})

/** Per live FQDN, its newest certificate not being deleted; by host name. */
const installedCertificates = (fqdns: ReadonlyArray<FqdnRow>, certs: ReadonlyArray<CertRow>) => {
  const time = (c: CertRow) => new Date(c.created_at as string | Date).getTime()
  return fqdns
    .filter(live)
    .flatMap((f) => {
      const newest = certs
        .filter((c) => c.fqdn_id === f.id && live(c))
        .sort((a, b) => time(b) - time(a) || b.id.localeCompare(a.id))[0]
      return newest === undefined
        ? []
        : [
            {
              hostname: f.hostname,
              certificate_pem: newest.certificate_pem,
              private_key_pem: newest.private_key_pem,
              // only when set, so specs of names without a redirect stay as they were
              ...(f.https_redirect ? { https_redirect: true } : {}),
            },
          ]
    })
    .sort((a, b) => a.hostname.localeCompare(b.hostname))
}

type WebTable = "tenants" | "webroots" | "fqdns" | "ssh_keys" | "certificates"

/** The rows a tenant's round applies: the tenant and everything under it. */
const TENANT_TABLES: FamilyTables<WebTable> = {
  root: "tenants",
  children: ["webroots", "fqdns", "ssh_keys", "certificates"],
  parentColumn: "tenant_id",
}

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
    const reactions = yield* Reactions
    const engine = yield* WorkflowEngine

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
            yield* markProvisioning(sql, TENANT_TABLES, tenantId)
            const webroots = yield* sql<WebrootRow>`SELECT id, tenant_id, name, runtime, runtime_version, entrypoint,
              numprocs, status, revision::text FROM webroots WHERE tenant_id = ${tenantId}`
            const fqdns = yield* sql<FqdnRow>`SELECT id, webroot_id, tenant_id, hostname, https_redirect, status,
              revision::text FROM fqdns WHERE tenant_id = ${tenantId}`
            const keys = yield* sql<KeyRow>`SELECT id, tenant_id, public_key, status, revision::text
              FROM ssh_keys WHERE tenant_id = ${tenantId}`
            const certs = yield* sql<CertRow>`SELECT ${sql.literal(CERT_COLUMNS)}
              FROM certificates WHERE tenant_id = ${tenantId}`
            const revisions: TenantRevisions = {
              tenants: pairs([t]),
              webroots: pairs(webroots),
              fqdns: pairs(fqdns),
              ssh_keys: pairs(keys),
              certificates: pairs(certs),
            }
            const snap: TenantSnapshot = {
              tenantId,
              tenantName: t.name,
              spec: t.status === "deleting" ? null : toSpec(t, webroots, fqdns, keys, certs),
              nodeIds: yield* nodesOf(t.shard_id),
              migrateNodeIds: t.migrate_to === null ? null : yield* nodesOf(t.migrate_to),
              revisions,
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    const record = (snap: TenantSnapshot, outcome: RoundOutcome) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            // the tenant row first, like every other writer of a tenant's rows (no lock-order deadlocks)
            yield* sql`SELECT id FROM tenants WHERE id = ${snap.tenantId} FOR NO KEY UPDATE`
            const causes = causesOf(outcome)
            // a tenant being deleted goes only once its child families' rows are gone (they
            // reference it); until then it stays `deleting` and says what it waits for
            const waiting =
              snap.spec === null ? yield* tenantChildrenRemaining(sql, tenantChildFamilies, snap.tenantId) : []
            // children first: fqdns reference webroots, everything references the tenant
            yield* recordRound<WebTable>(
              sql,
              [
                ["certificates", snap.revisions.certificates ?? []],
                ["fqdns", snap.revisions.fqdns],
                ["ssh_keys", snap.revisions.ssh_keys],
                ["webroots", snap.revisions.webroots],
                ["tenants", waiting.length === 0 || causes.length > 0 ? snap.revisions.tenants : []],
              ],
              causes,
            )
            if (waiting.length > 0 && causes.length === 0) {
              for (const [id, revision] of snap.revisions.tenants)
                yield* sql`UPDATE tenants SET status_message = ${waitingForChildren(waiting)}, status_details = NULL,
                  updated_at = now() WHERE id = ${id} AND revision = ${revision} AND status = 'deleting'`
            }
            if (causes.length === 0 && snap.migrateNodeIds !== null) {
              yield* sql`UPDATE tenants SET shard_id = migrate_to, migrate_to = NULL, updated_at = now()
                WHERE id = ${snap.tenantId} AND migrate_to IS NOT NULL`
            }
          }),
        )
        .pipe(Effect.orDie)

    /** Records a round; the LB then follows a moved tenant and drops names unbound with their webroot or tenant. */
    const finish = (snap: TenantSnapshot, outcome: RoundOutcome) =>
      Effect.gen(function* () {
        const bound = snap.spec?.webroots.reduce((n, w) => n + w.server_names.length, 0) ?? 0
        const moved = causesOf(outcome).length === 0 && snap.migrateNodeIds !== null
        // read before the move: the source cluster must drop the names as the target adds them
        const routedIn = moved || snap.revisions.fqdns.length > bound ? yield* tenantClusters(sql, snap.tenantId) : []
        yield* record(snap, outcome)
        // the LBs of those clusters; a moved tenant's names and service hostname in their zones
        yield* reactions.changed({ kind: "tenant.round-recorded", tenantId: snap.tenantId, moved, routedIn })
        yield* tellWaitingIssuances(snap)
      })

    /**
     * An issuance waiting for its name to be served (`fqdn:{id}:acme`, acme_status `pending`)
     * hears that the round recorded it — served, or failed — instead of polling the database.
     */
    const tellWaitingIssuances = (snap: TenantSnapshot) =>
      Effect.gen(function* () {
        const ids = snap.revisions.fqdns.map(([id]) => id)
        if (ids.length === 0) return
        const waiting = yield* sql<{ id: string }>`SELECT id FROM fqdns WHERE id IN ${sql.in(ids)}
          AND tls = 'letsencrypt' AND acme_status = 'pending' AND status IN ('active', 'failed')`.pipe(Effect.orDie)
        yield* Effect.forEach(
          waiting,
          (f) => engine.signal({ workflowId: workflowIdFor("fqdn", f.id, "acme"), signal: SERVED_SIGNAL }),
          { discard: true },
        ).pipe(
          // asked from a worker: an unreachable engine is transient, Temporal retries the activity
          Effect.orDie,
        )
      })

    /**
     * What each node of a web shard must host: the tenants of EVERY web shard the node belongs to
     * (a node may serve several), including tenants migrating onto one of them. Converging one
     * shard must not remove what another shard put on the same node.
     */
    const shardSpecs = (shardId: string) =>
      Effect.gen(function* () {
        const [{ revision }] = yield* sql<{
          revision: string
        }>`SELECT last_value::text AS revision FROM web_revision_seq`
        const memberships = yield* sql<{ node_id: string; shard_id: string }>`SELECT ns.node_id::text, ns.shard_id::text
          FROM node_shards ns JOIN shards s ON s.id = ns.shard_id AND s.role = 'web'
          WHERE ns.node_id IN (SELECT node_id FROM node_shards WHERE shard_id = ${shardId})
          ORDER BY ns.node_id`
        const shardIds = [...new Set(memberships.map((m) => m.shard_id))]
        const tenants =
          shardIds.length === 0
            ? []
            : yield* sql<TenantRow>`SELECT id, name, shard_id, migrate_to, suspended, status, revision::text
              FROM tenants WHERE (shard_id IN ${sql.in(shardIds)} OR migrate_to IN ${sql.in(shardIds)})
                AND status <> 'deleting' ORDER BY name`
        const ids = tenants.map((t) => t.id)
        const webroots =
          ids.length === 0
            ? []
            : yield* sql<WebrootRow>`SELECT id, tenant_id, name, runtime, runtime_version, entrypoint, numprocs,
              status, revision::text FROM webroots WHERE tenant_id IN ${sql.in(ids)}`
        const fqdns =
          ids.length === 0
            ? []
            : yield* sql<FqdnRow>`SELECT id, webroot_id, tenant_id, hostname, https_redirect, status,
              revision::text FROM fqdns WHERE tenant_id IN ${sql.in(ids)}`
        const keys =
          ids.length === 0
            ? []
            : yield* sql<KeyRow>`SELECT id, tenant_id, public_key, status, revision::text
              FROM ssh_keys WHERE tenant_id IN ${sql.in(ids)}`
        const certs =
          ids.length === 0
            ? []
            : yield* sql<CertRow>`SELECT ${sql.literal(CERT_COLUMNS)} FROM certificates
              WHERE tenant_id IN ${sql.in(ids)} AND status <> 'deleting'`
        const group = <R extends { readonly tenant_id: string }>(rows: ReadonlyArray<R>) => {
          const m = new Map<string, Array<R>>()
          for (const r of rows) m.set(r.tenant_id, [...(m.get(r.tenant_id) ?? []), r])
          return m
        }
        const [w, f, k, c] = [group(webroots), group(fqdns), group(keys), group(certs)]
        const specs = tenants.map((t) => ({
          row: t,
          spec: toSpec(t, w.get(t.id) ?? [], f.get(t.id) ?? [], k.get(t.id) ?? [], c.get(t.id) ?? []),
        }))
        const nodeIds = [...new Set(memberships.map((m) => m.node_id))]
        return {
          nodes: nodeIds.map((nodeId) => {
            const mine = new Set(memberships.filter((m) => m.node_id === nodeId).map((m) => m.shard_id))
            return {
              nodeId,
              tenants: specs
                .filter(({ row }) => mine.has(row.shard_id) || (row.migrate_to !== null && mine.has(row.migrate_to)))
                .map(({ spec }) => spec),
            }
          }),
          revision: revision!,
        }
      }).pipe(Effect.orDie)

    const resyncChangedSince = (shardId: string, revision: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT t.id FROM tenants t WHERE t.shard_id = ${shardId} AND (
            t.revision > ${revision}
            OR EXISTS (SELECT 1 FROM webroots w WHERE w.tenant_id = t.id AND w.revision > ${revision})
            OR EXISTS (SELECT 1 FROM fqdns f WHERE f.tenant_id = t.id AND f.revision > ${revision})
            OR EXISTS (SELECT 1 FROM ssh_keys k WHERE k.tenant_id = t.id AND k.revision > ${revision})
            OR EXISTS (SELECT 1 FROM certificates c WHERE c.tenant_id = t.id AND c.revision > ${revision}))`.pipe(
          Effect.orDie,
        )
        yield* reactions.changed({ kind: "web-converge.overtaken", tenantIds: rows.map((r) => r.id) })
        return rows.length
      })

    const shardRole = (shardId: string) =>
      Effect.map(
        sql<{ role: string }>`SELECT role FROM shards WHERE id = ${shardId}`.pipe(Effect.orDie),
        (rows) => rows[0]?.role ?? "unknown",
      )

    return { snapshot, finish, shardSpecs, resyncChangedSince, shardRole } as const
  }),
  dependencies: [Reactions.Default],
}) {}
