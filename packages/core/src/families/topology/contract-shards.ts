import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { idPath } from "../../api/endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "../../api/errors.js"
import { childResource } from "../../api/resource.js"
import { Authorization, Destructive, PlatformOnly, RequiredScope, ToolDomain } from "../../api/security.js"
import { ClusterId, ShardId } from "../../domain/ids.js"
import { FailoverShard, ShardReplication } from "../databases/domain-replication.js"
import { ConvergeShardRequest, ConvergeShardResult, CreateShard, Shard, UpdateShard } from "./domain.js"

const shard = childResource({
  name: "shard",
  scope: "shards",
  schema: Shard,
  collection: "/clusters/:id/shards",
  parent: ClusterId,
  path: "/shards/:id",
  id: ShardId,
})

/** Shards of a cluster, with convergence (platform admins only). */
export class ShardsGroup extends HttpApiGroup.make("shards")
  .annotate(ToolDomain, "infrastructure")
  .add(shard.list({ summary: "List the shards of a cluster", sort: ["name", "created_at"], withStatus: true }))
  .add(
    shard.create({
      summary: "Create a shard in a cluster",
      payload: CreateShard,
      errors: [NotFoundError, ConflictError, InvalidInputError],
    }),
  )
  .add(shard.get())
  .add(
    shard.update({
      summary: "Rename a shard or change its role settings",
      payload: UpdateShard,
      errors: [NotFoundError, ConflictError, InvalidInputError],
    }),
  )
  .add(shard.delete({ summary: "Delete a shard (it must have no nodes)", errors: [NotFoundError, ConflictError] }))
  .add(
    HttpApiEndpoint.post("converge", "/shards/:id/converge")
      .annotate(OpenApi.Summary, "Converge a shard's nodes (async, 202), or with plan: true report the changes")
      .setPath(idPath(ShardId))
      .setPayload(ConvergeShardRequest)
      .addSuccess(ConvergeShardResult, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, shard.write),
  )
  .add(shard.retry("Retry a failed shard's last operation (async, 202)"))
  .add(
    HttpApiEndpoint.get("replication", "/shards/:id/replication")
      .annotate(OpenApi.Summary, "A database shard's replication: each node's role, state, lag and last error")
      .setPath(idPath(ShardId))
      .addSuccess(ShardReplication)
      .addError(NotFoundError)
      .annotate(RequiredScope, shard.read),
  )
  .add(
    HttpApiEndpoint.post("failover", "/shards/:id/failover")
      .annotate(
        OpenApi.Summary,
        "Make a healthy replica the primary of its database shard (async, 202); the other nodes follow it",
      )
      .setPath(idPath(ShardId))
      .setPayload(FailoverShard)
      .addSuccess(Shard, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, shard.write)
      .annotate(Destructive, true),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
