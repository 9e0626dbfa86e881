import { Schema } from "effect"

/**
 * A kind of resource as the dashboard counts it and search groups it. It is the resource's path
 * segment: `/api/v1/<kind>/<id>` reads it, and the admin UI shows it at `#/<kind>/<id>`.
 */
export const OverviewKind = Schema.Literal(
  "brands",
  "api-keys",
  "regions",
  "clusters",
  "shards",
  "nodes",
  "tenants",
  "webroots",
  "fqdns",
  "ssh-keys",
  "zones",
  "dns-records",
  "databases",
  "database-users",
  "s3-buckets",
  "s3-access-keys",
  "email-accounts",
  "email-aliases",
  "email-forwards",
).annotations({
  description: "the resource's path segment: GET /api/v1/<kind>/<id> reads it; the admin UI shows it at #/<kind>/<id>",
})
export type OverviewKind = typeof OverviewKind.Type

/** Counts of one resource type, by lifecycle status where it has one. */
export const ResourceCount = Schema.Struct({
  total: Schema.Int,
  by_status: Schema.Record({ key: Schema.String, value: Schema.Int }),
})

/** A resource whose last operation failed, for the dashboard. */
export const RecentFailure = Schema.Struct({
  type: OverviewKind,
  id: Schema.String,
  name: Schema.String,
  status_message: Schema.NullOr(Schema.String),
  updated_at: Schema.String,
})

/** GET /dashboard/stats. */
export class DashboardStats extends Schema.Class<DashboardStats>("DashboardStats")({
  counts: Schema.Record({ key: Schema.String, value: ResourceCount }).annotations({
    description: "by kind (see a failure's `type`); a key's kinds are those it can see",
  }),
  recent_failures: Schema.Array(RecentFailure).annotations({ description: "newest first, at most 10" }),
}) {}

/** One search hit: never a secret (a password, an S3 secret, a DKIM key), only what names the resource. */
export const SearchHit = Schema.Struct({
  id: Schema.String,
  name: Schema.String.annotations({ description: "what names it: a name, host name, user name or address" }),
  status: Schema.optional(Schema.String),
})

/** GET /search: hits grouped by resource type. */
export class SearchResults extends Schema.Class<SearchResults>("SearchResults")({
  query: Schema.String,
  groups: Schema.Array(Schema.Struct({ type: OverviewKind, items: Schema.Array(SearchHit) })),
}) {}
