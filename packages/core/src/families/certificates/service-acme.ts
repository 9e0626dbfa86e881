import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { AcmeTarget, IssueCertificateInput, IssuedCertificate } from "../../activities/index.js"
import type { Unavailable } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../../domain/lifecycle.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import { agentTimeoutSeconds } from "../topology/service-node-probes.js"

/** Workflow type of one FQDN's Let's Encrypt issuance, shared by starter and worker. */
export const ISSUE_CERTIFICATE_WORKFLOW = "IssueCertificateWorkflow"

/**
 * Starts an FQDN's issuance (`fqdn:{id}:acme`); an issuance already running for it is the one
 * that does the work. When the engine cannot be reached the FQDN says why and the caller gets
 * the 503 (issuing again, or the next renewal run, tries again).
 */
export class AcmeOrders extends Effect.Service<AcmeOrders>()("@hosting/AcmeOrders", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const engine = yield* WorkflowEngine
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds
    const request = (fqdnId: string): Effect.Effect<void, Unavailable> =>
      engine
        .start({
          workflowType: ISSUE_CERTIFICATE_WORKFLOW,
          workflowId: workflowIdFor("fqdn", fqdnId, "acme"),
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          args: [{ fqdnId, nodeTimeoutSeconds } satisfies IssueCertificateInput],
        })
        .pipe(
          Effect.tapError((e) =>
            sql`UPDATE fqdns SET acme_status = 'failed',
              acme_message = ${`could not start the issuance: ${e.message}`.slice(0, 4000)}
              WHERE id = ${fqdnId}`.pipe(Effect.orDie),
          ),
        )
    return { request } as const
  }),
}) {}

interface TargetRow {
  readonly hostname: string
  readonly status: string
  readonly status_message: string | null
  readonly tls: string
  readonly tenant_id: string
  readonly tenant_status: string
  readonly suspended: boolean
  readonly shard_id: string
  readonly migrate_to: string | null
}

/**
 * The database side of Let's Encrypt issuance, renewal and cleanup, for the control-plane
 * worker. A certificate obtained here becomes an ordinary `letsencrypt` certificate row and rides
 * the tenant's sync to its nodes like an uploaded one.
 */
