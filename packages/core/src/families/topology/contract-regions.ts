import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { idPath } from "../../api/endpoints.js"
import { ConflictError, NotFoundError } from "../../api/errors.js"
import { childResource, resource } from "../../api/resource.js"
import { Authorization, Destructive, PlatformOnly, RequiredScope, ToolDomain } from "../../api/security.js"
import { ClusterId, LbAddressId, RegionId } from "../../domain/ids.js"
import { Cluster, ClusterInput, LbAddress, LbAddressInput, Region, RegionInput, RegionRuntimes } from "./domain.js"

const region = resource({
  name: "region",
  scope: "regions",
  schema: Region,
  collection: "/regions",
  path: "/regions/:id",
  id: RegionId,
})

const cluster = childResource({
  name: "cluster",
  scope: "clusters",
  schema: Cluster,
  collection: "/regions/:id/clusters",
  parent: RegionId,
  path: "/clusters/:id",
  id: ClusterId,
})

const lbAddress = childResource({
  name: "load-balancer address",
  scope: "lb-addresses",
  schema: LbAddress,
  collection: "/clusters/:id/lb-addresses",
  parent: ClusterId,
  path: "/lb-addresses/:id",
  id: LbAddressId,
})

/** Regions and the runtimes they offer (platform admins only). */
export class RegionsGroup extends HttpApiGroup.make("regions")
  .annotate(ToolDomain, "infrastructure")
  .add(region.list({ summary: "List regions", sort: ["name", "created_at"] }))
  .add(region.create({ summary: "Create a region", payload: RegionInput, errors: [ConflictError] }))
  .add(region.get())
  .add(region.update({ summary: "Rename a region", payload: RegionInput, errors: [NotFoundError, ConflictError] }))
  .add(region.delete({ summary: "Delete a region (it must have no clusters)", errors: [NotFoundError, ConflictError] }))
  .add(
    HttpApiEndpoint.get("getRuntimes", "/regions/:id/runtimes")
      .annotate(OpenApi.Summary, "Runtimes and versions a region offers")
      .setPath(idPath(RegionId))
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, region.read),
  )
  .add(
    HttpApiEndpoint.put("setRuntimes", "/regions/:id/runtimes")
      .annotate(OpenApi.Summary, "Replace the runtimes and versions a region offers")
      .setPath(idPath(RegionId))
      .setPayload(RegionRuntimes)
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, region.write)
      .annotate(Destructive, true),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Clusters of a region (platform admins only). */
export class ClustersGroup extends HttpApiGroup.make("clusters")
  .annotate(ToolDomain, "infrastructure")
  .add(cluster.list({ summary: "List the clusters of a region", sort: ["name", "created_at"] }))
  .add(
    cluster.create({
      summary: "Create a cluster in a region",
      payload: ClusterInput,
      errors: [NotFoundError, ConflictError],
    }),
  )
  .add(cluster.get())
  .add(cluster.update({ summary: "Rename a cluster", payload: ClusterInput, errors: [NotFoundError, ConflictError] }))
  .add(
    cluster.delete({
      summary: "Delete a cluster (it must have no shards or nodes)",
      errors: [NotFoundError, ConflictError],
    }),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Load-balancer addresses of a cluster (platform admins only). */
export class LbAddressesGroup extends HttpApiGroup.make("lbAddresses")
  .annotate(ToolDomain, "infrastructure")
  .add(lbAddress.list({ summary: "List a cluster's load-balancer addresses", sort: ["address", "created_at"] }))
  .add(
    lbAddress.create({
      summary: "Add a load-balancer address to a cluster",
      payload: LbAddressInput,
      errors: [NotFoundError, ConflictError],
    }),
  )
  .add(lbAddress.get())
  .add(lbAddress.delete({ summary: "Remove a load-balancer address", errors: [NotFoundError] }))
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
