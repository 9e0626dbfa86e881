// Rows whose provisioning is in flight change on their own (the node agent does the work): the
// pages that show them re-read every second until every shown row has settled.

/** Statuses a resource leaves without anyone acting on it. */
export const IN_FLIGHT: ReadonlyArray<string> = ["pending", "provisioning", "deleting"]

/** How often pages re-read in-flight rows: short enough to watch a create finish. */
export const POLL_MS = 1_000

/** Whether any of the rows is still in flight. */
export const anyInFlight = (rows: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>): boolean =>
  rows.some((r) => r !== undefined && IN_FLIGHT.includes(String(r["status"])))

/** A TanStack Query `refetchInterval` value: poll while any row is in flight, stop once settled. */
export const pollWhileInFlight = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>,
): number | false => (anyInFlight(rows) ? POLL_MS : false)
