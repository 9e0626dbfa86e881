import { Schema } from "effect"
import { ApiKeyId, AuditLogId } from "./ids.js"

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
  status_code: Schema.Int,
  request_body: Schema.Unknown.annotations({ description: "the request body with every secret redacted" }),
}) {}

const Timestamp = Schema.String.pipe(
  Schema.filter((s) => !Number.isNaN(Date.parse(s)) || "must be an ISO-8601 timestamp"),
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
