import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { DEFAULT_PLATFORM_CONFIG, PlatformConfig, type UpdatePlatformConfig } from "../domain/platform.js"
import { ZoneSync } from "./zone-sync.js"

/** Platform-wide settings, one JSON document; a new base domain re-syncs the zones of service hostnames. */
export class Platform extends Effect.Service<Platform>()("@hosting/Platform", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const zones = yield* ZoneSync
    const decode = Schema.decodeUnknown(PlatformConfig)

    const get = Effect.fn("Platform.get")(function* () {
      const rows = yield* sql<{ config: unknown }>`SELECT config FROM platform_config`
      const stored = rows[0]?.config as Record<string, unknown> | undefined
      // stored documents from older versions lack newer fields: defaults fill them in
      return yield* decode({ ...DEFAULT_PLATFORM_CONFIG, ...stored })
    }, Effect.orDie)

    const update = Effect.fn("Platform.update")(function* (patch: typeof UpdatePlatformConfig.Type) {
      const current = yield* get()
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      const next = PlatformConfig.make({ ...current, ...defined })
      const json = JSON.stringify(next)
      yield* sql`INSERT INTO platform_config (id, config) VALUES (true, ${json}::jsonb)
        ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()`
      // tenants' service hostnames move with the base domain: leave the old one's zones, join the new one's
      if (next.base_domain !== current.base_domain) {
        for (const domain of [current.base_domain, next.base_domain]) {
          if (domain !== null) yield* zones.requestForBaseDomain(domain)
        }
      }
      return next
    }, Effect.orDie)

    return { get, update } as const
  }),
  dependencies: [ZoneSync.Default],
}) {}
