import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { ClusterId, LbAddressId, RegionId } from "../domain/ids.js"
import {
  Cluster,
  ClusterInput,
  LbAddress,
  LbAddressInput,
  Region,
  RegionInput,
  RegionRuntimes,
} from "../domain/topology.js"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { ConflictError, NotFoundError } from "./errors.js"
import { Authorization, Destructive, PlatformOnly, RequiredScope } from "./security.js"

const regionPath = idPath(RegionId)
const clusterPath = idPath(ClusterId)

/** Regions and the runtimes they offer (platform admins only). */
export class RegionsGroup extends HttpApiGroup.make("regions")
  .add(
    listEndpoint("list", "/regions", Region, {
      summary: "List regions",
      scope: "regions:read",
      sort: ["name", "created_at"],
    }),
  )
  .add(
    HttpApiEndpoint.post("create", "/regions")
      .annotate(OpenApi.Summary, "Create a region")
      .setPayload(RegionInput)
      .addSuccess(Region, { status: 201 })
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/regions/:id")
      .annotate(OpenApi.Summary, "Read a region")
      .setPath(regionPath)
      .addSuccess(Region)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/regions/:id")
      .annotate(OpenApi.Summary, "Rename a region")
      .setPath(regionPath)
      .setPayload(RegionInput)
      .addSuccess(Region)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/regions/:id")
      .annotate(OpenApi.Summary, "Delete a region (it must have no clusters)")
      .setPath(regionPath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.get("getRuntimes", "/regions/:id/runtimes")
      .annotate(OpenApi.Summary, "Runtimes and versions a region offers")
      .setPath(regionPath)
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:read"),
  )
  .add(
    HttpApiEndpoint.put("setRuntimes", "/regions/:id/runtimes")
      .annotate(OpenApi.Summary, "Replace the runtimes and versions a region offers")
      .setPath(regionPath)
      .setPayload(RegionRuntimes)
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:write")
      .annotate(Destructive, true),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Clusters of a region (platform admins only). */
export class ClustersGroup extends HttpApiGroup.make("clusters")
  .add(
    listEndpoint("list", "/regions/:id/clusters", Cluster, {
      summary: "List the clusters of a region",
      scope: "clusters:read",
      sort: ["name", "created_at"],
    })
      .setPath(regionPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/regions/:id/clusters")
      .annotate(OpenApi.Summary, "Create a cluster in a region")
      .setPath(regionPath)
      .setPayload(ClusterInput)
      .addSuccess(Cluster, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "clusters:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/clusters/:id")
      .annotate(OpenApi.Summary, "Read a cluster")
      .setPath(clusterPath)
      .addSuccess(Cluster)
      .addError(NotFoundError)
      .annotate(RequiredScope, "clusters:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/clusters/:id")
      .annotate(OpenApi.Summary, "Rename a cluster")
      .setPath(clusterPath)
      .setPayload(ClusterInput)
      .addSuccess(Cluster)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "clusters:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/clusters/:id")
      .annotate(OpenApi.Summary, "Delete a cluster (it must have no shards or nodes)")
      .setPath(clusterPath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "clusters:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Load-balancer addresses of a cluster (platform admins only). */
export class LbAddressesGroup extends HttpApiGroup.make("lbAddresses")
  .add(
    listEndpoint("list", "/clusters/:id/lb-addresses", LbAddress, {
      summary: "List a cluster's load-balancer addresses",
      scope: "lb-addresses:read",
      sort: ["address", "created_at"],
    })
      .setPath(clusterPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/clusters/:id/lb-addresses")
      .annotate(OpenApi.Summary, "Add a load-balancer address to a cluster")
      .setPath(clusterPath)
      .setPayload(LbAddressInput)
      .addSuccess(LbAddress, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "lb-addresses:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/lb-addresses/:id")
      .annotate(OpenApi.Summary, "Read a load-balancer address")
      .setPath(idPath(LbAddressId))
      .addSuccess(LbAddress)
      .addError(NotFoundError)
      .annotate(RequiredScope, "lb-addresses:read"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/lb-addresses/:id")
      .annotate(OpenApi.Summary, "Remove a load-balancer address")
      .setPath(idPath(LbAddressId))
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .annotate(RequiredScope, "lb-addresses:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
