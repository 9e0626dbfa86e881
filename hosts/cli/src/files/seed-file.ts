// The shape of a `hostctl seed` file; values are validated again by the API.
import { Schema } from "effect"

/** Kinds a seed file may name, in the order they are created. */
export const SEEDED = ["brands", "tenants"] as const
/**
 * Kinds the platform does not offer yet: refused by name rather than skipped, so a seed never
 * silently does less than it says.
 */
export const NOT_YET = ["zones", "databases", "valkey", "s3", "email", "mailboxes"] as const

/** A seed file. */
export const SeedFile = Schema.Struct({
  brands: Schema.optional(
    Schema.Array(
      Schema.Struct({
        name: Schema.String,
        ns_hostnames: Schema.optional(Schema.Array(Schema.String)),
        hostmaster: Schema.optional(Schema.String),
        clusters: Schema.optional(Schema.Array(Schema.String).annotations({ description: "region/cluster names" })),
      }),
    ),
  ),
  // Tenants have generated names; a seeded tenant is known by its brand and display name, a
  // webroot by its FQDNs (a name is bound once platform-wide), a key by its label.
  tenants: Schema.optional(
    Schema.Array(
      Schema.Struct({
        brand: Schema.String,
        display_name: Schema.String,
        cluster: Schema.optional(Schema.String),
        webroots: Schema.optional(
          Schema.Array(
            Schema.Struct({
              runtime: Schema.String,
              runtime_version: Schema.optional(Schema.String),
              entrypoint: Schema.optional(Schema.String),
              fqdns: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
            }),
          ),
        ),
        ssh_keys: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String, public_key: Schema.String }))),
      }),
    ),
  ),
})

/** A decoded seed file. */
export type SeedFile = typeof SeedFile.Type
