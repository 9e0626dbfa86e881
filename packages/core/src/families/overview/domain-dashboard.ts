import { Schema } from "effect"

/** Counts of one resource type, by lifecycle status where it has one. */
export const ResourceCount = Schema.Struct({
  total: Schema.Int,
  by_status: Schema.Record({ key: Schema.String, value: Schema.Int }),
})

/** A resource whose last operation failed, for the dashboard. */
export const RecentFailure = Schema.Struct({
  type: Schema.String,
  id: Schema.String,
  name: Schema.String,
  status_message: Schema.NullOr(Schema.String),
  updated_at: Schema.String,
})

/** GET /dashboard/stats. */
export class DashboardStats extends Schema.Class<DashboardStats>("DashboardStats")({
  counts: Schema.Record({ key: Schema.String, value: ResourceCount }),
  recent_failures: Schema.Array(RecentFailure).annotations({ description: "newest first, at most 10" }),
}) {}

/** One search hit. */
export const SearchHit = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  status: Schema.optional(Schema.String),
})

/** GET /search: hits grouped by resource type. */
export class SearchResults extends Schema.Class<SearchResults>("SearchResults")({
  query: Schema.String,
  groups: Schema.Array(Schema.Struct({ type: Schema.String, items: Schema.Array(SearchHit) })),
}) {}
