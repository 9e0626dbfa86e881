import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * Rows made through an FQDN that keep it from being deleted: one line per family. A mailbox lives
 * at its FQDN's host name, and the API reaches it through that FQDN (`/fqdns/{id}/email-accounts`);
 * deleting the name under it would leave mail that no list shows and no one meant to drop. The
 * user deletes them first, or deletes the tenant, which takes everything.
 */
export const fqdnDependents: ReadonlyArray<FqdnDependent> = [
  { singular: "mailbox", plural: "mailboxes", table: "email_accounts" },
  { singular: "email alias", plural: "email aliases", table: "email_aliases" },
]

/** A family's rows that name the FQDN they were made through. */
export interface FqdnDependent {
  readonly singular: string
  readonly plural: string
  /** Its table: an `fqdn_id` column and a `status` (rows being deleted do not count). */
  readonly table: string
}

/**
 * Why these FQDNs cannot go ("mail.a.test still has 2 mailboxes and 1 email alias"), or
 * undefined when nothing depends on them. Called with the tenant row locked, as every writer of
 * the tenant's rows does first, so an address created meanwhile is either counted or sees its
 * FQDN being deleted.
 */
export const fqdnDependentsRemaining = (sql: SqlClient, fqdns: ReadonlyArray<{ id: string; hostname: string }>) =>
  Effect.map(
    Effect.forEach(fqdns, (f) =>
      Effect.map(
        Effect.forEach(fqdnDependents, (d) =>
          Effect.map(
            sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql(d.table)}
              WHERE fqdn_id = ${f.id} AND status <> 'deleting'`,
            (rows) => ({ d, n: Number(rows[0]?.n ?? 0) }),
          ),
        ),
        (counts) => {
          const named = counts.filter((c) => c.n > 0).map((c) => `${c.n} ${c.n === 1 ? c.d.singular : c.d.plural}`)
          return named.length === 0 ? undefined : `${f.hostname} still has ${named.join(" and ")}`
        },
      ),
    ),
    (why) => {
      const named = why.filter((w) => w !== undefined)
      return named.length === 0
        ? undefined
        : `${named.join("; ")}: delete them first (or the tenant, which removes everything)`
    },
  )
