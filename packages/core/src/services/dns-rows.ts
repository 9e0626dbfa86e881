import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, type Unavailable } from "../domain/errors.js"
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
export const markDns = (sql: SqlClient, status: "pending" | "deleting") =>
  sql`status = ${status}, status_message = NULL, revision = nextval('dns_revision_seq'), updated_at = now()`

/** 409 for any change under a zone whose deletion has started. */
export const zoneBeingDeleted = () => new Conflict({ message: "the zone is being deleted" })

/** Ids a write touched, per table, so a failed hand-off can mark exactly those rows. */
export type DnsWritten = ReadonlyArray<readonly [DnsTable, ReadonlyArray<string>]>

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
): Effect.Effect<void, Unavailable> =>
  sync.request(zoneId).pipe(
    Effect.tapError((e) =>
      Effect.forEach(
        written.filter(([, ids]) => ids.length > 0),
        ([table, ids]) =>
          sql`UPDATE ${sql(table)} SET status = CASE WHEN status = 'deleting' THEN 'deleting' ELSE 'failed' END,
            status_message = ${`could not start workflow: ${e.message}`.slice(0, 4000)}, updated_at = now()
            WHERE id IN ${sql.in(ids)}`.pipe(Effect.orDie),
        { discard: true },
      ),
    ),
  )
