import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
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
      scope: "shards:read",
      sort: ["name", "created_at"],
      withStatus: true,
    })
      .setPath(idPath(ClusterId))
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/clusters/:id/shards")
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
      .setPath(shardPath)
      .addSuccess(Shard)
      .addError(NotFoundError)
      .annotate(RequiredScope, "shards:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/shards/:id")
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
      .setPath(shardPath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .addError(ConflictError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.post("converge", "/shards/:id/converge")
      .setPath(shardPath)
      .setPayload(ConvergeShardRequest)
      .addSuccess(ConvergeShardResult, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "shards:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/shards/:id/retry")
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
