import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { withoutDot } from "../dns/plan.js"

/** The platform's base domain (where tenants' service hostnames live) without a trailing dot, or null. */
export const baseDomain = (sql: SqlClient) =>
  sql<{ base: string | null }>`SELECT config->>'base_domain' AS base FROM platform_config`.pipe(
    Effect.map((rows) => {
      const base = rows[0]?.base ?? null
      return base === null ? null : withoutDot(base)
    }),
  )
