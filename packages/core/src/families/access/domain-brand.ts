import { Schema } from "effect"
import { BrandId, ClusterId } from "../../domain/ids.js"
import { DisplayName, Email, Hostname, PublicHostname, strict } from "../../domain/validation.js"

/** A brand: a reseller or hosting company, the isolation boundary of everything it owns. */
export class Brand extends Schema.Class<Brand>("Brand")({
  id: BrandId,
  name: DisplayName,
  ns_hostnames: Schema.Array(Hostname),
  hostmaster: Schema.NullOr(Email),
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /brands; NS hostnames and hostmaster default from the platform config. */
export const CreateBrand = strict(
  Schema.Struct({
    name: DisplayName,
    ns_hostnames: Schema.optional(Schema.Array(PublicHostname).pipe(Schema.minItems(1), Schema.maxItems(13))),
    hostmaster: Schema.optional(Email),
  }),
)

/** Body of PUT /brands/{id}. */
export const UpdateBrand = strict(
  Schema.Struct({
    name: Schema.optional(DisplayName),
    ns_hostnames: Schema.optional(Schema.Array(PublicHostname).pipe(Schema.minItems(1), Schema.maxItems(13))),
    hostmaster: Schema.optional(Schema.NullOr(Email)),
  }),
)

/** Which clusters a brand may place tenants on. */
export const BrandClusters = strict(
  Schema.Struct({
    cluster_ids: Schema.Array(ClusterId).pipe(Schema.maxItems(1000)),
  }),
)
