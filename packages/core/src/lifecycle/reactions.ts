import { SqlClient } from "@effect/sql/SqlClient"
import { Context, Effect, Layer } from "effect"
import type { Unavailable } from "../domain/errors.js"
import { baseDomain } from "../families/access/repo-platform-config.js"
import type { DatabaseWritten } from "../families/databases/service-rows.js"
import { DatabaseSync } from "../families/databases/sync.js"
import type { DnsWritten } from "../families/dns/service-rows.js"
import { ZoneSync } from "../families/dns/sync.js"
import type { MailWritten } from "../families/email/service-rows.js"
import { LbSync } from "../families/lb/sync.js"
import type { S3Table } from "../families/s3/service-rows.js"
import type { Written } from "../families/tenancy/service-rows.js"
import { TenantSync } from "../families/tenancy/sync.js"
import { handOff, type WrittenRows } from "../sql/hand-off.js"
import { mailDomainSerializer, makeSerializerRequest, s3BucketSerializer } from "./serializers.js"
import { tenantChildFamilies, tenantChildIds } from "./tenant-children.js"

/**
 * What wakes what, in one place. Writers report a change (`reactions.changed({ kind:
 * "fqdn.bound", … })`) after their rows are written; the table below says which serializers
 * that change wakes and what an engine that cannot be reached does to the writer. No writer
 * imports a sync.
 */

/** A change a writer reports, after its rows are written (and committed). */
export type Change =
  /** A new tenant: its rows, and the zone that serves its service hostname. */
  | { readonly kind: "tenant.created"; readonly tenantId: string }
  /** Suspended, resumed, or asked to migrate: only its nodes see it. */
  | { readonly kind: "tenant.changed"; readonly tenantId: string }
  | { readonly kind: "tenant.retried"; readonly tenantId: string; readonly written: Written }
  | { readonly kind: "tenant.deleted"; readonly tenantId: string; readonly written: Written }
  /** Created, updated or retried. */
  | { readonly kind: "webroot.changed"; readonly tenantId: string; readonly webrootId: string }
  /** The webroot and the FQDNs bound to it. */
  | { readonly kind: "webroot.deleted"; readonly tenantId: string; readonly written: Written }
  | { readonly kind: "fqdn.bound"; readonly tenantId: string; readonly fqdnId: string; readonly hostname: string }
  /** Its HTTPS redirect changed (the only setting nodes see). */
  | { readonly kind: "fqdn.changed"; readonly tenantId: string; readonly fqdnId: string }
  /**
   * The sides that failed, marked on their way: `web` its own row, `lbShardIds` its cluster's lb
   * shards, `zoneIds` the zone covering the name (a failed issuance is started again by the writer).
   */
  | {
      readonly kind: "fqdn.retried"
      readonly tenantId: string
      readonly fqdnId: string
      readonly web: boolean
      readonly lbShardIds: ReadonlyArray<string>
      readonly zoneIds: ReadonlyArray<string>
    }
  | { readonly kind: "fqdn.unbound"; readonly tenantId: string; readonly fqdnId: string; readonly hostname: string }
  /** Added, retried or removed. */
  | { readonly kind: "ssh-key.changed"; readonly tenantId: string; readonly sshKeyId: string }
  /** Uploaded, retried or deleted through the API. */
  | { readonly kind: "certificate.changed"; readonly tenantId: string; readonly certificateId: string }
  /** Stored by an issuance (control-plane worker). */
  | { readonly kind: "certificate.issued"; readonly tenantId: string; readonly certificateId: string }
  /** Expired certificates taken off the nodes by the daily cleanup (control-plane worker). */
  | { readonly kind: "certificates.expired"; readonly tenantId: string; readonly certificateIds: ReadonlyArray<string> }
  /**
   * A tenant's round was recorded. `moved`: it finished a migration (the shard flipped).
   * `routedIn`: the clusters its names were routed in before the record, read by the writer
   * when the LB must follow — the tenant moved, or names went with their webroot or tenant.
   */
  | {
      readonly kind: "tenant.round-recorded"
      readonly tenantId: string
      readonly moved: boolean
      readonly routedIn: ReadonlyArray<string>
    }
  /** A bucket or one of its access keys created, changed, deleted or retried. */
  | {
      readonly kind: "s3-bucket.changed"
      readonly tenantId: string
      readonly bucketId: string
      readonly written: WrittenRows<S3Table>
    }
  /** Buckets changed while an s3 shard's converge ran from an older snapshot. */
  | { readonly kind: "s3-converge.overtaken"; readonly bucketIds: ReadonlyArray<string> }
  /** A child family's serializer removed a row of a tenant being deleted (lifecycle/tenant-children.ts). */
  | { readonly kind: "tenant-child.removed"; readonly tenantId: string }
  /** Tenants changed while a web converge ran from an older snapshot. */
  | { readonly kind: "web-converge.overtaken"; readonly tenantIds: ReadonlyArray<string> }
  /** A database or its users created, updated, deleted or retried, with the rows written. */
  | { readonly kind: "database.changed"; readonly databaseId: string; readonly written: DatabaseWritten }
  /** Databases changed while a database shard's converge ran from an older snapshot. */
  | { readonly kind: "database-converge.overtaken"; readonly databaseIds: ReadonlyArray<string> }
  /**
   * Mail accounts, aliases, forwards or auto-replies written: the syncs of the mail domains they
   * touch; `zoneHostnames`: mail domains made or marked for removal (their records come or go).
   */
  | {
      readonly kind: "mail.changed"
      readonly mailDomainIds: ReadonlyArray<string>
      readonly written: MailWritten
      readonly zoneHostnames: ReadonlyArray<string>
    }
  /** Mail domains to apply again: aliases waited for a domain, or a converge read an older state. */
  | { readonly kind: "mail.resync"; readonly mailDomainIds: ReadonlyArray<string> }
  /** Created, deleted or retried, with the records written with it. */
  | { readonly kind: "zone.changed"; readonly zoneId: string; readonly written: DnsWritten }
  /** Created, updated, deleted or retried. */
  | { readonly kind: "dns-record.changed"; readonly zoneId: string; readonly recordId: string }
  /** A node created, deleted, moved between shards or readdressed. */
  | { readonly kind: "node.changed"; readonly clusterId: string }
  /** The platform's base domain changed from one value to another. */
  | { readonly kind: "base-domain.changed"; readonly from: string | null; readonly to: string | null }

