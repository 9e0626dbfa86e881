import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, notFound } from "../../domain/errors.js"
import { type ClusterId, type LbAddressId, type RegionId, randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { ipFamily } from "../../domain/validation.js"
import { onConstraint } from "../../sql/constraints.js"
import { getById, type ListSpec, listChildren, listPage } from "../../sql/list.js"
import { rowDecoder, textArray } from "../../sql/rows.js"
import { Cluster, LbAddress, Region, type RegionRuntimes } from "./domain.js"

const regionSpec: ListSpec = {
  from: "regions t",
  select: "t.*",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
}
const clusterSpec: ListSpec = { ...regionSpec, from: "clusters t" }
const lbSpec: ListSpec = {
  from: "lb_addresses t",
  select: "t.*",
  sortColumns: { address: "t.address", created_at: "t.created_at" },
  defaultSort: "address",
  searchColumns: ["t.address"],
}

/** Regions, their runtime offering, clusters and load-balancer addresses (platform resources). */
export class Regions extends Effect.Service<Regions>()("@hosting/Regions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const region = rowDecoder(Region)
    const cluster = rowDecoder(Cluster)
    const lb = rowDecoder(LbAddress)
    const one =
      <A>(decode: (r: unknown) => Effect.Effect<A>, what: string, id: string) =>
      (rows: ReadonlyArray<unknown>) =>
        rows[0] === undefined ? Effect.fail(notFound(what, id)) : decode(rows[0])

    const list = (query: ListQuery) => listPage(sql, regionSpec, query, [], region)
    const get = (id: RegionId) => getById(sql, regionSpec, id, "region", region)
    const create = (name: string) =>
      sql`INSERT INTO regions (id, name) VALUES (${randomUuid()}, ${name}) RETURNING *`.pipe(
        onConstraint({ unique: () => new Conflict({ message: `a region named ${name} already exists` }) }),
        Effect.flatMap((rows) => region(rows[0])),
      )
    const rename = (id: RegionId, name: string) =>
      sql`UPDATE regions SET name = ${name}, updated_at = now() WHERE id = ${id} RETURNING *`.pipe(
        onConstraint({ unique: () => new Conflict({ message: `a region named ${name} already exists` }) }),
        Effect.flatMap(one(region, "region", id)),
      )
    const remove = (id: RegionId) =>
      sql`DELETE FROM regions WHERE id = ${id} RETURNING id`.pipe(
        onConstraint({
          foreignKey: () => new Conflict({ message: "the region still has clusters; delete them first" }),
        }),
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(notFound("region", id)) : Effect.void)),
      )

    const runtimes = (id: RegionId) =>
      get(id).pipe(
        Effect.zipRight(
          sql<{ runtime: string; versions: ReadonlyArray<string> }>`SELECT runtime, versions FROM region_runtimes
            WHERE region_id = ${id} ORDER BY runtime`.pipe(Effect.orDie),
        ),
        Effect.map(
          (rows) =>
            ({
              runtimes: rows.map((r) => ({ runtime: r.runtime, versions: r.versions })),
            }) as typeof RegionRuntimes.Type,
        ),
      )
    const setRuntimes = (id: RegionId, input: typeof RegionRuntimes.Type) =>
      get(id).pipe(
        Effect.zipRight(
          sql
            .withTransaction(
              Effect.gen(function* () {
                yield* sql`DELETE FROM region_runtimes WHERE region_id = ${id}`
                for (const r of input.runtimes) {
                  yield* sql`INSERT INTO region_runtimes (region_id, runtime, versions)
                  VALUES (${id}, ${r.runtime}, ${textArray(sql, [...new Set(r.versions)])})`
                }
              }),
            )
            .pipe(Effect.orDie),
        ),
        Effect.zipRight(runtimes(id)),
      )

    const listClusters = (regionId: RegionId, query: ListQuery) =>
      listChildren(
        sql,
        clusterSpec,
        query,
        { table: "regions", column: "region_id", id: regionId, what: "region" },
        cluster,
      )
    const getCluster = (id: ClusterId) => getById(sql, clusterSpec, id, "cluster", cluster)
    const clusterExists = () => new Conflict({ message: "a cluster with this name already exists in the region" })
    const createCluster = (regionId: RegionId, name: string) =>
      get(regionId).pipe(
        Effect.zipRight(
          sql`INSERT INTO clusters (id, region_id, name) VALUES (${randomUuid()}, ${regionId}, ${name}) RETURNING *`.pipe(
            onConstraint({ unique: clusterExists }),
          ),
        ),
        Effect.flatMap((rows) => cluster(rows[0])),
      )
    const renameCluster = (id: ClusterId, name: string) =>
      sql`UPDATE clusters SET name = ${name}, updated_at = now() WHERE id = ${id} RETURNING *`.pipe(
        onConstraint({ unique: clusterExists }),
        Effect.flatMap(one(cluster, "cluster", id)),
      )
    const removeCluster = (id: ClusterId) =>
      sql`DELETE FROM clusters WHERE id = ${id} RETURNING id`.pipe(
        onConstraint({
          foreignKey: () => new Conflict({ message: "the cluster still has shards or nodes; delete them first" }),
        }),
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(notFound("cluster", id)) : Effect.void)),
      )

    const listLbAddresses = (clusterId: ClusterId, query: ListQuery) =>
      listChildren(sql, lbSpec, query, { table: "clusters", column: "cluster_id", id: clusterId, what: "cluster" }, lb)
    const getLbAddress = (id: LbAddressId) => getById(sql, lbSpec, id, "lb address", lb)
    const createLbAddress = (clusterId: ClusterId, address: string) =>
      getCluster(clusterId).pipe(
        Effect.zipRight(
          sql`INSERT INTO lb_addresses (id, cluster_id, address, family)
            VALUES (${randomUuid()}, ${clusterId}, ${address.toLowerCase()}, ${ipFamily(address) ?? 4}) RETURNING *`.pipe(
            onConstraint({
              unique: () => new Conflict({ message: `${address} is already an address of this cluster` }),
            }),
          ),
        ),
        Effect.flatMap((rows) => lb(rows[0])),
      )
    const removeLbAddress = (id: LbAddressId) =>
      sql`DELETE FROM lb_addresses WHERE id = ${id} RETURNING id`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(notFound("lb address", id)) : Effect.void)),
      )

    return {
      list,
      get,
      create,
      rename,
      remove,
      runtimes,
      setRuntimes,
      listClusters,
      getCluster,
      createCluster,
      renameCluster,
      removeCluster,
      listLbAddresses,
      getLbAddress,
      createLbAddress,
      removeLbAddress,
    } as const
  }),
}) {}
