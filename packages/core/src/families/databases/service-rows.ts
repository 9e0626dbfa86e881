import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { markRow, type WrittenRows } from "../../sql/hand-off.js"

/**
 * What the database services and states share: where a shard's databases are applied and how an
 * application reaches them, and the status/revision bump a node must see.
 */

/** The databases family's tables, whose rows a database's sync applies. */
export type DatabaseTable = "databases" | "database_users"

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type DatabaseWritten = WrittenRows<DatabaseTable>

/** MariaDB's port when a database shard's config names none. */
export const DEFAULT_MARIADB_PORT = 3306

/** SET list of a write a node must see: the row waits for its database's next round under a new revision. */
export const markDatabaseRow = (sql: SqlClient, status: "pending" | "deleting") =>
  markRow(sql, status, "database_revision_seq")

/**
 * SQL for the node applications connect to, for a `databases` row aliased `t` joined to its shard
 * `s`: the shard's primary (`primary_node_id`), else its oldest node; its first address, else its
 * host name; null while the shard has no node.
 */
export const connectHostSql = `(SELECT COALESCE(n.addresses[1], n.hostname) FROM nodes n
    JOIN node_shards ns ON ns.node_id = n.id AND ns.shard_id = t.shard_id
    ORDER BY (n.id::text = s.config->>'primary_node_id') DESC, n.created_at, n.id LIMIT 1)`

/** SQL for the shard's MariaDB port (`mariadb_port` in its config, else 3306). */
export const connectPortSql = `COALESCE((s.config->>'mariadb_port')::int, ${DEFAULT_MARIADB_PORT})`

/**
 * The nodes that apply a shard's databases, or why none does. With a `primary_node_id` only the
 * primary: replicas follow it by replication, never by ensures of their own. A shard naming no
 * primary is one where every node stands alone, so each gets every ensure.
 */
export const applyingNodes = (sql: SqlClient, shardId: string) =>
  Effect.gen(function* () {
    const rows = yield* sql<{ node_id: string; primary_id: string | null }>`SELECT ns.node_id::text AS node_id,
        s.config->>'primary_node_id' AS primary_id
      FROM shards s JOIN node_shards ns ON ns.shard_id = s.id WHERE s.id = ${shardId} ORDER BY ns.node_id`
    const all = rows.map((r) => r.node_id)
    const primary = rows[0]?.primary_id ?? null
    const nodeIds = primary !== null && all.includes(primary) ? [primary] : all
    const problem = nodeIds.length === 0 ? `database shard ${shardId} has no nodes` : null
    return { nodeIds, problem }
  })
