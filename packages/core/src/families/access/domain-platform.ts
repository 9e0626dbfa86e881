import { Schema } from "effect"
import { Email, Hostname, HttpUrl, OidcIssuerUrl, PublicHostname, strict } from "../../domain/validation.js"

/** Platform-wide settings; brands default their NS hostnames and hostmaster from here. */
export class PlatformConfig extends Schema.Class<PlatformConfig>("PlatformConfig")({
  base_domain: Schema.NullOr(Hostname),
  ns_hostnames: Schema.Array(Hostname).pipe(Schema.maxItems(13)),
  hostmaster: Schema.NullOr(Email),
  oidc_issuer: Schema.NullOr(HttpUrl),
  audit_retention_days: Schema.Int.pipe(Schema.between(1, 3650)),
}) {}

/**
 * Body of PUT /platform/config: the fields to change. Names and the issuer are checked as a
 * caller's input; the stored document is read back with the plain syntax checks above, so one
 * written under older rules still loads.
 */
export const UpdatePlatformConfig = strict(
  Schema.Struct({
    base_domain: Schema.optional(Schema.NullOr(PublicHostname)),
    ns_hostnames: Schema.optional(Schema.Array(PublicHostname).pipe(Schema.maxItems(13))),
    hostmaster: Schema.optional(Schema.NullOr(Email)),
    oidc_issuer: Schema.optional(Schema.NullOr(OidcIssuerUrl)),
    audit_retention_days: Schema.optional(Schema.Int.pipe(Schema.between(1, 3650))),
  }),
)

/** Settings before anyone changed them. */
export const DEFAULT_PLATFORM_CONFIG: PlatformConfig = PlatformConfig.make({
  base_domain: null,
  ns_hostnames: [],
  hostmaster: null,
  oidc_issuer: null,
  audit_retention_days: 90,
})