/** One serializer request a change makes. */
export type SyncRequest =
  /** The tenant's serializer; `written` rows say why when the engine cannot be reached. */
  | { readonly sync: "tenant"; readonly tenantId: string; readonly written: Written }
  /** The zone's serializer; `written` rows say why when the engine cannot be reached. */
  | { readonly sync: "zone"; readonly zoneId: string; readonly written: DnsWritten }
  /** The most specific zone at or above the name (it serves the name's derived A/AAAA). */
  | { readonly sync: "covering-zone"; readonly hostname: string }
  /** The covering zone of every name of the tenant: its FQDNs and its service hostname. */
  | { readonly sync: "tenant-zones"; readonly tenantId: string }
  /** The zones that may serve service hostnames under this base domain. */
  | { readonly sync: "base-domain-zones"; readonly domain: string }
  /** base-domain-zones of the platform's current base domain, if it has one. */
  | { readonly sync: "service-hostname-zones" }
  /** An S3 bucket's serializer; `written` rows say why when the engine cannot be reached. */
  | { readonly sync: "s3-bucket"; readonly bucketId: string; readonly written: WrittenRows<S3Table> }
  /** The serializer of every row of the tenant's child families (lifecycle/tenant-children.ts). */
  | { readonly sync: "tenant-children"; readonly tenantId: string }
  /** A database's serializer; `written` rows say why when the engine cannot be reached. */
  | { readonly sync: "database"; readonly databaseId: string; readonly written: DatabaseWritten }
  /** A mail domain's serializer; `written` rows say why when the engine cannot be reached. */
  | { readonly sync: "mail-domain"; readonly mailDomainId: string; readonly written: MailWritten }
  /** The LB serializer of a cluster (nothing when it has no lb shard). */
  | { readonly sync: "cluster-lb"; readonly clusterId: string }
  /**
   * The LB serializer of every cluster a tenant's names are routed in; `written` lb shards say
   * why when the engine cannot be reached.
   */
  | { readonly sync: "tenant-lbs"; readonly tenantId: string; readonly written?: WrittenRows<"shards"> }

