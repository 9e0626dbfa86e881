import { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { textArray } from "../../sql/rows.js"
import { isPlatformAdmin, type Principal } from "../access/domain-api-key.js"
import { decodeFqdnRow, fqdnSpec } from "../tenancy/service-fqdn-sides.js"
import { DashboardStats, type OverviewKind, SearchResults } from "./domain-dashboard.js"

/** A resource type as counted and searched: its table, name column and brand column. */
interface Countable {
  readonly type: OverviewKind
  /** Its table, or a read model whose status is derived (the FQDNs'). */
  readonly table: string
  readonly name: string
  /** Column (or scalar subquery) giving the owning brand; absent for platform resources (admins only). */
  readonly brand?: string
  readonly status?: string
  /** Extra condition (e.g. revoked keys are not counted). */
  readonly where?: string
  /**
   * A failed row for the dashboard, when its message is derived rather than a column: the columns
   * it needs, when it failed, and its message from them. Default: `status_message`, `updated_at`.
   */
  readonly failure?: {
    readonly columns: string
    readonly at: string
    readonly message: (row: unknown) => Effect.Effect<string | null>
  }
}

// The web tier's children belong to a brand through their tenant.
const viaTenant = (table: string) => `(SELECT tn.brand_id FROM tenants tn WHERE tn.id = ${table}.tenant_id)`
// A child of a tenant's resource belongs to the brand of its parent's tenant.
const viaParent = (table: string, parent: string, column: string) =>
  `(SELECT tn.brand_id FROM ${parent} p JOIN tenants tn ON tn.id = p.tenant_id WHERE p.id = ${table}.${column})`
// An address is its local part at its mail domain's host name, as the email API answers it.
const address = (table: string) =>
  `(${table}.local_part || '@' || (SELECT m.hostname FROM mail_domains m WHERE m.id = ${table}.mail_domain_id))`

// Later resources join this list; dashboard and search follow. Only columns that name a resource
// are read: never a password hash, an S3 secret or a DKIM key.
const COUNTABLE: ReadonlyArray<Countable> = [
  { type: "brands", table: "brands", name: "name", brand: "id" },
  { type: "api-keys", table: "api_keys", name: "name", where: "revoked_at IS NULL" },
  { type: "regions", table: "regions", name: "name" },
  { type: "clusters", table: "clusters", name: "name" },
  { type: "shards", table: "shards", name: "name", status: "status" },
  { type: "nodes", table: "nodes", name: "hostname" },
  { type: "tenants", table: "tenants", name: "name", brand: "brand_id", status: "status" },
  { type: "webroots", table: "webroots", name: "name", brand: viaTenant("webroots"), status: "status" },
  // an FQDN's status and message gather its sides (its own nginx round, LB, DNS, certificate), as
  // its get and list answer them; it failed when the latest of its failed sides was recorded
  {
    type: "fqdns",
    table: fqdnSpec.from,
    name: "t.hostname",
    brand: "t.brand_id",
    status: "t.status",
    failure: {
      columns: "t.*",
      at: `GREATEST(t.updated_at,
        (SELECT max(s.updated_at) FROM shards s WHERE s.cluster_id = t.cluster_id AND s.role = 'lb' AND s.status = 'failed'),
        (SELECT z.updated_at FROM zones z WHERE z.id = t.zone_id AND z.status = 'failed'))`,
      message: (row) => Effect.map(decodeFqdnRow(row), (f) => f.status_message),
    },
  },
  { type: "ssh-keys", table: "ssh_keys", name: "name", brand: viaTenant("ssh_keys"), status: "status" },
  { type: "zones", table: "zones", name: "name", brand: "brand_id", status: "status" },
  {
    type: "dns-records",
    table: "dns_records",
    name: "name",
    brand: "(SELECT z.brand_id FROM zones z WHERE z.id = dns_records.zone_id)",
    status: "status",
  },
  { type: "databases", table: "databases", name: "name", brand: viaTenant("databases"), status: "status" },
  {
    type: "database-users",
    table: "database_users",
    name: "username",
    brand: viaParent("database_users", "databases", "database_id"),
    status: "status",
  },
  { type: "s3-buckets", table: "s3_buckets", name: "name", brand: viaTenant("s3_buckets"), status: "status" },
  {
    type: "s3-access-keys",
    table: "s3_access_keys",
    name: "access_key_id",
    brand: viaParent("s3_access_keys", "s3_buckets", "bucket_id"),
    status: "status",
  },
  // a mail domain has no API of its own: its failed round fails the addresses it read, which show here
  {
    type: "email-accounts",
    table: "email_accounts",
    name: address("email_accounts"),
    brand: viaParent("email_accounts", "mail_domains", "mail_domain_id"),
    status: "status",
  },
  {
    type: "email-aliases",
    table: "email_aliases",
    name: address("email_aliases"),
    brand: viaParent("email_aliases", "mail_domains", "mail_domain_id"),
    status: "status",
  },
  {
    type: "email-forwards",
    table: "email_forwards",
    name: "address",
    brand: `(SELECT tn.brand_id FROM email_accounts a JOIN mail_domains m ON m.id = a.mail_domain_id
      JOIN tenants tn ON tn.id = m.tenant_id WHERE a.id = email_forwards.account_id)`,
    status: "status",
  },
]

/** Dashboard counts and cross-resource search, both filtered to the caller's brands. */
export class Overview extends Effect.Service<Overview>()("@hosting/Overview", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient

    const visible = (p: Principal) =>
      COUNTABLE.filter((c) => isPlatformAdmin(p) || c.brand !== undefined || c.type === "api-keys")

    const scope = (p: Principal, c: Countable) => {
      const parts: Array<Fragment> = []
      if (c.where) parts.push(sql.literal(c.where))
      if (!isPlatformAdmin(p)) {
        const brands = textArray(sql, p.brands as ReadonlyArray<string>)
        if (c.type === "api-keys") parts.push(sql`brands <@ ${brands} AND NOT ('*' = ANY(brands))`)
        else if (c.brand) parts.push(sql`${sql.literal(c.brand)}::text = ANY(${brands})`)
      }
      return parts.length === 0 ? sql.literal("true") : sql.and(parts)
    }

    const stats = Effect.fn("Overview.stats")(function* (p: Principal) {
      const counts: Record<string, { total: number; by_status: Record<string, number> }> = {}
      for (const c of visible(p)) {
        const rows = yield* sql<{
          status: string | null
          n: string
        }>`SELECT ${sql.literal(c.status ?? "NULL")} AS status, count(*) AS n
          FROM ${sql.literal(c.table)} WHERE ${scope(p, c)} GROUP BY 1`
        const by_status: Record<string, number> = {}
        let total = 0
        for (const r of rows) {
          total += Number(r.n)
          if (r.status !== null) by_status[r.status] = Number(r.n)
        }
        counts[c.type] = { total, by_status }
      }
      const failures: Array<{
        type: OverviewKind
        id: string
        name: string
        status_message: string | null
        updated_at: string
      }> = []
      for (const c of visible(p).filter((v) => v.status !== undefined)) {
        const rows = yield* sql<{
          id: string
          name: string
          status_message: string | null
          failed_at: Date
        }>`SELECT ${sql.literal(c.failure?.columns ?? "status_message")}, id::text AS id,
          ${sql.literal(c.name)} AS name, ${sql.literal(c.failure?.at ?? "updated_at")} AS failed_at
          FROM ${sql.literal(c.table)}
          WHERE ${scope(p, c)} AND ${sql.literal(c.status!)} = 'failed' ORDER BY failed_at DESC LIMIT 10`
        for (const r of rows)
          failures.push({
            type: c.type,
            id: r.id,
            name: r.name,
            status_message: c.failure === undefined ? r.status_message : yield* c.failure.message(r),
            updated_at: new Date(r.failed_at).toISOString(),
          })
      }
      failures.sort((a, b) => b.updated_at.localeCompare(a.updated_at))
      return DashboardStats.make({ counts, recent_failures: failures.slice(0, 10) })
    }, Effect.orDie)

    const search = Effect.fn("Overview.search")(function* (p: Principal, q: string, limit: number) {
      const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
      const groups: Array<{ type: OverviewKind; items: Array<{ id: string; name: string; status?: string }> }> = []
      for (const c of visible(p)) {
        const rows = yield* sql<{ id: string; name: string; status: string | null }>`SELECT id::text AS id,
          ${sql.literal(c.name)} AS name, ${sql.literal(c.status ?? "NULL")} AS status
          FROM ${sql.literal(c.table)}
          WHERE ${scope(p, c)} AND ${sql.literal(c.name)} ILIKE ${pattern} ESCAPE '\\'
          ORDER BY ${sql.literal(c.name)} LIMIT ${limit}`
        if (rows.length > 0) {
          groups.push({
            type: c.type,
            items: rows.map((r) =>
              r.status === null ? { id: r.id, name: r.name } : { id: r.id, name: r.name, status: r.status },
            ),
          })
        }
      }
      return SearchResults.make({ query: q, groups })
    }, Effect.orDie)

    return { stats, search } as const
  }),
}) {}
