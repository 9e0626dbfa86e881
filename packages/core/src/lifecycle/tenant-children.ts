import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { databasesOfTenants } from "../families/databases/sync.js"
import { mailDomainsOfTenants } from "../families/email/sync.js"
import { s3BucketsOfTenants } from "../families/s3/sync.js"
import { markRow } from "../sql/hand-off.js"
import type { Serializer } from "./serializers.js"

/** Every family whose rows a tenant's delete must remove first: one line per family. */
export const tenantChildFamilies: ReadonlyArray<TenantChildFamily> = [
  databasesOfTenants,
  // their mailboxes and files go with each mail domain
  mailDomainsOfTenants,
  // emptied first: a tenant's delete removes its data
  s3BucketsOfTenants,
]

/**
 * Families whose rows belong to a tenant but are applied by serializers of their own (S3 buckets;
 * databases and mailboxes next), unlike webroots or SSH keys, which ride the tenant's sync. A
 * tenant's delete must remove them before the tenant row goes (their rows reference it), so the
 * kit does it the same way for every such family:
 *
 * 1. `Tenants.remove` marks every row of every registered family `deleting` in the same
 *    transaction as the tenant's own rows (`markTenantChildrenDeleting`), and the `tenant.deleted`
 *    change asks each row's serializer (`tenant-children`, 503 when the engine says no).
 * 2. The tenant's round removes its web state as usual but, while any child row remains
 *    (`tenantChildrenRemaining`), records everything except the tenant row, which stays
 *    `deleting` with "waiting for 2 S3 buckets to be removed".
 * 3. A child serializer that removed a row of a tenant being deleted reports
 *    `tenant-child.removed`, which wakes the tenant's sync; its next round finds none left and
 *    removes the tenant row.
 *
 * Suspending, resuming or migrating a tenant (`tenant.changed`) asks every child row's
 * serializer too, since a child's spec carries its tenant's suspension.
 */
export interface TenantChildFamily {
  /** Its rows, plural, as the tenant's status message names them ("S3 buckets"). */
  readonly noun: string
  /** Its table: a `tenant_id` column referencing tenants, and the status/revision columns. */
  readonly table: string
  /** The sequence its revisions come from. */
  readonly revisionSequence: string
  /** A constant SQL assignment added when the tenant's delete marks a row (S3: `force_delete = true`). */
  readonly onTenantDelete?: string
  /** The serializer of one row (`{resourceType}:{id}:{operation}`, the row's id). */
  readonly serializer: Serializer<unknown>
}

/**
 * Marks every row of the tenant's child families `deleting` under new revisions (inside the
 * tenant's delete transaction), and answers the ids written per table.
 */
export const markTenantChildrenDeleting = (
  sql: SqlClient,
  families: ReadonlyArray<TenantChildFamily>,
  tenantId: string,
) =>
  Effect.forEach(families, (f) =>
    Effect.map(
      sql<{ id: string }>`UPDATE ${sql(f.table)} SET ${markRow(sql, "deleting", f.revisionSequence)}${sql.literal(
        f.onTenantDelete === undefined ? "" : `, ${f.onTenantDelete}`,
      )}
        WHERE tenant_id = ${tenantId} RETURNING id`,
      (rows) => [f.table, rows.map((r) => r.id)] as const,
    ),
  )

/**
 * Marks the tenant's child rows `pending` under new revisions (inside a suspend or unsuspend):
 * their specs carry the suspension, so they are not what the nodes hold until their rounds
 * applied it. Rows being deleted stay `deleting`.
 */
export const markTenantChildrenPending = (
  sql: SqlClient,
  families: ReadonlyArray<TenantChildFamily>,
  tenantId: string,
) =>
  Effect.forEach(
    families,
    (f) =>
      sql`UPDATE ${sql(f.table)} SET ${markRow(sql, "pending", f.revisionSequence)}
        WHERE tenant_id = ${tenantId} AND status <> 'deleting'`,
    { discard: true },
  )

/** How many rows of each child family the tenant still has (families with none left out). */
export const tenantChildrenRemaining = (sql: SqlClient, families: ReadonlyArray<TenantChildFamily>, tenantId: string) =>
  Effect.map(
    Effect.forEach(families, (f) =>
      Effect.map(
        sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql(f.table)} WHERE tenant_id = ${tenantId}`,
        (rows) => ({ noun: f.noun, count: Number(rows[0]?.n ?? 0) }),
      ),
    ),
    (counts) => counts.filter((c) => c.count > 0),
  )

/** The tenant's status message while it waits: "waiting for 2 S3 buckets, 1 database to be removed". */
export const waitingForChildren = (remaining: ReadonlyArray<{ readonly noun: string; readonly count: number }>) =>
  `waiting for ${remaining.map((r) => `${r.count} ${r.noun}`).join(", ")} to be removed`

/** Ids of the tenant's rows of one child family (whose serializers `tenant-children` asks). */
export const tenantChildIds = (sql: SqlClient, family: TenantChildFamily, tenantId: string) =>
  Effect.map(
    sql<{ id: string }>`SELECT id FROM ${sql(family.table)} WHERE tenant_id = ${tenantId} ORDER BY id`,
    (rows) => rows.map((r) => r.id),
  )

/** Whether the tenant is being deleted (a child that just removed a row then wakes its sync). */
export const isTenantDeleting = (sql: SqlClient, tenantId: string) =>
  Effect.map(
    sql<{ status: string }>`SELECT status FROM tenants WHERE id = ${tenantId}`,
    (rows) => rows[0]?.status === "deleting",
  )
