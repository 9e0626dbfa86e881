import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { type BrandId, type ClusterId, randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, type ListSpec, listPage } from "../../sql/list.js"
import { rowDecoder, textArray } from "../../sql/rows.js"
import type { Principal } from "./domain-api-key.js"
import { Brand, type CreateBrand, type UpdateBrand } from "./domain-brand.js"
import { allowTestDomains, Platform, refuseTestDomains } from "./service-platform.js"

const spec: ListSpec = {
  from: "brands t",
  select: "t.*",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
}

const duplicate = () => new Conflict({ message: "a brand with this name already exists" })

/** Brands: the resellers' isolation boundary. Reads are filtered to the caller's brands. */
export class Brands extends Effect.Service<Brands>()("@hosting/Brands", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const platform = yield* Platform
    const testDomains = yield* allowTestDomains
    const decode = rowDecoder(Brand)

    const list = Effect.fn("Brands.list")(function* (principal: Principal, query: ListQuery) {
      return yield* listPage(sql, spec, query, filters(brandFilter(sql, "t.id", principal)), decode)
    })

    const get = Effect.fn("Brands.get")(function* (principal: Principal, id: BrandId) {
      const scope = brandFilter(sql, "t.id", principal)
      const rows =
        yield* sql`SELECT t.* FROM brands t WHERE t.id = ${id} ${scope ? sql`AND ${scope}` : sql.literal("")}`.pipe(
          Effect.orDie,
        )
      if (rows[0] === undefined) return yield* Effect.fail(notFound("brand", id))
      return yield* decode(rows[0])
    })

    const create = Effect.fn("Brands.create")(function* (input: typeof CreateBrand.Type) {
      yield* refuseTestDomains(testDomains, "ns_hostnames", input.ns_hostnames ?? [])
      const defaults = yield* platform.get()
      const rows = yield* sql`INSERT INTO brands (id, name, ns_hostnames, hostmaster)
        VALUES (${randomUuid()}, ${input.name}, ${textArray(sql, input.ns_hostnames ?? defaults.ns_hostnames)},
          ${input.hostmaster ?? defaults.hostmaster}) RETURNING *`.pipe(onConstraint({ unique: duplicate }))
      return yield* decode(rows[0])
    })

    const update = Effect.fn("Brands.update")(function* (
      principal: Principal,
      id: BrandId,
      patch: typeof UpdateBrand.Type,
    ) {
      const current = yield* get(principal, id)
      yield* refuseTestDomains(testDomains, "ns_hostnames", patch.ns_hostnames ?? [])
      const rows = yield* sql`UPDATE brands SET name = ${patch.name ?? current.name},
          ns_hostnames = ${textArray(sql, patch.ns_hostnames ?? current.ns_hostnames)},
          hostmaster = ${patch.hostmaster === undefined ? current.hostmaster : patch.hostmaster},
          updated_at = now()
        WHERE id = ${id} RETURNING *`.pipe(onConstraint({ unique: duplicate }))
      return yield* decode(rows[0])
    })

    const remove = Effect.fn("Brands.remove")(function* (id: BrandId) {
      const rows = yield* sql`DELETE FROM brands WHERE id = ${id} RETURNING id`.pipe(
        onConstraint({
          foreignKey: () => new Conflict({ message: "the brand still owns resources; delete them first" }),
        }),
      )
      if (rows.length === 0) return yield* Effect.fail(notFound("brand", id))
    })

    const clusters = Effect.fn("Brands.clusters")(function* (principal: Principal, id: BrandId) {
      yield* get(principal, id)
      const rows = yield* sql<{ cluster_id: ClusterId }>`SELECT cluster_id FROM brand_clusters
        WHERE brand_id = ${id} ORDER BY cluster_id`.pipe(Effect.orDie)
      return { cluster_ids: rows.map((r) => r.cluster_id) }
    })

    const setClusters = Effect.fn("Brands.setClusters")(function* (
      principal: Principal,
      id: BrandId,
      clusterIds: ReadonlyArray<ClusterId>,
    ) {
      yield* get(principal, id)
      const unique = [...new Set(clusterIds)]
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`DELETE FROM brand_clusters WHERE brand_id = ${id}`
            for (const clusterId of unique) {
              yield* sql`INSERT INTO brand_clusters (brand_id, cluster_id) VALUES (${id}, ${clusterId})`
            }
          }),
        )
        .pipe(
          onConstraint({
            foreignKey: () => new InvalidInput({ message: "cluster_ids names a cluster that does not exist" }),
          }),
        )
      return { cluster_ids: unique.sort() }
    })

    return { list, get, create, update, remove, clusters, setClusters } as const
  }),
  dependencies: [Platform.Default],
}) {}