/**
 * What a request the engine refused does to the writer: `fail` — the writer answers 503 (the
 * hand-off has marked its rows failed, a delete stays `deleting`); `warn` — logged, the writer
 * goes on; `ignore` — the writer goes on; `die` — a defect, so the control-plane activity that
 * reported the change is retried by Temporal. Zone requests for derived records never reach the
 * writer at all: the zone itself is marked failed with why, and its retry sends it again.
 */
export type OnUnavailable = "fail" | "warn" | "ignore" | "die"

/** A request and what its failure does. */
export interface Reaction<P extends OnUnavailable = OnUnavailable> {
  readonly request: SyncRequest
  readonly onUnavailable: P
}

const react = <P extends OnUnavailable>(request: SyncRequest, onUnavailable: P): Reaction<P> => ({
  request,
  onUnavailable,
})

// the requests, by what they wake, with what their failure does wherever it is not said
const tenantSync = (tenantId: string, written: Written) => react({ sync: "tenant", tenantId, written }, "fail")
const zoneSync = (zoneId: string, written: DnsWritten) => react({ sync: "zone", zoneId, written }, "fail")
const coveringZone = (hostname: string) => react({ sync: "covering-zone", hostname }, "ignore")
const tenantZones = (tenantId: string) => react({ sync: "tenant-zones", tenantId }, "ignore")
const baseDomainZones = (domain: string) => react({ sync: "base-domain-zones", domain }, "ignore")
// a failed request marks the child rows it could not hand over (a delete stays `deleting`)
const tenantChildren = (tenantId: string) => react({ sync: "tenant-children", tenantId }, "fail")
const tenantLbs = (tenantId: string) => react({ sync: "tenant-lbs", tenantId }, "warn")

/**
 * The table: a change → the syncs it requests, in order. A `fail` request that fails stops the
 * rest (the writer answers 503 and the change is retried as a whole).
 */
