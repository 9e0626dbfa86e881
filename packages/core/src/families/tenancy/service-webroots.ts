import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput } from "../../domain/errors.js"
import { randomUuid, type TenantId } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { fqdnDependentsRemaining } from "../../lifecycle/fqdn-dependents.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import type { Principal } from "../access/domain-api-key.js"
import {
  APP_RUNTIMES,
  type CreateWebroot,
  DEFAULT_ENTRYPOINT,
  PHP_VERSIONS,
  type UpdateWebroot,
  type WebRuntime,
  type WebrootId,
} from "./domain.js"
import {
  decodeWebroot,
  getScoped,
  idsOf,
  insertNamed,
  lockLiveTenant,
  markFor,
  type ScopedSpec,
  tenantBeingDeleted,
  visibleTenant,
} from "./service-rows.js"

const spec: ScopedSpec = {
  from: "webroots t JOIN tenants tn ON tn.id = t.tenant_id",
  select: "t.*, tn.status AS tenant_status",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

const DEFAULT_PHP_VERSION: (typeof PHP_VERSIONS)[number] = "8.2"

/** A webroot's runtime settings as requested; undefined or null means the runtime's default. */
interface RuntimeSettings {
  readonly runtime_version?: string | null | undefined
  readonly entrypoint?: string | null | undefined
  readonly numprocs?: number | undefined
}

const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))

/**
 * The stored settings of a webroot of `runtime`, defaults filled in: php takes an offered
 * version (8.2 by default), the others none; only app runtimes take an entrypoint; only a
 * worker runs more than one process.
 */
const settingsFor = (runtime: WebRuntime, given: RuntimeSettings) =>
  Effect.gen(function* () {
    let version = given.runtime_version ?? null
    if (runtime === "php") {
      version ??= DEFAULT_PHP_VERSION
      if (!(PHP_VERSIONS as ReadonlyArray<string>).includes(version)) {
        return yield* invalid(
          `PHP ${version} is not offered; runtime_version must be one of: ${PHP_VERSIONS.join(", ")}`,
        )
      }
    } else if (version !== null) {
      return yield* invalid(`runtime_version applies only to php; a ${runtime} webroot takes none`)
    }
    const app = APP_RUNTIMES.includes(runtime)
    if (!app && given.entrypoint != null) {
      return yield* invalid(`entrypoint applies only to ${APP_RUNTIMES.join(", ")} webroots, not ${runtime}`)
    }
    const numprocs = given.numprocs ?? 1
    if (numprocs > 1 && runtime !== "worker") {
      return yield* invalid(`numprocs above 1 applies only to worker webroots, not ${runtime}`)
    }
    return {
      runtime_version: version,
      entrypoint: app ? (given.entrypoint ?? DEFAULT_ENTRYPOINT[runtime] ?? null) : null,
      numprocs,
    }
  })

const beingDeleted = () => new Conflict({ message: "the webroot is being deleted" })

/**
 * A region that lists its runtimes (PUT /regions/{id}/runtimes) offers only those, and of php
 * only the listed versions; a region that lists none offers everything the nodes can run.
 */
const offeredInRegion = (sql: SqlClient, tenantId: string, runtime: WebRuntime, version: string | null) =>
  Effect.gen(function* () {
    const rows = yield* sql<{ region: string; runtime: string; versions: ReadonlyArray<string> }>`
      SELECT g.name AS region, rr.runtime, rr.versions FROM tenants t
        JOIN shards s ON s.id = t.shard_id JOIN clusters c ON c.id = s.cluster_id
        JOIN regions g ON g.id = c.region_id JOIN region_runtimes rr ON rr.region_id = g.id
      WHERE t.id = ${tenantId}`.pipe(Effect.orDie)
    if (rows.length === 0) return
    const offer = rows.find((r) => r.runtime === runtime)
    const region = rows[0]!.region
    if (offer === undefined)
      return yield* invalid(
        `region ${region} does not offer ${runtime}; it offers ${rows.map((r) => r.runtime).join(", ")}`,
      )
    if (version !== null && offer.versions.length > 0 && !offer.versions.includes(version))
      return yield* invalid(`region ${region} offers ${runtime} ${offer.versions.join(", ")}, not ${version}`)
  })

