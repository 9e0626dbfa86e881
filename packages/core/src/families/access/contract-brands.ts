import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { idPath } from "../../api/endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError } from "../../api/errors.js"
import { resource } from "../../api/resource.js"
import { Authorization, Destructive, PlatformOnly, RequiredScope, ToolDomain } from "../../api/security.js"
import { BrandId } from "../../domain/ids.js"
import { Brand, BrandClusters, CreateBrand, UpdateBrand } from "./domain-brand.js"

const brand = resource({
  name: "brand",
  scope: "brands",
  schema: Brand,
  collection: "/brands",
  path: "/brands/:id",
  id: BrandId,
})

/** Brands. Brand keys see and edit only their own; creating and deleting is for platform admins. */
export class BrandsGroup extends HttpApiGroup.make("brands")
  .annotate(ToolDomain, "platform")
  .add(brand.list({ summary: "List brands", sort: ["name", "created_at"] }))
  .add(
    brand
      .create({ summary: "Create a brand", payload: CreateBrand, errors: [ConflictError, InvalidInputError] })
      .annotate(PlatformOnly, true),
  )
  .add(brand.get())
  .add(
    brand.update({
      summary: "Update a brand",
      payload: UpdateBrand,
      errors: [NotFoundError, ConflictError, InvalidInputError],
    }),
  )
  .add(brand.delete({ summary: "Delete a brand", errors: [NotFoundError, ConflictError] }).annotate(PlatformOnly, true))
  .add(
    HttpApiEndpoint.get("getClusters", "/brands/:id/clusters")
      .annotate(OpenApi.Summary, "Clusters a brand may place tenants on")
      .setPath(idPath(BrandId))
      .addSuccess(BrandClusters)
      .addError(NotFoundError)
      .annotate(RequiredScope, brand.read),
  )
  .add(
    HttpApiEndpoint.put("setClusters", "/brands/:id/clusters")
      .annotate(OpenApi.Summary, "Replace the clusters a brand may place tenants on")
      .setPath(idPath(BrandId))
      .setPayload(BrandClusters)
      .addSuccess(BrandClusters)
      .addError(NotFoundError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, brand.write)
      .annotate(PlatformOnly, true)
      .annotate(Destructive, true),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}