const table = {
  "tenant.created": (c) => [tenantSync(c.tenantId, [["tenants", [c.tenantId]]]), tenantZones(c.tenantId)],
  // a child's spec carries its tenant's suspension
  "tenant.changed": (c) => [tenantSync(c.tenantId, [["tenants", [c.tenantId]]]), tenantChildren(c.tenantId)],
  "tenant.retried": (c) => [tenantSync(c.tenantId, c.written)],
  // its names and its service hostname leave their zones (derived records skip what is `deleting`)
  // its child families' rows go first; the tenant row waits for them (tenant-child.removed)
  "tenant.deleted": (c) => [tenantSync(c.tenantId, c.written), tenantZones(c.tenantId), tenantChildren(c.tenantId)],
  "s3-bucket.changed": (c) => [react({ sync: "s3-bucket", bucketId: c.bucketId, written: c.written }, "fail")],
  "s3-converge.overtaken": (c) =>
    c.bucketIds.map((bucketId) => react({ sync: "s3-bucket", bucketId, written: [] }, "die")),
  "tenant-child.removed": (c) => [react({ sync: "tenant", tenantId: c.tenantId, written: [] }, "die")],
  "webroot.changed": (c) => [tenantSync(c.tenantId, [["webroots", [c.webrootId]]])],
  // the LB drops its names when the tenant's round has removed them (tenant.round-recorded)
  "webroot.deleted": (c) => [tenantSync(c.tenantId, c.written), tenantZones(c.tenantId)],
  "fqdn.bound": (c) => [
    tenantSync(c.tenantId, [["fqdns", [c.fqdnId]]]),
    tenantLbs(c.tenantId),
    coveringZone(c.hostname),
  ],
  "fqdn.changed": (c) => [tenantSync(c.tenantId, [["fqdns", [c.fqdnId]]])],
  // each failed side goes to its own sync; the LB follows a web retry as it follows a bind
  "fqdn.retried": (c) => [
    ...(c.web ? [tenantSync(c.tenantId, [["fqdns", [c.fqdnId]]])] : []),
    c.lbShardIds.length > 0
      ? react({ sync: "tenant-lbs", tenantId: c.tenantId, written: [["shards", c.lbShardIds]] }, "fail")
      : tenantLbs(c.tenantId),
    ...c.zoneIds.map((zoneId) => zoneSync(zoneId, [["zones", [zoneId]]])),
  ],
  "fqdn.unbound": (c) => [
    tenantSync(c.tenantId, [["fqdns", [c.fqdnId]]]),
    tenantLbs(c.tenantId),
    coveringZone(c.hostname),
  ],
  "ssh-key.changed": (c) => [tenantSync(c.tenantId, [["ssh_keys", [c.sshKeyId]]])],
  "certificate.changed": (c) => [tenantSync(c.tenantId, [["certificates", [c.certificateId]]])],
  // the rows say why; the certificate's retry (or the next cleanup) sends them again
  "certificate.issued": (c) => [
    react({ sync: "tenant", tenantId: c.tenantId, written: [["certificates", [c.certificateId]]] }, "ignore"),
  ],
  "certificates.expired": (c) => [
    react({ sync: "tenant", tenantId: c.tenantId, written: [["certificates", c.certificateIds]] }, "ignore"),
  ],
  // the source cluster drops the names as the target adds them; names and service hostname move
  "tenant.round-recorded": (c) => [
    ...c.routedIn.map((clusterId) => react({ sync: "cluster-lb", clusterId }, "die")),
    ...(c.moved ? [tenantZones(c.tenantId)] : []),
  ],
  "database.changed": (c) => [react({ sync: "database", databaseId: c.databaseId, written: c.written }, "fail")],
  "database-converge.overtaken": (c) =>
    c.databaseIds.map((databaseId) => react({ sync: "database", databaseId, written: [] }, "die")),
  "mail.changed": (c) => [
    ...c.mailDomainIds.map((mailDomainId) => react({ sync: "mail-domain", mailDomainId, written: c.written }, "fail")),
    ...c.zoneHostnames.map(coveringZone),
  ],
  "mail.resync": (c) =>
    c.mailDomainIds.map((mailDomainId) => react({ sync: "mail-domain", mailDomainId, written: [] }, "die")),
  "web-converge.overtaken": (c) =>
    c.tenantIds.map((tenantId) => react({ sync: "tenant", tenantId, written: [] }, "die")),
  "zone.changed": (c) => [zoneSync(c.zoneId, c.written)],
  "dns-record.changed": (c) => [zoneSync(c.zoneId, [["dns_records", [c.recordId]]])],
  // the backends (or a new LB node's routes) and the addresses service hostnames point at;
  // best effort: the next bind, zone change or converge brings them up to date
  "node.changed": (c) => [
    react({ sync: "cluster-lb", clusterId: c.clusterId }, "ignore"),
    react({ sync: "service-hostname-zones" }, "ignore"),
  ],
  // service hostnames leave the old domain's zones and join the new one's
  "base-domain.changed": (c) => [c.from, c.to].flatMap((d) => (d === null ? [] : [baseDomainZones(d)])),
} satisfies { readonly [K in Change["kind"]]: (c: Extract<Change, { kind: K }>) => ReadonlyArray<Reaction> }

type Table = typeof table

/** What reporting a change can fail with: Unavailable when one of its requests is `fail`. */
export type ReactionError<K extends Change["kind"]> = "fail" extends ReturnType<Table[K]>[number]["onUnavailable"]
  ? Unavailable
  : never

/** The requests a change makes, in order (the table, for tests and docs). */
export const reactionsTo = (change: Change): ReadonlyArray<Reaction> =>
  (table[change.kind] as (c: Change) => ReadonlyArray<Reaction>)(change)

