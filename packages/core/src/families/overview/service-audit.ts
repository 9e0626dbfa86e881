import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { redactSecrets } from "../../domain/redact.js"
import { filters, type ListSpec, listPage } from "../../sql/list.js"
import { rowDecoder, textArray } from "../../sql/rows.js"
import { isPlatformAdmin, type Principal } from "../access/domain-api-key.js"
import { AuditLog, type AuditLogFilters } from "./domain-audit.js"

const spec: ListSpec = {
  from: "audit_logs t",
  select: "t.*",
  sortColumns: { created_at: "t.created_at" },
  defaultSort: "-created_at",
  searchColumns: ["t.action", "t.path"],
}

/** What the API records about one mutation. */
export interface AuditEntry {
  readonly principal: Principal | undefined
  readonly action: string
  readonly method: string
  readonly path: string
  readonly resourceType: string
  readonly resourceId: string | null
  /** null while the request is still being handled */
  readonly statusCode: number | null
  readonly body: unknown
  readonly clientAddress?: string | null
}

/** A request refused before a key was recognised: recorded without its body. */
export interface RefusedAttempt {
  readonly method: string
  readonly path: string
  readonly statusCode: number
  readonly reason: string
  readonly clientAddress: string | null
}

/** The audit log: every mutation, secrets redacted, visible within the caller's brands. */
export class AuditLogs extends Effect.Service<AuditLogs>()("@hosting/AuditLogs", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const decode = rowDecoder(AuditLog)

    /**
     * Writes an entry and answers its id. Fails (instead of dying) when the database refuses,
     * so the API can refuse the mutation rather than carry it out unaudited.
     */
    const record = Effect.fn("AuditLogs.record")(function* (e: AuditEntry) {
      const id = randomUuid()
      // redactSecrets escapes what jsonb cannot hold (NUL, lone surrogates), so any parsed body fits
      const body = e.body === undefined ? null : JSON.stringify(redactSecrets(e.body))
      yield* sql`INSERT INTO audit_logs (id, key_id, key_name, brands, action, method, path, resource_type, resource_id, status_code, request_body, client_address)
        VALUES (${id}, ${e.principal?.keyId ?? null}, ${e.principal?.name ?? null},
          ${textArray(sql, (e.principal?.brands ?? []) as ReadonlyArray<string>)}, ${e.action}, ${e.method}, ${e.path},
          ${e.resourceType}, ${e.resourceId}, ${e.statusCode}, ${body}::jsonb, ${e.clientAddress ?? null})`
      return id
    })

    /** Completes an entry written before its request was handled. */
    const complete = Effect.fn("AuditLogs.complete")(function* (
      id: string,
      statusCode: number,
      resourceId: string | null,
    ) {
      yield* sql`UPDATE audit_logs SET status_code = ${statusCode}, resource_id = COALESCE(${resourceId}, resource_id)
        WHERE id = ${id}`
    })

    /** Records a refused unauthenticated attempt: who knocked and why, no body, no brands. */
    const recordRefused = Effect.fn("AuditLogs.recordRefused")(function* (a: RefusedAttempt) {
      yield* sql`INSERT INTO audit_logs (id, brands, action, method, path, resource_type, status_code, client_address, reason)
        VALUES (${randomUuid()}, ${textArray(sql, [])}, 'auth.refused', ${a.method}, ${a.path}, 'auth', ${a.statusCode},
          ${a.clientAddress}, ${a.reason})`
    })

    const list = (p: Principal, query: ListQuery, f: typeof AuditLogFilters.Type) =>
      listPage(
        sql,
        spec,
        query,
        filters(
          // a brand key sees entries made by keys of its brands, never platform-wide ones
          isPlatformAdmin(p)
            ? undefined
            : sql`t.brands && ${textArray(sql, p.brands as ReadonlyArray<string>)} AND NOT ('*' = ANY(t.brands))`,
          f.resource_type === undefined ? undefined : sql`t.resource_type = ${f.resource_type}`,
          f.resource_id === undefined ? undefined : sql`t.resource_id = ${f.resource_id}`,
          f.key_id === undefined ? undefined : sql`t.key_id = ${f.key_id}`,
          f.action === undefined ? undefined : sql`t.action = ${f.action}`,
          f.since === undefined ? undefined : sql`t.created_at >= ${new Date(f.since).toISOString()}`,
          f.until === undefined ? undefined : sql`t.created_at < ${new Date(f.until).toISOString()}`,
        ),
        decode,
      )

    /** Deletes entries older than the retention; returns how many went. */
    const purge = Effect.fn("AuditLogs.purge")(function* (retentionDays: number) {
      const rows =
        yield* sql`DELETE FROM audit_logs WHERE created_at < now() - make_interval(days => ${retentionDays}) RETURNING id`
      return rows.length
    }, Effect.orDie)

    return { record, complete, recordRefused, list, purge } as const
  }),
}) {}
