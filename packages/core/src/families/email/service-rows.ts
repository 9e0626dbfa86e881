import type { SqlClient } from "@effect/sql/SqlClient"
import { Context, Effect, Schema } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import { markRow, type WrittenRows } from "../../sql/hand-off.js"
import { brandFilter, filters } from "../../sql/list.js"
import type { Principal } from "../access/domain-api-key.js"
import type { ScopedSpec } from "../tenancy/service-rows.js"
import { DKIM_SELECTOR, generateDkimKey } from "./dkim.js"
import { MailDomainName } from "./domain.js"
import type { Argon2id } from "./password.js"

/**
 * What the email services and states share: the tables a mail domain's sync applies, the
 * scoped reads, the password hasher port, and the mail domain's lifetime (made by the first
 * address on a host name, marked for removal with the last).
 */

/** The email family's tables, whose rows a mail domain's sync applies. */
export type MailTable = "mail_domains" | "email_accounts" | "email_aliases" | "email_forwards" | "email_autoreplies"

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type MailWritten = WrittenRows<MailTable>

/** SET list of a write a node must see: the row waits for its domain's next round under a new revision. */
export const markMailRow = (sql: SqlClient, status: "pending" | "deleting") => markRow(sql, status, "mail_revision_seq")

/**
 * Argon2id itself, provided by the host (node:crypto's `argon2`): core loads no Node builtin.
 * Passwords are hashed in the API process; nodes and the database only see the hash.
 */
export class MailPasswordHasher extends Context.Tag("@hosting/MailPasswordHasher")<
  MailPasswordHasher,
  { readonly argon2id: Argon2id }
>() {}

const accountAddressSql = "t.local_part || '@' || d.hostname"

/** Accounts, read through their mail domain's tenant (its brand). */
export const accountSpec: ScopedSpec = {
  from: "email_accounts t JOIN mail_domains d ON d.id = t.mail_domain_id JOIN tenants tn ON tn.id = d.tenant_id",
  select: `t.id, t.fqdn_id, d.tenant_id, ${accountAddressSql} AS address, t.local_part, t.display_name, t.quota_mb,
    t.status, t.status_message, t.status_details, t.created_at, t.updated_at`,
  sortColumns: { local_part: "t.local_part", created_at: "t.created_at" },
  defaultSort: "local_part",
  searchColumns: ["t.local_part", "t.display_name"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

/** Aliases, read through their account's tenant. */
export const aliasSpec: ScopedSpec = {
  from: `email_aliases t JOIN mail_domains d ON d.id = t.mail_domain_id JOIN email_accounts a ON a.id = t.account_id
    JOIN tenants tn ON tn.id = d.tenant_id`,
  select: `t.id, t.account_id, t.fqdn_id, t.local_part || '@' || d.hostname AS address, t.local_part,
    t.status, t.status_message, t.status_details, t.created_at, t.updated_at`,
  sortColumns: { local_part: "t.local_part", created_at: "t.created_at" },
  defaultSort: "local_part",
  searchColumns: ["t.local_part"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

/** Forwards, read through their account's tenant. */
export const forwardSpec: ScopedSpec = {
  from: `email_forwards t JOIN email_accounts a ON a.id = t.account_id JOIN mail_domains d ON d.id = a.mail_domain_id
    JOIN tenants tn ON tn.id = d.tenant_id`,
  select: "t.*",
  sortColumns: { address: "t.address", created_at: "t.created_at" },
  defaultSort: "address",
  searchColumns: ["t.address"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

/** An account as its writers need it: its domain, tenant and their states. */
export interface AccountContext {
  readonly id: string
  readonly mail_domain_id: string
  readonly tenant_id: string
  readonly fqdn_id: string
  readonly status: string
  readonly tenant_status: string
}

/** The account (scoped to the caller's brands), or 404. */
export const accountContext = (sql: SqlClient, principal: Principal, id: string) =>
  sql<AccountContext>`SELECT t.id::text, t.mail_domain_id::text, d.tenant_id::text, t.fqdn_id::text, t.status,
      tn.status AS tenant_status
    FROM email_accounts t JOIN mail_domains d ON d.id = t.mail_domain_id JOIN tenants tn ON tn.id = d.tenant_id
    WHERE ${sql.and(filters(sql`t.id = ${id}`, brandFilter(sql, "tn.brand_id", principal)))}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) =>
      rows[0] === undefined ? Effect.fail(notFound("email account", id)) : Effect.succeed(rows[0]),
    ),
  )

/** An FQDN as mail needs it. */
export interface FqdnContext {
  readonly id: string
  readonly hostname: string
  readonly status: string
  readonly tenant_id: string
  readonly brand_id: string
  readonly tenant_status: string
}

/** The FQDN (scoped to the caller's brands), or 404. */
export const fqdnContext = (sql: SqlClient, principal: Principal, id: string) =>
  sql<FqdnContext>`SELECT f.id::text, f.hostname, f.status, f.tenant_id::text, t.brand_id::text, t.status AS tenant_status
    FROM fqdns f JOIN tenants t ON t.id = f.tenant_id
    WHERE ${sql.and(filters(sql`f.id = ${id}`, brandFilter(sql, "t.brand_id", principal)))}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) => (rows[0] === undefined ? Effect.fail(notFound("FQDN", id)) : Effect.succeed(rows[0]))),
  )

/**
 * Inside an address's transaction, after its tenant row is locked: 409 when its FQDN began being
 * deleted since it was read (an FQDN's delete locks the tenant row and counts its addresses, so
 * one of the two always sees the other).
 */
export const recheckLiveFqdn = (sql: SqlClient, fqdnId: string) =>
  sql<{ status: string; hostname: string }>`SELECT status, hostname FROM fqdns WHERE id = ${fqdnId}`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) =>
      rows[0] !== undefined && rows[0].status !== "deleting"
        ? Effect.void
        : Effect.fail(new Conflict({ message: `the FQDN ${rows[0]?.hostname ?? fqdnId} is being deleted` })),
    ),
  )