/** Webroots of tenants: directories served by nginx (or run as workers), with their runtime. */
export class Webroots extends Effect.Service<Webroots>()("@hosting/Webroots", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const withTenant = (row: unknown) =>
      Effect.map(decodeWebroot(row), (webroot) => ({
        webroot,
        tenantStatus: String((row as { tenant_status: unknown }).tenant_status),
      }))

    /** The webroot and its tenant's status, for writes. */
    const current = (principal: Principal, id: WebrootId) => getScoped(sql, spec, principal, id, "webroot", withTenant)

    const get = Effect.fn("Webroots.get")(function* (principal: Principal, id: WebrootId) {
      return yield* getScoped(sql, spec, principal, id, "webroot", decodeWebroot)
    })

    const list = Effect.fn("Webroots.list")(function* (principal: Principal, tenantId: TenantId, query: ListQuery) {
      yield* visibleTenant(sql, principal, tenantId)
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.tenant_id = ${tenantId}`, brandFilter(sql, spec.brandColumn, principal)),
        decodeWebroot,
      )
    })

    const create = Effect.fn("Webroots.create")(function* (
      principal: Principal,
      tenantId: TenantId,
      input: typeof CreateWebroot.Type,
    ) {
      const tenant = yield* visibleTenant(sql, principal, tenantId)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const settings = yield* settingsFor(input.runtime, input)
      yield* offeredInRegion(sql, tenantId, input.runtime, settings.runtime_version)
      const id = randomUuid()
      yield* insertNamed("webroot", (name) =>
        sql.withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, tenantId)
            yield* sql`INSERT INTO webroots (id, tenant_id, name, runtime, runtime_version, entrypoint, numprocs, status)
              VALUES (${id}, ${tenantId}, ${name}, ${input.runtime}, ${settings.runtime_version},
                ${settings.entrypoint}, ${settings.numprocs}, 'pending')`
          }),
        ),
      )
      const answer = yield* get(principal, id as WebrootId)
      yield* reactions.changed({ kind: "webroot.changed", tenantId, webrootId: id })
      return answer
    })

    const update = Effect.fn("Webroots.update")(function* (
      principal: Principal,
      id: WebrootId,
      patch: typeof UpdateWebroot.Type,
    ) {
      const { webroot, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      if (webroot.status === "deleting") return yield* Effect.fail(beingDeleted())
      const runtime = patch.runtime ?? webroot.runtime
      // a new runtime starts from its own defaults; the same runtime keeps what is not patched
      const kept: RuntimeSettings = runtime === webroot.runtime ? webroot : {}
      const settings = yield* settingsFor(runtime, {
        runtime_version: patch.runtime_version === undefined ? kept.runtime_version : patch.runtime_version,
        entrypoint: patch.entrypoint === undefined ? kept.entrypoint : patch.entrypoint,
        numprocs: patch.numprocs ?? kept.numprocs,
      })
      yield* offeredInRegion(sql, webroot.tenant_id, runtime, settings.runtime_version)
      if (runtime === "worker" && webroot.runtime !== "worker") {
        const bound = yield* sql`SELECT 1 FROM fqdns WHERE webroot_id = ${id} AND status <> 'deleting' LIMIT 1`.pipe(
          Effect.orDie,
        )
        if (bound.length > 0) {
          return yield* invalid("a worker webroot serves no HTTP; delete its FQDNs before making it a worker")
        }
      }
      const rows = yield* sql`UPDATE webroots SET runtime = ${runtime}, runtime_version = ${settings.runtime_version},
          entrypoint = ${settings.entrypoint}, numprocs = ${settings.numprocs}, ${markFor(sql, "pending")}
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(beingDeleted())
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "webroot.changed", tenantId: webroot.tenant_id, webrootId: id })
      return answer
    })

    /** Deletes the webroot and the FQDNs bound to it (all `deleting` until the sync removes them). */
    const remove = Effect.fn("Webroots.remove")(function* (principal: Principal, id: WebrootId) {
      const { webroot, tenantStatus } = yield* current(principal, id)
      // deleting again sends the delete again; anything else under a tenant being deleted is refused
      if (webroot.status !== "deleting" && tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // the tenant row first, as the writers of addresses lock it (see fqdnDependentsRemaining)
            yield* sql`SELECT id FROM tenants WHERE id = ${webroot.tenant_id} FOR NO KEY UPDATE`
            const names = yield* sql<{ id: string; hostname: string }>`SELECT id::text, hostname FROM fqdns
              WHERE webroot_id = ${id} AND status <> 'deleting' ORDER BY hostname`
            const remaining = yield* fqdnDependentsRemaining(sql, names)
            if (remaining !== undefined) return yield* Effect.fail(new Conflict({ message: remaining }))
            const deleting = markFor(sql, "deleting")
            const w = yield* sql<{ id: string }>`UPDATE webroots SET ${deleting} WHERE id = ${id} RETURNING id`
            const f = yield* sql<{ id: string }>`UPDATE fqdns SET ${deleting} WHERE webroot_id = ${id} RETURNING id`
            return [
              ["webroots", idsOf(w)],
              ["fqdns", idsOf(f)],
            ] as const
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      // the names it served leave their zones with it
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "webroot.deleted", tenantId: webroot.tenant_id, written })
      return answer
    })

    const retry = Effect.fn("Webroots.retry")(function* (principal: Principal, id: WebrootId) {
      const { webroot, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const rows = yield* sql`UPDATE webroots SET ${markFor(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed webroot can be retried; this one is ${webroot.status}` }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "webroot.changed", tenantId: webroot.tenant_id, webrootId: id })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
