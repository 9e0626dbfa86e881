import type { SqlClient } from "@effect/sql/SqlClient"
import type { Effect } from "effect"
import { Conflict, type Unavailable } from "../domain/errors.js"
import { handOff, markRow, type WrittenRows } from "../sql/hand-off.js"
import type { ZoneSync } from "./zone-sync.js"

/**
 * What the zone and record services share: the status/revision bump a DNS node must see, the
 * "being deleted" guard, and handing a zone's change to its sync.
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

/**
 * Hands a zone's changes to its sync. When the workflow engine cannot be reached the rows just
 * written say why and the caller gets the 503: changed rows become `failed` (retry sends them
 * again); rows being deleted stay `deleting` (deleting again sends them again).
 */
export const requestZoneSync = (
  sql: SqlClient,
  sync: ZoneSync,
  zoneId: string,
  written: DnsWritten,
): Effect.Effect<void, Unavailable> => handOff(sql, sync.request(zoneId), written)
