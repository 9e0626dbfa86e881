import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { isPlatformAdmin, type Principal } from "../domain/api-key.js"
import { AuditLog, type AuditLogFilters } from "../domain/audit.js"
import { randomUuid } from "../domain/ids.js"
import type { ListQuery } from "../domain/list.js"
import { redactSecrets } from "../domain/redact.js"
import { filters, type ListSpec, listPage } from "../sql/list.js"
import { rowDecoder, textArray } from "../sql/rows.js"

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
  readonly statusCode: number
  readonly body: unknown
}

/** The audit log: every mutation, secrets redacted, visible within the caller's brands. */
export class AuditLogs extends Effect.Service<AuditLogs>()("@hosting/AuditLogs", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const decode = rowDecoder(AuditLog)

    const record = Effect.fn("AuditLogs.record")(function* (e: AuditEntry) {
      const body = e.body === undefined ? null : JSON.stringify(redactSecrets(e.body))
      yield* sql`INSERT INTO audit_logs (id, key_id, key_name, brands, action, method, path, resource_type, resource_id, status_code, request_body)
        VALUES (${randomUuid()}, ${e.principal?.keyId ?? null}, ${e.principal?.name ?? null},
          ${textArray(sql, (e.principal?.brands ?? []) as ReadonlyArray<string>)}, ${e.action}, ${e.method}, ${e.path},
          ${e.resourceType}, ${e.resourceId}, ${e.statusCode}, ${body}::jsonb)`
    }, Effect.orDie)

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

    return { record, list, purge } as const
  }),
}) {}
