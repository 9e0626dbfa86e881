import { SqlClient } from "@effect/sql/SqlClient"
import { Config, Effect, Schema } from "effect"
import { InvalidInput } from "../../domain/errors.js"
import { isLoopbackHost, testTldOf, urlHost } from "../../domain/validation.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { DEFAULT_PLATFORM_CONFIG, PlatformConfig, type UpdatePlatformConfig } from "./domain-platform.js"

/**
 * Whether this deployment accepts names under the test TLDs (`test`, `example`) and a loopback
 * OIDC issuer: a development or test stack, never production, where such names would be
 * bindings nobody can reach. A deployment setting rather than a config field, so no API call can
 * turn it on.
 */
export const allowTestDomains = Config.boolean("HOSTING_ALLOW_TEST_DOMAINS").pipe(Config.withDefault(false))

/** Refuses (422) names under the test TLDs unless the deployment allows test domains. */
export const refuseTestDomains = (
  allowed: boolean,
  field: string,
  names: ReadonlyArray<string>,
): Effect.Effect<void, InvalidInput> => {
  if (allowed) return Effect.void
  for (const name of names) {
    const tld = testTldOf(name)
    if (tld !== undefined) {
      return Effect.fail(
        new InvalidInput({
          message: `${field}: ${name} is under ${tld}, a top-level domain reserved for testing (RFC 6761); this platform serves only public names`,
          details: { field, name },
        }),
      )
    }
  }
  return Effect.void
}

/** Refuses (422) an OIDC issuer on this machine or under a test TLD unless the deployment allows test domains. */
export const refuseDevelopmentIssuer = (allowed: boolean, issuer: string): Effect.Effect<void, InvalidInput> => {
  const host = urlHost(issuer)
  if (allowed || !isLoopbackHost(host)) return refuseTestDomains(allowed, "oidc_issuer", [host])
  return Effect.fail(
    new InvalidInput({
      message: `oidc_issuer: ${issuer} is on this machine (loopback); a loopback issuer is accepted only in development`,
      details: { field: "oidc_issuer" },
    }),
  )
}

/** Platform-wide settings, one JSON document; a new base domain re-syncs the zones of service hostnames. */
export class Platform extends Effect.Service<Platform>()("@hosting/Platform", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const testDomains = yield* allowTestDomains
    const decode = Schema.decodeUnknown(PlatformConfig)

    const get = Effect.fn("Platform.get")(function* () {
      const rows = yield* sql<{ config: unknown }>`SELECT config FROM platform_config`
      const stored = rows[0]?.config as Record<string, unknown> | undefined
      // stored documents from older versions lack newer fields: defaults fill them in
      return yield* decode({ ...DEFAULT_PLATFORM_CONFIG, ...stored })
    }, Effect.orDie)

    const update = Effect.fn("Platform.update")(function* (patch: typeof UpdatePlatformConfig.Type) {
      // only what the caller sends is checked: a stored value stays valid until it is replaced
      if (patch.base_domain != null) yield* refuseTestDomains(testDomains, "base_domain", [patch.base_domain])
      if (patch.ns_hostnames !== undefined) yield* refuseTestDomains(testDomains, "ns_hostnames", patch.ns_hostnames)
      if (patch.oidc_issuer != null) yield* refuseDevelopmentIssuer(testDomains, patch.oidc_issuer)
      const current = yield* get()
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      const next = PlatformConfig.make({ ...current, ...defined })
      const json = JSON.stringify(next)
      yield* sql`INSERT INTO platform_config (id, config) VALUES (true, ${json}::jsonb)
        ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()`.pipe(Effect.orDie)
      // tenants' service hostnames move with the base domain: leave the old one's zones, join the new one's
      if (next.base_domain !== current.base_domain) {
        yield* reactions.changed({ kind: "base-domain.changed", from: current.base_domain, to: next.base_domain })
      }
      return next
    })

    return { get, update } as const
  }),
  dependencies: [Reactions.Default],
}) {}