/** 409 unless the FQDN and its tenant are live; 422 when its name cannot receive mail (a wildcard). */
export const checkMailFqdn = (f: FqdnContext) => {
  if (f.tenant_status === "deleting") return Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
  if (f.status === "deleting") return Effect.fail(new Conflict({ message: `the FQDN ${f.hostname} is being deleted` }))
  if (!Schema.is(MailDomainName)(f.hostname))
    return Effect.fail(
      new InvalidInput({ message: `${f.hostname} cannot receive mail (a mail domain is a plain host name)` }),
    )
  return Effect.void
}

const mapClusters = (brandId: string) =>
  `map a cluster that has an email shard to the brand: PUT /api/v1/brands/${brandId}/clusters`

/**
 * The mail domain of an FQDN's host name, made (pending, with a fresh DKIM key) when it has none
 * or revived when it was being removed; call inside the write's transaction. A tenant's domains
 * share one email shard (an alias on another of its names must be served by the same node);
 * its first goes to the email shard with the fewest mail domains among the brand's clusters.
 * Answers the domain's id and whether it was made or revived (its zone then gains the records).
 */
export const acquireMailDomain = (sql: SqlClient, f: FqdnContext) =>
  Effect.gen(function* () {
    // one writer per host name at a time: two first accounts make one domain
    yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`mail:${f.hostname}`}))`
    const existing = yield* sql<{ id: string; tenant_id: string; status: string }>`SELECT id::text, tenant_id::text,
        status FROM mail_domains WHERE hostname = ${f.hostname}`
    const found = existing[0]
    if (found !== undefined && found.tenant_id !== f.tenant_id) {
      return yield* Effect.fail(new Conflict({ message: `${f.hostname} already receives mail for another tenant` }))
    }
    if (found !== undefined && found.status !== "deleting") return { id: found.id, created: false }
    if (found !== undefined) {
      yield* sql`UPDATE mail_domains SET served = false, ${markMailRow(sql, "pending")} WHERE id = ${found.id}`
      return { id: found.id, created: true }
    }
    const shards = yield* sql<{ id: string }>`SELECT s.id::text FROM shards s WHERE s.role = 'email'
        AND s.cluster_id IN (SELECT cluster_id FROM brand_clusters WHERE brand_id = ${f.brand_id})
      ORDER BY (SELECT count(*) FROM mail_domains m WHERE m.shard_id = s.id AND m.tenant_id = ${f.tenant_id}) DESC,
        (SELECT count(*) FROM mail_domains m WHERE m.shard_id = s.id), s.name, s.id LIMIT 1`
    if (shards[0] === undefined) {
      return yield* Effect.fail(
        new InvalidInput({ message: `no email shard to place ${f.hostname} on; ${mapClusters(f.brand_id)}` }),
      )
    }
    const key = yield* generateDkimKey
    const id = randomUuid()
    yield* sql`INSERT INTO mail_domains (id, tenant_id, shard_id, hostname, dkim_selector, dkim_private_key,
        dkim_public_key, status)
      VALUES (${id}, ${f.tenant_id}, ${shards[0].id}, ${f.hostname}, ${DKIM_SELECTOR}, ${key.privateKeyPem},
        ${key.publicKey}, 'pending')`
    return { id, created: true }
  })

/**
 * Marks a mail domain for removal when no live account or alias is left on it (inside the
 * write's transaction); answers whether it did, so its zone drops the records.
 */
export const releaseIfUnused = (sql: SqlClient, mailDomainId: string) =>
  Effect.map(
    sql<{ id: string }>`UPDATE mail_domains d SET ${markMailRow(sql, "deleting")}
      WHERE d.id = ${mailDomainId} AND d.status <> 'deleting'
        AND NOT EXISTS (SELECT 1 FROM email_accounts a WHERE a.mail_domain_id = d.id AND a.status <> 'deleting')
        AND NOT EXISTS (SELECT 1 FROM email_aliases x WHERE x.mail_domain_id = d.id AND x.status <> 'deleting')
      RETURNING d.id::text`,
    (rows) => rows.length > 0,
  )

/** The host name of a mail domain. */
export const mailDomainHostname = (sql: SqlClient, mailDomainId: string) =>
  Effect.map(
    sql<{ hostname: string }>`SELECT hostname FROM mail_domains WHERE id = ${mailDomainId}`,
    (rows) => rows[0]?.hostname ?? "",
  )
