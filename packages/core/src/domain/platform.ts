import { Schema } from "effect"
import { Email, Hostname, HttpUrl, strict } from "./validation.js"

/** Platform-wide settings; brands default their NS hostnames and hostmaster from here. */
export class PlatformConfig extends Schema.Class<PlatformConfig>("PlatformConfig")({
  base_domain: Schema.NullOr(Hostname),
  ns_hostnames: Schema.Array(Hostname).pipe(Schema.maxItems(13)),
  hostmaster: Schema.NullOr(Email),
  oidc_issuer: Schema.NullOr(HttpUrl),
  audit_retention_days: Schema.Int.pipe(Schema.between(1, 3650)),
}) {}

/** Body of PUT /platform/config: the whole document. */
export const UpdatePlatformConfig = strict(
  Schema.Struct({
    base_domain: Schema.optional(Schema.NullOr(Hostname)),
    ns_hostnames: Schema.optional(Schema.Array(Hostname).pipe(Schema.maxItems(13))),
    hostmaster: Schema.optional(Schema.NullOr(Email)),
    oidc_issuer: Schema.optional(Schema.NullOr(HttpUrl)),
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
