import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authorization, RequiredScope, ToolDomain } from "../../api/security.js"
import { listParams, Page } from "../../domain/list.js"
import { Whoami } from "../access/domain-api-key.js"
import { AuditLog, AuditLogFilters } from "./domain-audit.js"
import { DashboardStats, SearchResults } from "./domain-dashboard.js"

/** Counts per resource type and status, scoped to the key's brands. */
export class DashboardGroup extends HttpApiGroup.make("dashboard")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("stats", "/dashboard/stats")
      .annotate(OpenApi.Summary, "Counts per resource type and status, and recent failures")
      .addSuccess(DashboardStats)
      .annotate(RequiredScope, "dashboard:read"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Substring search across resources, scoped to the key's brands, grouped by type. */
export class SearchGroup extends HttpApiGroup.make("search")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("search", "/search")
      .annotate(OpenApi.Summary, "Search resources by name, grouped by type")
      .setUrlParams(
        Schema.Struct({
          q: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
          limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 50))),
        }),
      )
      .addSuccess(SearchResults)
      .annotate(RequiredScope, "search:read"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** The audit log of mutations, newest first by default. */
export class AuditLogsGroup extends HttpApiGroup.make("auditLogs")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("list", "/audit-logs")
      .annotate(OpenApi.Summary, "List audit log entries (newest first)")
      .setUrlParams(Schema.Struct({ ...listParams(["created_at"]).fields, ...AuditLogFilters.fields }))
      .addSuccess(Page(AuditLog))
      .annotate(RequiredScope, "audit-logs:read"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** The calling key: what it may do. Any valid key may ask. */
export class SessionGroup extends HttpApiGroup.make("session")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("whoami", "/whoami")
      .annotate(OpenApi.Summary, "The calling key: its scopes and brands")
      .addSuccess(Whoami),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** What a key sees of the platform: itself, counts, search and the audit log, in the contract's order. */
export const overviewGroups = [SessionGroup, DashboardGroup, SearchGroup, AuditLogsGroup] as const

export * from "./domain-audit.js"
export * from "./domain-dashboard.js"
