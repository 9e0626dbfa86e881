import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { LbTarget } from "../../activities/index.js"
import { lbSerializer, makeSerializerRequest } from "../../lifecycle/serializers.js"
import { ShardConfigByRole } from "../topology/domain.js"
import { DEFAULT_WEB_PORT, type LbClusterFacts, type LbSpec, planLbSpec } from "./plan.js"

interface LbShardRow {
  readonly id: string
  readonly cluster_id: string
  readonly config: unknown
  readonly node_ids: ReadonlyArray<string>
}

const decodeLbConfig = Schema.decodeUnknownOption(ShardConfigByRole.lb)

/** Clusters a tenant's names are routed in: its shard's, and its migration target's. */
export const tenantClusters = (sql: SqlClient, tenantId: string) =>
  sql<{ cluster_id: string }>`SELECT DISTINCT s.cluster_id::text AS cluster_id FROM tenants t
    JOIN shards s ON s.id = t.shard_id OR s.id = t.migrate_to WHERE t.id = ${tenantId}`.pipe(
    Effect.orDie,
    Effect.map((rows) => rows.map((r) => r.cluster_id)),
  )

/**
 * The load balancers' side of the control plane. Routes (`fqdn → web shard backend`) live in
 * the database; one serializer per cluster (`cluster:{id}:lb-sync`, signal-with-start, like a
 * tenant's sync) reads the cluster's whole desired mapping each round and has every LB node
 * apply it through HAProxy's runtime API. What asks it is declared in lifecycle/reactions.ts.
 */
export class LbSync extends Effect.Service<LbSync>()("@hosting/LbSync", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const requestSerializer = yield* makeSerializerRequest

    /** Hands a cluster's routes to its LB serializer; a cluster without an lb shard has nothing to sync. */
    const request = Effect.fn("LbSync.request")(function* (clusterId: string) {
      const lbs = yield* sql`SELECT 1 FROM shards WHERE cluster_id = ${clusterId} AND role = 'lb' LIMIT 1`.pipe(
        Effect.orDie,
      )
      if (lbs.length === 0) return
      yield* requestSerializer(lbSerializer, clusterId)
    })

    /** Asks the LB sync of every cluster a tenant's names are routed in. */
    const requestForTenant = (tenantId: string) =>
      Effect.flatMap(tenantClusters(sql, tenantId), (ids) => Effect.forEach(ids, request, { discard: true }))

    /** Asks the LB sync of a shard's cluster. */
    const requestForShard = (shardId: string) =>
      sql<{ cluster_id: string }>`SELECT cluster_id::text AS cluster_id FROM shards WHERE id = ${shardId}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) => Effect.forEach(rows, (r) => request(r.cluster_id), { discard: true })),
        // asked from a worker: an unreachable engine is transient, Temporal retries the activity
        Effect.orDie,
      )

    const facts = (clusterId: string) =>
      Effect.gen(function* () {
        const nodes = yield* sql<{
          shard_id: string
          node_id: string | null
          addresses: ReadonlyArray<string> | null
        }>`SELECT s.id::text AS shard_id, n.id::text AS node_id, n.addresses FROM shards s
          LEFT JOIN node_shards ns ON ns.shard_id = s.id LEFT JOIN nodes n ON n.id = ns.node_id
          WHERE s.cluster_id = ${clusterId} AND s.role = 'web' ORDER BY 1, 2`
        // names being unbound (and those of tenants being deleted) stop routing at once
        const routes = yield* sql<{
          hostname: string
          shard_id: string
        }>`SELECT f.hostname, t.shard_id::text AS shard_id
          FROM fqdns f JOIN tenants t ON t.id = f.tenant_id JOIN shards s ON s.id = t.shard_id
          WHERE s.cluster_id = ${clusterId} AND f.status <> 'deleting' AND t.status <> 'deleting'`
        const shards = new Map<string, Array<{ nodeId: string; addresses: ReadonlyArray<string> }>>()
        for (const r of nodes) {
          const list = shards.get(r.shard_id) ?? []
          if (r.node_id !== null) list.push({ nodeId: r.node_id, addresses: r.addresses ?? [] })
          shards.set(r.shard_id, list)
        }
        const result: LbClusterFacts = {
          webShards: [...shards].map(([shardId, ns]) => ({ shardId, nodes: ns })),
          routes: routes.map((r) => ({ hostname: r.hostname, shardId: r.shard_id })),
        }
        return result
      })

    const specFor = (shard: LbShardRow, f: LbClusterFacts): LbSpec => {
      const config = decodeLbConfig(shard.config ?? {})
      const port = config._tag === "Some" ? (config.value.web_port ?? DEFAULT_WEB_PORT) : DEFAULT_WEB_PORT
      return planLbSpec(f, port)
    }

    const lbShards = (where: { readonly clusterId: string } | { readonly shardId: string }) =>
      sql<LbShardRow>`SELECT s.id::text AS id, s.cluster_id::text AS cluster_id, s.config,
        ARRAY(SELECT ns.node_id::text FROM node_shards ns WHERE ns.shard_id = s.id ORDER BY 1) AS node_ids
        FROM shards s WHERE s.role = 'lb' AND ${
          "clusterId" in where ? sql`s.cluster_id = ${where.clusterId}` : sql`s.id = ${where.shardId}`
        } ORDER BY s.id`

    /** Every lb shard of a cluster with its nodes and the spec they must serve. */
    const clusterTargets = (clusterId: string) =>
      Effect.gen(function* () {
        const shards = yield* lbShards({ clusterId })
        if (shards.length === 0) return []
        const f = yield* facts(clusterId)
        return shards.map((s): LbTarget => ({ shardId: s.id, nodeIds: s.node_ids, spec: specFor(s, f) }))
      }).pipe(Effect.orDie)

    /** The spec of one lb shard (no backends when the shard is gone or is not an lb shard). */
    const shardSpec = (shardId: string) =>
      Effect.gen(function* () {
        const [shard] = yield* lbShards({ shardId })
        if (shard === undefined) return { backends: [] } satisfies LbSpec
        return specFor(shard, yield* facts(shard.cluster_id))
      }).pipe(Effect.orDie)

    return {
      request,
      requestForTenant,
      requestForShard,
      clusterTargets,
      shardSpec,
    } as const
  }),
}) {}
