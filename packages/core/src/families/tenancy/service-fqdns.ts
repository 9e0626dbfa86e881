import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { fqdnDependentsRemaining } from "../../lifecycle/fqdn-dependents.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { foreignZoneCovering, lockNameTree } from "../../sql/name-ownership.js"
import type { Principal } from "../access/domain-api-key.js"
import { allowTestDomains, refuseTestDomains } from "../access/service-platform.js"
import { AcmeOrders } from "../certificates/service-acme.js"
import { markDns } from "../dns/service-rows.js"
import type { CreateFqdn, FqdnId, UpdateFqdn, WebrootId } from "./domain.js"
import { decodeFqdnRow, failedSides, retryFactsOf, fqdnSpec as spec } from "./service-fqdn-sides.js"
import { getScoped, idsOf, markFor, tenantBeingDeleted } from "./service-rows.js"

interface WebrootRow {
  readonly id: string
  readonly tenant_id: string
  readonly brand_id: string
  readonly runtime: string
  readonly status: string
  readonly tenant_status: string
}

/** Host names bound to webroots; a host name is bound at most once on the whole platform. */
export class Fqdns extends Effect.Service<Fqdns>()("@hosting/Fqdns", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const acme = yield* AcmeOrders
    const testDomains = yield* allowTestDomains
    const decode = decodeFqdnRow
    const beingDeleted = () => new Conflict({ message: "the FQDN is being deleted" })
    // names the zone (public in DNS) but not its brand
    const inForeignZone = (hostname: string, zone: string) =>
      new Conflict({
        message: `${hostname} is in the DNS zone ${zone}, which belongs to another brand; only that brand can bind names there`,
      })
    const withTenant = (row: unknown) =>
      Effect.zipWith(decode(row), retryFactsOf(row), (fqdn, facts) => ({
        fqdn,
        tenantStatus: facts.tenantStatus,
        facts,
      }))

    /** The webroot an FQDN is bound to, visible through the caller's brands; `lock` holds it until commit. */
    const webroot = (principal: Principal, id: WebrootId, lock: boolean) =>
      Effect.gen(function* () {
        // every transaction that locks a tenant's rows takes the tenant first, then its children,
        // as the sync does; locking the webroot first deadlocked against a sync's snapshot
        if (lock)
          yield* sql`SELECT 1 FROM tenants WHERE id = (SELECT tenant_id FROM webroots WHERE id = ${id}) FOR SHARE`
        const rows =
          yield* sql<WebrootRow>`SELECT w.id, w.tenant_id, tn.brand_id::text, w.runtime, w.status, tn.status AS tenant_status
          FROM webroots w JOIN tenants tn ON tn.id = w.tenant_id
          WHERE ${sql.and(filters(sql`w.id = ${id}`, brandFilter(sql, "tn.brand_id", principal)))}
          ${sql.literal(lock ? "FOR SHARE OF w" : "")}`
        if (rows[0] === undefined) return yield* Effect.fail(notFound("webroot", id))
        return rows[0]
      })

    /** Why an FQDN cannot be bound to this webroot now, if it cannot. */
    const refuseBinding = (w: WebrootRow): Effect.Effect<void, Conflict | InvalidInput> => {
      if (w.tenant_status === "deleting") return Effect.fail(tenantBeingDeleted())
      if (w.status === "deleting") return Effect.fail(new Conflict({ message: "the webroot is being deleted" }))
      if (w.runtime === "worker") {
        return Effect.fail(
          new InvalidInput({ message: "a worker webroot serves no HTTP; bind the host name to another webroot" }),
        )
      }
      return Effect.void
    }

    const get = Effect.fn("Fqdns.get")(function* (principal: Principal, id: FqdnId) {
      return yield* getScoped(sql, spec, principal, id, "fqdn", decode)
    })

    const list = Effect.fn("Fqdns.list")(function* (principal: Principal, webrootId: WebrootId, query: ListQuery) {
      yield* webroot(principal, webrootId, false).pipe(Effect.catchTag("SqlError", Effect.die))
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.webroot_id = ${webrootId}`, brandFilter(sql, spec.brandColumn, principal)),
        decode,
      )
    })

    const create = Effect.fn("Fqdns.create")(function* (
      principal: Principal,
      webrootId: WebrootId,
      input: typeof CreateFqdn.Type,
    ) {
      // one spelling per name: `example.com.` and `example.com` are the same binding
      const hostname = input.hostname.replace(/\.$/, "")
      const tls = input.tls ?? "none"
      yield* refuseTestDomains(testDomains, "hostname", [hostname])
      yield* webroot(principal, webrootId, false).pipe(
        Effect.catchTag("SqlError", Effect.die),
        Effect.flatMap(refuseBinding),
      )
      const id = randomUuid()
      const tenantId = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // re-checked under a share lock: a concurrent delete either waits for this insert or refused it
            const w = yield* webroot(principal, webrootId, true)
            yield* refuseBinding(w)
            // decided under the lock on the name's tree, so a zone created meanwhile by another
            // brand either is visible here or waits for this binding and then refuses itself
            yield* lockNameTree(sql, hostname)
            const zone = yield* foreignZoneCovering(sql, w.brand_id, hostname)
            if (zone !== undefined) return yield* Effect.fail(inForeignZone(hostname, zone))
            yield* sql`INSERT INTO fqdns (id, webroot_id, tenant_id, hostname, tls, https_redirect, acme_status, status)
              VALUES (${id}, ${webrootId}, ${w.tenant_id}, ${hostname}, ${tls}, ${input.https_redirect ?? false},
                ${tls === "letsencrypt" ? "pending" : null}, 'pending')`
            return w.tenant_id
          }),
        )
        .pipe(onConstraint({ unique: () => new Conflict({ message: `${hostname} is already bound to a webroot` }) }))
      // its tenant's nodes serve it, its cluster's LBs route it, the covering zone gets its A/AAAA
      yield* reactions.changed({ kind: "fqdn.bound", tenantId, fqdnId: id, hostname })
      // the issuance waits until the name is served, then answers the ACME server's challenge
      // (the binding itself was handed over: an engine failure here is recorded on the FQDN)
      if (tls === "letsencrypt") yield* Effect.ignore(acme.request(id))
      return yield* get(principal, id as FqdnId)
    })

    /** The FQDN, refused (409) while it or its tenant is being deleted. */
    const live = (principal: Principal, id: FqdnId) =>
      Effect.flatMap(getScoped(sql, spec, principal, id, "fqdn", withTenant), ({ fqdn, tenantStatus }) =>
        tenantStatus === "deleting"
          ? Effect.fail(tenantBeingDeleted())
          : fqdn.status === "deleting"
            ? Effect.fail(beingDeleted())
            : Effect.succeed(fqdn),
      )

    /**
     * Changes how a name does TLS. Switching to Let's Encrypt starts an issuance; switching to
     * `none` stops renewals but leaves the certificates it has (delete them to stop HTTPS).
     */
    const update = Effect.fn("Fqdns.update")(function* (
      principal: Principal,
      id: FqdnId,
      patch: typeof UpdateFqdn.Type,
    ) {
      const fqdn = yield* live(principal, id)
      const tls = patch.tls ?? fqdn.tls
      const redirect = patch.https_redirect ?? fqdn.https_redirect
      const issue = tls === "letsencrypt" && fqdn.tls !== "letsencrypt"
      // only the redirect reaches nodes; a tls change alone is the control plane's business
      const nodesSee = redirect !== fqdn.https_redirect
      const rows = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`SELECT 1 FROM tenants WHERE id = ${fqdn.tenant_id} FOR SHARE`
            return yield* sql`UPDATE fqdns SET tls = ${tls}, https_redirect = ${redirect},
                acme_status = ${issue ? "pending" : tls === "none" ? null : fqdn.acme_status},
                acme_message = ${tls === "none" ? null : fqdn.acme_message},
                ${nodesSee ? markFor(sql, "pending") : sql`updated_at = now()`}
              WHERE id = ${id} AND status <> 'deleting' RETURNING id`
          }),
        )
        .pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(beingDeleted())
      if (nodesSee) yield* reactions.changed({ kind: "fqdn.changed", tenantId: fqdn.tenant_id, fqdnId: id })
      if (issue) yield* Effect.ignore(acme.request(id))
      return yield* get(principal, id)
    })

    /** Obtains (or renews) the name's Let's Encrypt certificate now; the name must ask for one. */
    const issue = Effect.fn("Fqdns.issue")(function* (principal: Principal, id: FqdnId) {
      const fqdn = yield* live(principal, id)
      if (fqdn.tls !== "letsencrypt") {
        return yield* Effect.fail(
          new Conflict({ message: 'the FQDN does not use Let\'s Encrypt; set tls to "letsencrypt" first' }),
        )
      }
      yield* sql`UPDATE fqdns SET acme_status = 'pending', acme_message = NULL
        WHERE id = ${id} AND acme_status IS DISTINCT FROM 'issuing'`.pipe(Effect.orDie)
      yield* acme.request(id)
      return yield* get(principal, id)
    })

    const remove = Effect.fn("Fqdns.remove")(function* (principal: Principal, id: FqdnId) {
      const { fqdn, tenantStatus } = yield* getScoped(sql, spec, principal, id, "fqdn", withTenant)
      // deleting again sends the delete again; anything else under a tenant being deleted is refused
      if (fqdn.status !== "deleting" && tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // the tenant row first, as the writers of addresses lock it: one made meanwhile is counted
            yield* sql`SELECT id FROM tenants WHERE id = ${fqdn.tenant_id} FOR NO KEY UPDATE`
            const remaining = yield* fqdnDependentsRemaining(sql, [{ id, hostname: fqdn.hostname }])
            if (remaining !== undefined) return yield* Effect.fail(new Conflict({ message: remaining }))
            yield* sql`UPDATE fqdns SET ${markFor(sql, "deleting")} WHERE id = ${id}`
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "fqdn.unbound", tenantId: fqdn.tenant_id, fqdnId: id, hostname: fqdn.hostname })
      return answer
    })

    /**
     * Sends again every side that failed: the FQDN's own row to its tenant's sync, its cluster's
     * failed lb shards to the LB sync, its covering zone to the zone's sync, a failed issuance to
     * the ACME workflow. Each is marked on its way first, so the answer (and every read until the
     * rounds record) says provisioning rather than the failure being retried.
     */
    const retry = Effect.fn("Fqdns.retry")(function* (principal: Principal, id: FqdnId) {
      const { fqdn, tenantStatus, facts } = yield* getScoped(sql, spec, principal, id, "fqdn", withTenant)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const sides = fqdn.status === "failed" ? failedSides(fqdn) : []
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const web = sides.includes("web")
              ? yield* sql<{ id: string }>`UPDATE fqdns SET ${markFor(sql, "pending")}
                  WHERE id = ${id} AND status = 'failed' RETURNING id`
              : []
            // the LB round records every lb shard of the cluster again (active or failed)
            const shards = sides.includes("lb")
              ? yield* sql<{ id: string }>`UPDATE shards SET status = 'provisioning', status_message = NULL,
                  status_details = NULL, updated_at = now()
                  WHERE cluster_id = ${facts.clusterId} AND role = 'lb' AND status = 'failed' RETURNING id`
              : []
            const zones =
              sides.includes("dns") && facts.zoneId !== null
                ? yield* sql<{ id: string }>`UPDATE zones SET ${markDns(sql, "pending")}
                    WHERE id = ${facts.zoneId} AND status = 'failed' RETURNING id`
                : []
            const certificate = sides.includes("certificate")
              ? yield* sql<{ id: string }>`UPDATE fqdns SET acme_status = 'pending', acme_message = NULL
                  WHERE id = ${id} AND acme_status = 'failed' RETURNING id`
              : []
            return { web: idsOf(web), shards: idsOf(shards), zones: idsOf(zones), certificate: certificate.length > 0 }
          }),
        )
        .pipe(Effect.orDie)
      // another request retried it, or a round recorded, between the read and the update
      if (written.web.length + written.shards.length + written.zones.length === 0 && !written.certificate) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed FQDN can be retried; this one is ${fqdn.status}` }),
        )
      }
      yield* reactions.changed({
        kind: "fqdn.retried",
        tenantId: fqdn.tenant_id,
        fqdnId: id,
        web: written.web.length > 0,
        lbShardIds: written.shards,
        zoneIds: written.zones,
      })
      if (written.certificate) yield* acme.request(id)
      return yield* get(principal, id)
    })

    return { list, get, create, update, issue, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
