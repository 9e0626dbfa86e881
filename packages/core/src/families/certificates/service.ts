import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import type { FqdnId } from "../tenancy/domain.js"
import { getScoped, markFor, type ScopedSpec, tenantBeingDeleted } from "../tenancy/service-rows.js"
import { Certificate, type CertificateId, CertificateInspector, type UploadCertificate } from "./domain.js"

// never the private key: it goes to nodes, not back to callers
const COLUMNS = [
  "id",
  "fqdn_id",
  "tenant_id",
  "source",
  "certificate_pem",
  "subject",
  "names",
  "fingerprint",
  "not_before",
  "not_after",
  "status",
  "status_message",
  "status_details",
  "created_at",
  "updated_at",
]

const spec: ScopedSpec = {
  from: "certificates t JOIN tenants tn ON tn.id = t.tenant_id",
  select: `${COLUMNS.map((c) => `t.${c}`).join(", ")}, tn.status AS tenant_status`,
  sortColumns: { created_at: "t.created_at", not_after: "t.not_after" },
  defaultSort: "-created_at",
  searchColumns: ["t.subject", "t.fingerprint"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

interface FqdnRow {
  readonly id: string
  readonly tenant_id: string
  readonly hostname: string
  readonly status: string
  readonly tenant_status: string
}

/**
 * TLS certificates of FQDNs: uploaded custom certificates, checked here, and Let's Encrypt ones
 * (AcmeStates stores those); all installed by the tenant's sync.
 */
export class Certificates extends Effect.Service<Certificates>()("@hosting/Certificates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const inspector = yield* CertificateInspector
    const decode = rowDecoder(Certificate)
    const withTenant = (row: unknown) =>
      Effect.map(decode(row), (certificate) => ({
        certificate,
        tenantStatus: String((row as { tenant_status: unknown }).tenant_status),
      }))

    /** The FQDN, visible through the caller's brands; `lock` takes the tenant then the FQDN until commit. */
    const fqdn = (principal: Principal, id: FqdnId, lock: boolean) =>
      Effect.gen(function* () {
        if (lock) yield* sql`SELECT 1 FROM tenants WHERE id = (SELECT tenant_id FROM fqdns WHERE id = ${id}) FOR SHARE`
        const rows = yield* sql<FqdnRow>`SELECT f.id, f.tenant_id, f.hostname, f.status, tn.status AS tenant_status
          FROM fqdns f JOIN tenants tn ON tn.id = f.tenant_id
          WHERE ${sql.and(filters(sql`f.id = ${id}`, brandFilter(sql, "tn.brand_id", principal)))}
          ${sql.literal(lock ? "FOR SHARE OF f" : "")}`
        if (rows[0] === undefined) return yield* Effect.fail(notFound("fqdn", id))
        return rows[0]
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    const refuse = (f: FqdnRow): Effect.Effect<void, Conflict> =>
      f.tenant_status === "deleting"
        ? Effect.fail(tenantBeingDeleted())
        : f.status === "deleting"
          ? Effect.fail(new Conflict({ message: "the FQDN is being deleted" }))
          : Effect.void

    const get = Effect.fn("Certificates.get")(function* (principal: Principal, id: CertificateId) {
      return yield* getScoped(sql, spec, principal, id, "certificate", decode)
    })

    const list = Effect.fn("Certificates.list")(function* (principal: Principal, fqdnId: FqdnId, query: ListQuery) {
      yield* fqdn(principal, fqdnId, false)
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.fqdn_id = ${fqdnId}`, brandFilter(sql, spec.brandColumn, principal)),
        decode,
      )
    })

    const upload = Effect.fn("Certificates.upload")(function* (
      principal: Principal,
      fqdnId: FqdnId,
      input: typeof UploadCertificate.Type,
    ) {
      const f = yield* fqdn(principal, fqdnId, false)
      yield* refuse(f)
      const inspected = yield* inspector
        .inspect({
          certificatePem: input.certificate_pem,
          privateKeyPem: input.private_key_pem,
          hostname: f.hostname,
          now: new Date(),
        })
        .pipe(Effect.mapError((message) => new InvalidInput({ message })))
      const id = randomUuid()
      const tenantId = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const locked = yield* fqdn(principal, fqdnId, true)
            yield* refuse(locked)
            yield* sql`INSERT INTO certificates (id, fqdn_id, tenant_id, source, certificate_pem, private_key_pem,
                subject, names, fingerprint, not_before, not_after, status)
              VALUES (${id}, ${fqdnId}, ${locked.tenant_id}, 'custom', ${inspected.certificatePem},
                ${inspected.privateKeyPem}, ${inspected.subject}, ${JSON.stringify(inspected.names)}::jsonb,
                ${inspected.fingerprint}, ${inspected.notBefore.toISOString()}, ${inspected.notAfter.toISOString()},
                'pending')`
            return locked.tenant_id
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      const answer = yield* get(principal, id as CertificateId)
      yield* reactions.changed({ kind: "certificate.changed", tenantId, certificateId: id })
      return answer
    })

    const retry = Effect.fn("Certificates.retry")(function* (principal: Principal, id: CertificateId) {
      const { certificate, tenantStatus } = yield* getScoped(sql, spec, principal, id, "certificate", withTenant)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const rows = yield* sql`UPDATE certificates SET ${markFor(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed certificate can be retried; this one is ${certificate.status}` }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "certificate.changed", tenantId: certificate.tenant_id, certificateId: id })
      return answer
    })

    /** Takes the certificate off the nodes (`deleting` until the tenant's sync removes it). */
    const remove = Effect.fn("Certificates.remove")(function* (principal: Principal, id: CertificateId) {
      const { certificate, tenantStatus } = yield* getScoped(sql, spec, principal, id, "certificate", withTenant)
      if (certificate.status !== "deleting" && tenantStatus === "deleting") {
        return yield* Effect.fail(tenantBeingDeleted())
      }
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`SELECT 1 FROM tenants WHERE id = ${certificate.tenant_id} FOR SHARE`
            yield* sql`UPDATE certificates SET ${markFor(sql, "deleting")} WHERE id = ${id}`
          }),
        )
        .pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "certificate.changed", tenantId: certificate.tenant_id, certificateId: id })
      return answer
    })

    return { list, get, upload, retry, remove } as const
  }),
  dependencies: [Reactions.Default],
}) {}
