import type { SqlClient } from "@effect/sql/SqlClient"
import { Conflict } from "../../domain/errors.js"
import { markRow, type WrittenRows } from "../../sql/hand-off.js"

/**
 * What the zone and record services share: the status/revision bump a DNS node must see and the
 * "being deleted" guard (the change is then reported to Reactions, which hands it to the sync).
 */

/** The DNS tables whose rows a zone's sync applies. */
export type DnsTable = "zones" | "dns_records"

/**
 * SET list of every write a DNS node must see: the row waits (`pending`, or `deleting`) for its
 * zone's next sync under a new revision, so a sync already running cannot mark it done.
 */
export const markDns = (sql: SqlClient, status: "pending" | "deleting") => markRow(sql, status, "dns_revision_seq")

/** 409 for any change under a zone whose deletion has started. */
export const zoneBeingDeleted = () => new Conflict({ message: "the zone is being deleted" })

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type DnsWritten = WrittenRows<DnsTable>
