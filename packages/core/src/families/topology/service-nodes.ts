import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { type ClusterId, type NodeId, randomUuid, type ShardId } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { getById, type ListSpec, listChildren } from "../../sql/list.js"
import { rowDecoder, textArray } from "../../sql/rows.js"
import { type CreateNode, Node, type UpdateNode } from "./domain.js"

const select = `t.id, t.cluster_id, t.hostname, t.addresses, t.created_at, t.updated_at, 'node-' || t.id AS task_queue,
  ARRAY(SELECT ns.shard_id::text FROM node_shards ns WHERE ns.node_id = t.id ORDER BY 1) AS shard_ids,
  ARRAY(SELECT DISTINCT s.role FROM node_shards ns JOIN shards s ON s.id = ns.shard_id WHERE ns.node_id = t.id ORDER BY 1) AS roles`

const spec: ListSpec = {
  from: "nodes t",
  select,
  sortColumns: { hostname: "t.hostname", created_at: "t.created_at" },
  defaultSort: "hostname",
  searchColumns: ["t.hostname"],
}

/** Nodes: machines running the agent, members of one or more shards of their cluster. */
export class Nodes extends Effect.Service<Nodes>()("@hosting/Nodes", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(Node)

    /**
     * A node joining, leaving or moving between shards, or changing addresses, changes the
     * backends of its cluster's LBs (or adds an LB node that needs every route) and the addresses
     * tenants' service hostnames point at (best effort, see Reactions).
     */
    const topologyChanged = (clusterId: string) => reactions.changed({ kind: "node.changed", clusterId })

    const get = Effect.fn("Nodes.get")(function* (id: NodeId) {
      return yield* getById(sql, spec, id, "node", decode)
    })

    const list = (clusterId: ClusterId, query: ListQuery) =>
      listChildren(
        sql,
        spec,
        query,
        { table: "clusters", column: "cluster_id", id: clusterId, what: "cluster" },
        decode,
      )

    // A node may only join shards of its own cluster.
    const setShards = (nodeId: string, clusterId: string, shardIds: ReadonlyArray<ShardId>) =>
      Effect.gen(function* () {
        const unique = [...new Set(shardIds)]
        const found = yield* sql<{ id: string }>`SELECT id FROM shards
          WHERE cluster_id = ${clusterId} AND id::text = ANY(${textArray(sql, unique)})`
        if (found.length !== unique.length) {
          return yield* Effect.fail(new InvalidInput({ message: "shard_ids must name shards of the node's cluster" }))
        }
        yield* sql`DELETE FROM node_shards WHERE node_id = ${nodeId}`
        for (const shardId of unique)
          yield* sql`INSERT INTO node_shards (node_id, shard_id) VALUES (${nodeId}, ${shardId})`
      })

    const create = Effect.fn("Nodes.create")(function* (clusterId: ClusterId, input: typeof CreateNode.Type) {
      const id = input.id ?? randomUuid()
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO nodes (id, cluster_id, hostname, addresses)
              VALUES (${id}, ${clusterId}, ${input.hostname}, ${textArray(sql, input.addresses ?? [])})`
            yield* setShards(id, clusterId, input.shard_ids ?? [])
          }),
        )
        .pipe(
          onConstraint({
            unique: () => new Conflict({ message: `a node with id ${id} already exists` }),
            foreignKey: () => notFound("cluster", clusterId),
          }),
        )
      yield* topologyChanged(clusterId)
      return yield* get(id as NodeId)
    })

    const update = Effect.fn("Nodes.update")(function* (id: NodeId, patch: typeof UpdateNode.Type) {
      const current = yield* get(id)
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`UPDATE nodes SET hostname = ${patch.hostname ?? current.hostname},
              addresses = ${textArray(sql, patch.addresses ?? current.addresses)}, updated_at = now() WHERE id = ${id}`
            if (patch.shard_ids !== undefined) yield* setShards(id, current.cluster_id, patch.shard_ids)
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      yield* topologyChanged(current.cluster_id)
      return yield* get(id)
    })

    const remove = Effect.fn("Nodes.remove")(function* (id: NodeId) {
      const rows = yield* sql<{ cluster_id: string }>`DELETE FROM nodes WHERE id = ${id}
        RETURNING cluster_id::text`.pipe(Effect.orDie)
      if (rows[0] === undefined) return yield* Effect.fail(notFound("node", id))
      yield* topologyChanged(rows[0].cluster_id)
    })

    return { list, get, create, update, remove } as const
  }),
  dependencies: [Reactions.Default],
}) {}
