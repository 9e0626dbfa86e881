import { Schema } from "effect"
import { ApiKeyId, AuditLogId } from "../../domain/ids.js"

/** One recorded mutation. */
export class AuditLog extends Schema.Class<AuditLog>("AuditLog")({
  id: AuditLogId,
  created_at: Schema.String,
  key_id: Schema.NullOr(ApiKeyId),
  key_name: Schema.NullOr(Schema.String),
  brands: Schema.Array(Schema.String),
  action: Schema.String.annotations({ description: "`group.endpoint` of the contract, e.g. `brands.create`" }),
  method: Schema.String,
  path: Schema.String,
  resource_type: Schema.String,
  resource_id: Schema.NullOr(Schema.String),
  status_code: Schema.NullOr(Schema.Int).annotations({
    description:
      "the answer's status; null when the request's outcome was never recorded (the API stopped mid-request)",
  }),
  request_body: Schema.Unknown.annotations({
    description:
      "the request body with every secret redacted (by field name, PEM blocks and key-shaped strings), NUL and unpaired surrogates written as \\uXXXX text, bounded in size; a body that is not JSON is kept as its size and SHA-256",
  }),
  client_address: Schema.NullOr(Schema.String).annotations({ description: "the client's IP address" }),
  reason: Schema.NullOr(Schema.String).annotations({
    description: "for refused unauthenticated attempts (action `auth.refused`): why, and the presented key's prefix",
  }),
}) {}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/
const TIMESTAMP_FORM =
  "an ISO 8601 date-time with a zone (2026-12-04T10:00:00Z, 2026-12-04T12:00:00+02:00) or a date (2026-12-04, midnight UTC)"
// PostgreSQL knows no year 0 and the filter is sent as toISOString(), which writes 4-digit years
const EARLIEST = Date.parse("0001-01-01T00:00:00Z")
const LATEST = Date.parse("9999-12-31T23:59:59.999Z")

/**
 * The instant (ms since the epoch) of an ISO 8601 timestamp of the accepted forms, or undefined.
 * Date.parse alone reads almost anything ("1" is the year 2001), rolls 2026-02-30 over into March
 * and reads a date-time without a zone in the server's local time, so the form and every field
 * are checked first.
 */
export const parseIsoTimestamp = (s: string): number | undefined => {
  const m = ISO_TIMESTAMP.exec(s)
  if (m === null) return undefined
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = m
    .slice(1)
    .map((f) => (f === undefined ? undefined : Number(f))) as [number, number, number, ...Array<number | undefined>]
  // setUTCFullYear takes the year as it is (Date.UTC would read 0–99 as 1900–1999)
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  const instant = valid ? Date.parse(s) : Number.NaN
  return instant >= EARLIEST && instant <= LATEST ? instant : undefined
}

const Timestamp = Schema.String.pipe(
  Schema.pattern(ISO_TIMESTAMP, {
    title: "Timestamp",
    description: TIMESTAMP_FORM,
    message: () => `must be ${TIMESTAMP_FORM}`,
  }),
  Schema.filter((s) => parseIsoTimestamp(s) !== undefined || `must be ${TIMESTAMP_FORM}`),
)

/** Filters of GET /audit-logs (besides paging). */
export const AuditLogFilters = Schema.Struct({
  resource_type: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9-]{0,62}$/))),
  resource_id: Schema.optional(Schema.String.pipe(Schema.maxLength(100))),
  key_id: Schema.optional(ApiKeyId),
  action: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-zA-Z0-9.-]{1,100}$/))),
  since: Schema.optional(Timestamp),
  until: Schema.optional(Timestamp),
})
