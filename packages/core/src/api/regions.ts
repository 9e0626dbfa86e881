import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
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
import { Authorization, PlatformOnly, RequiredScope } from "./security.js"

const regionPath = idPath(RegionId)
const clusterPath = idPath(ClusterId)

/** Regions and the runtimes they offer (platform admins only). */
export class RegionsGroup extends HttpApiGroup.make("regions")
  .add(listEndpoint("list", "/regions", Region, { scope: "regions:read", sort: ["name", "created_at"] }))
  .add(
    HttpApiEndpoint.post("create", "/regions")
      .setPayload(RegionInput)
      .addSuccess(Region, { status: 201 })
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/regions/:id")
      .setPath(regionPath)
      .addSuccess(Region)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/regions/:id")
      .setPath(regionPath)
      .setPayload(RegionInput)
      .addSuccess(Region)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/regions/:id")
      .setPath(regionPath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "regions:write"),
  )
  .add(
    HttpApiEndpoint.get("getRuntimes", "/regions/:id/runtimes")
      .setPath(regionPath)
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:read"),
  )
  .add(
    HttpApiEndpoint.put("setRuntimes", "/regions/:id/runtimes")
      .setPath(regionPath)
      .setPayload(RegionRuntimes)
      .addSuccess(RegionRuntimes)
      .addError(NotFoundError)
      .annotate(RequiredScope, "regions:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Clusters of a region (platform admins only). */
export class ClustersGroup extends HttpApiGroup.make("clusters")
  .add(
    listEndpoint("list", "/regions/:id/clusters", Cluster, { scope: "clusters:read", sort: ["name", "created_at"] })
      .setPath(regionPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/regions/:id/clusters")
      .setPath(regionPath)
      .setPayload(ClusterInput)
      .addSuccess(Cluster, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "clusters:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/clusters/:id")
      .setPath(clusterPath)
      .addSuccess(Cluster)
      .addError(NotFoundError)
      .annotate(RequiredScope, "clusters:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/clusters/:id")
      .setPath(clusterPath)
      .setPayload(ClusterInput)
      .addSuccess(Cluster)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "clusters:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/clusters/:id")
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
      scope: "lb-addresses:read",
      sort: ["address", "created_at"],
    })
      .setPath(clusterPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/clusters/:id/lb-addresses")
      .setPath(clusterPath)
      .setPayload(LbAddressInput)
      .addSuccess(LbAddress, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "lb-addresses:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/lb-addresses/:id")
      .setPath(idPath(LbAddressId))
      .addSuccess(LbAddress)
      .addError(NotFoundError)
      .annotate(RequiredScope, "lb-addresses:read"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/lb-addresses/:id")
      .setPath(idPath(LbAddressId))
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .annotate(RequiredScope, "lb-addresses:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
