import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { NodeId } from "../domain/ids.js"
import { randomUuid } from "../domain/ids.js"
import { textArray } from "./rows.js"

/** A node as the workflows need it: where its agent listens. */
export interface NodeRef {
  readonly id: NodeId
  readonly hostname: string
}

/** Regions, clusters, shards and nodes: the placement tree. */
export class TopologyRepo extends Effect.Service<TopologyRepo>()("@hosting/TopologyRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient

    const findNode = Effect.fn("TopologyRepo.findNode")(function* (id: NodeId) {
      const rows = yield* sql<NodeRef>`SELECT id, hostname FROM nodes WHERE id = ${id}`
      return rows[0]
    }, Effect.orDie)

    /**
     * Registers a single-box node (region → cluster → shard per role → node) by name, creating
     * only what is missing, so every start of `npm run dev` and every test can call it.
     */
    const ensureLocalNode = Effect.fn("TopologyRepo.ensureLocalNode")(
      function* (n: {
        readonly nodeId: NodeId
        readonly hostname: string
        readonly region: string
        readonly cluster: string
        readonly roles: ReadonlyArray<string>
      }) {
        yield* sql`INSERT INTO regions (id, name) VALUES (${randomUuid()}, ${n.region}) ON CONFLICT (name) DO NOTHING`
        const [region] = yield* sql<{ id: string }>`SELECT id FROM regions WHERE name = ${n.region}`
        yield* sql`INSERT INTO clusters (id, region_id, name) VALUES (${randomUuid()}, ${region!.id}, ${n.cluster})
          ON CONFLICT (region_id, name) DO NOTHING`
        const [cluster] = yield* sql<{
          id: string
        }>`SELECT id FROM clusters WHERE region_id = ${region!.id} AND name = ${n.cluster}`
        yield* sql`INSERT INTO nodes (id, cluster_id, hostname, roles)
          VALUES (${n.nodeId}, ${cluster!.id}, ${n.hostname}, ${textArray(sql, n.roles)})
          ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, roles = EXCLUDED.roles, updated_at = now()`
        for (const role of n.roles) {
          const shardName = `${n.cluster}-${role}`
          yield* sql`INSERT INTO shards (id, cluster_id, name, role) VALUES (${randomUuid()}, ${cluster!.id}, ${shardName}, ${role})
            ON CONFLICT (cluster_id, name) DO NOTHING`
          yield* sql`INSERT INTO node_shards (node_id, shard_id)
            SELECT ${n.nodeId}, id FROM shards WHERE cluster_id = ${cluster!.id} AND name = ${shardName}
            ON CONFLICT DO NOTHING`
        }
      },
      (effect) => sql.withTransaction(effect),
      Effect.orDie,
    )

    return { findNode, ensureLocalNode } as const
  }),
}) {}