/** Starts one serializer request; the live one is TenantSync, ZoneSync and LbSync. */
export class SyncStarters extends Context.Tag("@hosting/SyncStarters")<
  SyncStarters,
  { readonly start: (request: SyncRequest) => Effect.Effect<void, Unavailable> }
>() {}

const describeRequest = (r: SyncRequest): string => {
  switch (r.sync) {
    case "tenant-lbs":
      return `the LB sync for tenant ${r.tenantId}`
    case "cluster-lb":
      return `the LB sync of cluster ${r.clusterId}`
    default:
      return `the ${r.sync} sync`
  }
}

/** The live starters: the tenant, zone and LB serializers, with the hand-off for rows a writer wrote. */
export const SyncStartersLive = Layer.effect(
  SyncStarters,
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const tenants = yield* TenantSync
    const zones = yield* ZoneSync
    const lb = yield* LbSync
    const databases = yield* DatabaseSync
    const request = yield* makeSerializerRequest
    const start = (r: SyncRequest): Effect.Effect<void, Unavailable> => {
      switch (r.sync) {
        case "tenant":
          return handOff(sql, tenants.request(r.tenantId), r.written)
        case "zone":
          return handOff(sql, zones.request(r.zoneId), r.written)
        case "covering-zone":
          return zones.requestCovering(r.hostname)
        case "tenant-zones":
          return zones.requestForTenant(r.tenantId)
        case "base-domain-zones":
          return zones.requestForBaseDomain(r.domain)
        case "service-hostname-zones":
          return baseDomain(sql).pipe(
            Effect.orDie,
            Effect.flatMap((base) => (base === null ? Effect.void : zones.requestForBaseDomain(base))),
          )
        case "s3-bucket":
          return handOff(sql, request(s3BucketSerializer, r.bucketId), r.written)
        case "tenant-children":
          return Effect.forEach(
            tenantChildFamilies,
            (family) =>
              Effect.flatMap(Effect.orDie(tenantChildIds(sql, family, r.tenantId)), (ids) =>
                Effect.forEach(ids, (id) => handOff(sql, request(family.serializer, id), [[family.table, [id]]]), {
                  discard: true,
                }),
              ),
            { discard: true },
          )
        case "database":
          return handOff(sql, databases.request(r.databaseId), r.written)
        case "mail-domain":
          return handOff(sql, request(mailDomainSerializer, r.mailDomainId), r.written)
        case "cluster-lb":
          return lb.request(r.clusterId)
        case "tenant-lbs":
          return handOff(sql, lb.requestForTenant(r.tenantId), r.written ?? [])
      }
    }
    return { start }
  }),
).pipe(Layer.provide(Layer.mergeAll(TenantSync.Default, ZoneSync.Default, LbSync.Default, DatabaseSync.Default)))

/** Reports changes: runs the table's requests for each, in order, with their failure policy. */
export class Reactions extends Effect.Service<Reactions>()("@hosting/Reactions", {
  effect: Effect.gen(function* () {
    const starters = yield* SyncStarters
    const run = ({ request, onUnavailable }: Reaction): Effect.Effect<void, Unavailable> => {
      const started = starters.start(request)
      switch (onUnavailable) {
        case "fail":
          return started
        case "warn":
          return started.pipe(
            Effect.catchTag("Unavailable", (e) =>
              Effect.logWarning(`could not ask ${describeRequest(request)}: ${e.message}`),
            ),
          )
        case "ignore":
          return Effect.ignore(started)
        case "die":
          return Effect.orDie(started)
      }
    }
    const changed = <C extends Change>(change: C): Effect.Effect<void, ReactionError<C["kind"]>> =>
      Effect.forEach(reactionsTo(change), run, { discard: true }).pipe(
        Effect.withSpan("Reactions.changed", { attributes: { kind: change.kind } }),
      ) as Effect.Effect<void, ReactionError<C["kind"]>>
    return { changed } as const
  }),
  dependencies: [SyncStartersLive],
}) {}
