// The shape of a `hostctl cluster apply` file; values are validated again by the API.
import { Schema } from "effect"

/** A cluster file: regions with their clusters, LB addresses, shards and nodes. */
export const ClusterFile = Schema.Struct({
  regions: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      runtimes: Schema.optional(
        Schema.Array(Schema.Struct({ runtime: Schema.String, versions: Schema.Array(Schema.String) })),
      ),
      clusters: Schema.optional(
        Schema.Array(
          Schema.Struct({
            name: Schema.String,
            lb_addresses: Schema.optional(Schema.Array(Schema.String)),
            shards: Schema.optional(
              Schema.Array(
                Schema.Struct({
                  name: Schema.String,
                  role: Schema.String,
                  config: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
                }),
              ),
            ),
            nodes: Schema.optional(
              Schema.Array(
                Schema.Struct({
                  id: Schema.optional(Schema.String),
                  hostname: Schema.String,
                  addresses: Schema.optional(Schema.Array(Schema.String)),
                  shards: Schema.optional(Schema.Array(Schema.String)),
                }),
              ),
            ),
          }),
        ),
      ),
    }),
  ),
})

/** A decoded cluster file. */
export type ClusterFile = typeof ClusterFile.Type
