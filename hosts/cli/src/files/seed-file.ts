// The shape of a `hostctl seed` file; values are validated again by the API.
import { Schema } from "effect"

/** Kinds a seed file may name, in the order they are created. */
export const SEEDED = ["brands", "tenants", "zones"] as const
/**
 * Kinds the platform does not offer yet: refused by name rather than skipped, so a seed never
 * silently does less than it says.
 */
export const NOT_YET = ["databases", "valkey", "s3", "email", "mailboxes"] as const

/** A seed file. Tenants are known by brand and display name, zones by name, records by type, name and data. */
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
  zones: Schema.optional(
    Schema.Array(
      Schema.Struct({
        name: Schema.String,
        brand: Schema.String,
        tenant: Schema.optional(Schema.String).annotations({ description: "display name of a tenant of the brand" }),
        // a record as POST /zones/{id}/records takes it: type, name, optional ttl and the type's fields
        records: Schema.optional(
          Schema.Array(
            Schema.Struct(
              { type: Schema.String, name: Schema.String },
              Schema.Record({ key: Schema.String, value: Schema.Unknown }),
            ),
          ),
        ),
      }),
    ),
  ),
})

/** A decoded seed file. */
export type SeedFile = typeof SeedFile.Type