export class AcmeStates extends Effect.Service<AcmeStates>()("@hosting/AcmeStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const orders = yield* AcmeOrders

    const target = (fqdnId: string): Effect.Effect<AcmeTarget> =>
      Effect.gen(function* () {
        const [row] = yield* sql<TargetRow>`SELECT f.hostname, f.status, f.status_message, f.tls, f.tenant_id,
            tn.status AS tenant_status, tn.suspended, tn.shard_id::text, tn.migrate_to::text
          FROM fqdns f JOIN tenants tn ON tn.id = f.tenant_id WHERE f.id = ${fqdnId}`
        if (row === undefined) return { kind: "skip", why: "the FQDN no longer exists" } as const
        if (row.tls !== "letsencrypt")
          return { kind: "skip", why: "the FQDN no longer asks for Let's Encrypt" } as const
        if (row.status === "deleting" || row.tenant_status === "deleting") {
          return { kind: "skip", why: "the FQDN is being deleted" } as const
        }
        // a suspended site answers 503 to everything, the challenge too
        if (row.suspended) return { kind: "fail", why: "the tenant is suspended" } as const
        if (row.status === "failed") {
          return { kind: "fail", why: `the FQDN failed to provision: ${row.status_message ?? "unknown"}` } as const
        }
        if (row.status !== "active") return { kind: "wait", why: "the FQDN is not served yet" } as const
        if (row.migrate_to !== null) return { kind: "wait", why: "the tenant is moving to another shard" } as const
        const nodes = yield* sql<{ node_id: string }>`SELECT node_id::text FROM node_shards
          WHERE shard_id = ${row.shard_id} ORDER BY node_id`
        if (nodes.length === 0) return { kind: "fail", why: "the tenant's shard has no nodes" } as const
        yield* sql`UPDATE fqdns SET acme_status = 'issuing', acme_message = NULL, acme_attempted_at = now()
          WHERE id = ${fqdnId}`
        return { kind: "ready", hostname: row.hostname, nodeIds: nodes.map((n) => n.node_id) } as const
      }).pipe(Effect.orDie)

    const fail = (fqdnId: string, message: string) =>
      sql`UPDATE fqdns SET acme_status = 'failed', acme_message = ${message.slice(0, 4000)},
        acme_attempted_at = now() WHERE id = ${fqdnId} AND tls = 'letsencrypt'`.pipe(Effect.asVoid, Effect.orDie)

    /** The account key (and URL once registered) of one ACME directory, if there is one yet. */
    const account = (directoryUrl: string) =>
      sql<{ account_key_pem: string; account_url: string | null }>`SELECT account_key_pem, account_url
        FROM acme_accounts WHERE directory_url = ${directoryUrl}`.pipe(
        Effect.map((rows) => rows[0] ?? null),
        Effect.orDie,
      )

    /**
     * Keeps the first account of a directory: two workers registering at once both end with the
     * key that was stored first (an ACME server answers a known key with its existing account).
     */
    const saveAccount = (directoryUrl: string, keyPem: string, url: string | null) =>
      sql`INSERT INTO acme_accounts (directory_url, account_key_pem, account_url)
        VALUES (${directoryUrl}, ${keyPem}, ${url})
        ON CONFLICT (directory_url) DO UPDATE SET account_url = EXCLUDED.account_url
          WHERE acme_accounts.account_key_pem = EXCLUDED.account_key_pem`.pipe(
        Effect.zipRight(account(directoryUrl)),
        Effect.orDie,
      )

    /**
     * Stores an issued certificate and hands it to the tenant's sync; dropped when the FQDN went
     * away or stopped asking for Let's Encrypt while the ACME server worked.
     */
    const store = (fqdnId: string, cert: IssuedCertificate) =>
      Effect.gen(function* () {
        const stored = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              // the tenant first, then its children, like every writer of a tenant's rows
              yield* sql`SELECT 1 FROM tenants WHERE id = (SELECT tenant_id FROM fqdns WHERE id = ${fqdnId}) FOR SHARE`
              const [f] = yield* sql<{ tenant_id: string }>`SELECT f.tenant_id FROM fqdns f
                JOIN tenants tn ON tn.id = f.tenant_id
                WHERE f.id = ${fqdnId} AND f.tls = 'letsencrypt' AND f.status <> 'deleting'
                  AND tn.status <> 'deleting' FOR SHARE OF f`
              if (f === undefined) return null
              const id = randomUuid()
              yield* sql`INSERT INTO certificates (id, fqdn_id, tenant_id, source, certificate_pem, private_key_pem,
                  subject, names, fingerprint, not_before, not_after, status)
                VALUES (${id}, ${fqdnId}, ${f.tenant_id}, 'letsencrypt', ${cert.certificatePem}, ${cert.privateKeyPem},
                  ${cert.subject}, ${JSON.stringify(cert.names)}::jsonb, ${cert.fingerprint}, ${cert.notBefore},
                  ${cert.notAfter}, 'pending')`
              yield* sql`UPDATE fqdns SET acme_status = 'issued', acme_message = NULL WHERE id = ${fqdnId}`
              return { id, tenantId: f.tenant_id }
            }),
          )
          .pipe(Effect.orDie)
        if (stored === null) return null
        // the engine being down leaves the row failed with why; the certificate's retry sends it again
        yield* reactions.changed({ kind: "certificate.issued", tenantId: stored.tenantId, certificateId: stored.id })
        return stored.id
      })

    /**
     * Starts an issuance for every name that asks for Let's Encrypt and has no certificate valid
     * for more than `renewBeforeDays` (never issued, failed, or expiring); returns how many.
     */
    const renewDue = (renewBeforeDays: number) =>
      Effect.gen(function* () {
        const due = yield* sql<{ id: string }>`SELECT f.id FROM fqdns f JOIN tenants tn ON tn.id = f.tenant_id
          WHERE f.tls = 'letsencrypt' AND f.status = 'active' AND tn.status <> 'deleting' AND NOT tn.suspended
            AND tn.migrate_to IS NULL
            AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.fqdn_id = f.id AND c.status <> 'deleting'
              AND c.not_after > now() + make_interval(days => ${renewBeforeDays}))
          ORDER BY f.id`.pipe(Effect.orDie)
        // one name whose start fails (engine down) is recorded on it; the others still start
        const started = yield* Effect.forEach(due, (f) => Effect.option(orders.request(f.id)), { concurrency: 4 })
        return started.filter((s) => s._tag === "Some").length
      })

    /**
     * Removes certificates nobody serves any more: those replaced by a newer active certificate of
     * the same name are deleted at once (nodes only ever hold the newest); an expired certificate
     * still installed is taken off the nodes through its tenant's sync — an expired certificate
     * fails every handshake, and a name without one is at least served over HTTP.
     */
    const cleanup = () =>
      Effect.gen(function* () {
        const replaced = yield* sql`DELETE FROM certificates c WHERE c.status <> 'deleting' AND EXISTS (
            SELECT 1 FROM certificates n WHERE n.fqdn_id = c.fqdn_id AND n.status = 'active'
              AND (n.created_at, n.id) > (c.created_at, c.id))
          RETURNING c.id`
        const expired = yield* sql<{ id: string; tenant_id: string }>`SELECT id, tenant_id::text FROM certificates
          WHERE not_after < now() AND status <> 'deleting' ORDER BY tenant_id`
        const byTenant = new Map<string, Array<string>>()
        for (const c of expired) byTenant.set(c.tenant_id, [...(byTenant.get(c.tenant_id) ?? []), c.id])
        for (const [tenantId, ids] of byTenant) {
          const marked = yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`SELECT 1 FROM tenants WHERE id = ${tenantId} FOR SHARE`
              return yield* sql<{
                id: string
              }>`UPDATE certificates SET status = 'deleting', status_message = NULL, status_details = NULL,
                  revision = nextval('web_revision_seq'), updated_at = now()
                WHERE id IN ${sql.in(ids)} AND not_after < now() AND status <> 'deleting' RETURNING id`
            }),
          )
          if (marked.length > 0) {
            yield* reactions.changed({
              kind: "certificates.expired",
              tenantId,
              certificateIds: marked.map((m) => m.id),
            })
          }
        }
        return { replaced: replaced.length, expired: expired.length }
      }).pipe(Effect.orDie)

    return { target, fail, account, saveAccount, store, renewDue, cleanup } as const
  }),
  dependencies: [Reactions.Default, AcmeOrders.Default],
}) {}
