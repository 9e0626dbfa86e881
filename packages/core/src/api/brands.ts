import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Brand, BrandClusters, CreateBrand, UpdateBrand } from "../domain/brand.js"
import { BrandId } from "../domain/ids.js"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError } from "./errors.js"
import { Authorization, Destructive, PlatformOnly, RequiredScope } from "./security.js"

const path = idPath(BrandId)

/** Brands. Brand keys see and edit only their own; creating and deleting is for platform admins. */
export class BrandsGroup extends HttpApiGroup.make("brands")
  .add(
    listEndpoint("list", "/brands", Brand, {
      summary: "List brands",
      scope: "brands:read",
      sort: ["name", "created_at"],
    }),
  )
  .add(
    HttpApiEndpoint.post("create", "/brands")
      .annotate(OpenApi.Summary, "Create a brand")
      .setPayload(CreateBrand)
      .addSuccess(Brand, { status: 201 })
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "brands:write")
      .annotate(PlatformOnly, true),
  )
  .add(
    HttpApiEndpoint.get("get", "/brands/:id")
      .annotate(OpenApi.Summary, "Read a brand")
      .setPath(path)
      .addSuccess(Brand)
      .addError(NotFoundError)
      .annotate(RequiredScope, "brands:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/brands/:id")
      .annotate(OpenApi.Summary, "Update a brand")
      .setPath(path)
      .setPayload(UpdateBrand)
      .addSuccess(Brand)
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "brands:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/brands/:id")
      .annotate(OpenApi.Summary, "Delete a brand")
      .setPath(path)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "brands:write")
      .annotate(PlatformOnly, true),
  )
  .add(
    HttpApiEndpoint.get("getClusters", "/brands/:id/clusters")
      .annotate(OpenApi.Summary, "Clusters a brand may place tenants on")
      .setPath(path)
      .addSuccess(BrandClusters)
      .addError(NotFoundError)
      .annotate(RequiredScope, "brands:read"),
  )
  .add(
    HttpApiEndpoint.put("setClusters", "/brands/:id/clusters")
      .annotate(OpenApi.Summary, "Replace the clusters a brand may place tenants on")
      .setPath(path)
      .setPayload(BrandClusters)
      .addSuccess(BrandClusters)
      .addError(NotFoundError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "brands:write")
      .annotate(PlatformOnly, true)
      .annotate(Destructive, true),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}
