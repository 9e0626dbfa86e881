import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { ClusterId, ShardId } from "../domain/ids.js"
import { ConvergeShardRequest, ConvergeShardResult, CreateShard, Shard, UpdateShard } from "../domain/topology.js"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { Authorization, PlatformOnly, RequiredScope } from "./security.js"

const shardPath = idPath(ShardId)

/** Shards of a cluster, with convergence (platform admins only). */
export class ShardsGroup extends HttpApiGroup.make("shards")
  .add(
    listEndpoint("list", "/clusters/:id/shards", Shard, {
      summary: "List the shards of a cluster",
      scope: "shards:read",
      sort: ["name", "created_at"],
      withStatus: true,
    })
      .setPath(idPath(ClusterId))
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/clusters/:id/shards")
      .annotate(OpenApi.Summary, "Create a shard in a cluster")
      .setPath(idPath(ClusterId))
      .setPayload(CreateShard)
      .addSuccess(Shard, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/shards/:id")
      .annotate(OpenApi.Summary, "Read a shard")
      .setPath(shardPath)
      .addSuccess(Shard)
      .addError(NotFoundError)
      .annotate(RequiredScope, "shards:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/shards/:id")
      .annotate(OpenApi.Summary, "Rename a shard or change its role settings")
      .setPath(shardPath)
      .setPayload(UpdateShard)
      .addSuccess(Shard)
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/shards/:id")
      .annotate(OpenApi.Summary, "Delete a shard (it must have no nodes)")
      .setPath(shardPath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.post("converge", "/shards/:id/converge")
      .annotate(OpenApi.Summary, "Converge a shard's nodes (async, 202), or with plan: true report the changes")
      .setPath(shardPath)
      .setPayload(ConvergeShardRequest)
      .addSuccess(ConvergeShardResult, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/shards/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed shard's last operation (async, 202)")
      .setPath(shardPath)
      .addSuccess(Shard, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "shards:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
