import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { NodeId } from "../../domain/ids.js"
import { randomUuid } from "../../domain/ids.js"
import { textArray } from "../../sql/rows.js"

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
     * only what is missing, so every start of `npm run dev` and every test can call it; returns
     * the node's cluster.
     */
    const ensureLocalNode = Effect.fn("TopologyRepo.ensureLocalNode")(
      function* (n: {
        readonly nodeId: NodeId
        readonly hostname: string
        readonly region: string
        readonly cluster: string
        readonly roles: ReadonlyArray<string>
        /** The node's addresses (an LB sends its web traffic there); kept as they are when empty. */
        readonly addresses?: ReadonlyArray<string>
        /** Config of each role's shard when it is first created (an lb shard's `web_port`). */
        readonly shardConfig?: Readonly<Record<string, Record<string, unknown>>>
      }) {
        yield* sql`INSERT INTO regions (id, name) VALUES (${randomUuid()}, ${n.region}) ON CONFLICT (name) DO NOTHING`
        const [region] = yield* sql<{ id: string }>`SELECT id FROM regions WHERE name = ${n.region}`
        yield* sql`INSERT INTO clusters (id, region_id, name) VALUES (${randomUuid()}, ${region!.id}, ${n.cluster})
          ON CONFLICT (region_id, name) DO NOTHING`
        const [cluster] = yield* sql<{
          id: string
        }>`SELECT id FROM clusters WHERE region_id = ${region!.id} AND name = ${n.cluster}`
        const addresses = n.addresses ?? []
        yield* sql`INSERT INTO nodes (id, cluster_id, hostname, roles, addresses)
          VALUES (${n.nodeId}, ${cluster!.id}, ${n.hostname}, ${textArray(sql, n.roles)}, ${textArray(sql, addresses)})
          ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, roles = EXCLUDED.roles,
            addresses = CASE WHEN cardinality(EXCLUDED.addresses) > 0 THEN EXCLUDED.addresses ELSE nodes.addresses END,
            updated_at = now()`
        for (const role of n.roles) {
          const shardName = `${n.cluster}-${role}`
          yield* sql`INSERT INTO shards (id, cluster_id, name, role, config)
            VALUES (${randomUuid()}, ${cluster!.id}, ${shardName}, ${role}, ${JSON.stringify(n.shardConfig?.[role] ?? {})}::jsonb)
            ON CONFLICT (cluster_id, name) DO NOTHING`
          yield* sql`INSERT INTO node_shards (node_id, shard_id)
            SELECT ${n.nodeId}, id FROM shards WHERE cluster_id = ${cluster!.id} AND name = ${shardName}
            ON CONFLICT DO NOTHING`
        }
        return { clusterId: cluster!.id }
      },
      (effect) => sql.withTransaction(effect),
      Effect.orDie,
    )

    return { findNode, ensureLocalNode } as const
  }),
}) {}
