import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * Who owns a DNS name. A name at or under a zone belongs to the zone's brand: another brand may
 * neither bind it as an FQDN nor create a zone above or below it. These reads decide that; each
 * runs inside the write's transaction after `lockNameTree`, so two requests about related names
 * (a zone and an FQDN under it, or two nested zones) are decided one after the other and cannot
 * both pass.
 */

// advisory-lock class of name ownership (ASCII "host"), kept apart from any other advisory lock
const NAME_LOCK_CLASS = 0x686f7374

/** `a.b.example.com` → `a.b.example.com`, `b.example.com`, `example.com`, `com`. */
const suffixes = (name: string) => name.split(".").map((_, i, labels) => labels.slice(i).join("."))

/** The LIKE pattern matching, on `reverse(column)`, every name strictly under `name`. */
const reversedUnder = (name: string) => `${[...`.${name}`].reverse().join("")}%`

/**
 * Takes a transaction-scoped lock on the tree of names `name` belongs to. A name at or under
 * another shares that one's last two labels (zones and FQDNs have at least two), so those two
 * labels are the key: related names wait for each other, unrelated ones almost never do.
 */
export const lockNameTree = (sql: SqlClient, name: string) =>
  sql`SELECT pg_advisory_xact_lock(${NAME_LOCK_CLASS}, hashtext(${name.split(".").slice(-2).join(".")}))`

/** The name of a zone of another brand at or above `hostname`, if there is one. */
export const foreignZoneCovering = (sql: SqlClient, brandId: string, hostname: string) =>
  sql<{ name: string }>`SELECT name FROM zones
    WHERE brand_id <> ${brandId} AND name IN ${sql.in(suffixes(hostname))}
    ORDER BY length(name) DESC LIMIT 1`.pipe(Effect.map((rows) => rows[0]?.name))

/** The name of a zone of another brand above or below `zone` (the same name is a duplicate), if there is one. */
export const foreignZoneOverlapping = (sql: SqlClient, brandId: string, zone: string) =>
  sql<{ name: string }>`SELECT name FROM zones
    WHERE brand_id <> ${brandId} AND name <> ${zone}
      AND (name IN ${sql.in(suffixes(zone))} OR reverse(name) LIKE ${reversedUnder(zone)})
    LIMIT 1`.pipe(Effect.map((rows) => rows[0]?.name))

/** Whether a tenant of another brand has bound `zone` or a name under it. */
export const foreignFqdnUnder = (sql: SqlClient, brandId: string, zone: string) =>
  sql<{ hostname: string }>`SELECT f.hostname FROM fqdns f JOIN tenants t ON t.id = f.tenant_id
    WHERE t.brand_id <> ${brandId} AND (f.hostname = ${zone} OR reverse(f.hostname) LIKE ${reversedUnder(zone)})
    LIMIT 1`.pipe(Effect.map((rows) => rows.length > 0))
