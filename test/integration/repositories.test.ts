// The persistence layer against a real PostgreSQL database: migrations, API keys, topology
// bootstrap, probes.
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { describe, expect, layer } from "@effect/vitest"
import {
  ApiKeysRepo,
  generateApiKeySecret,
  migrations,
  NodeId,
  NodeProbeId,
  NodeProbesRepo,
  Regions,
  randomUuid,
  TopologyRepo,
} from "@hosting/core"
import { Effect, FastCheck as fc, Layer, Option, Redacted, Runtime } from "effect"
import { inject } from "vitest"
import { createTestDatabase } from "../support/postgres.js"

const database = (acquire: () => Promise<{ readonly url: string; stop(): Promise<void> }>) => {
  const Pg = Layer.unwrapScoped(
    Effect.acquireRelease(Effect.promise(acquire), (db) => Effect.promise(() => db.stop())).pipe(
      Effect.map((db) => PgClient.layer({ url: Redacted.make(db.url), maxConnections: 2 })),
    ),
  )
  const Migrated = PgMigrator.layer({ loader: migrations }).pipe(Layer.provide(NodeContext.layer))
  return Layer.mergeAll(ApiKeysRepo.Default, TopologyRepo.Default, NodeProbesRepo.Default, Regions.Default).pipe(
    Layer.provideMerge(Migrated),
    Layer.provideMerge(Pg),
    Layer.orDie,
  )
}

const PostgresDb = database(async () => {
  const db = await createTestDatabase(inject("postgresAdminUrl"), "hp_repo")
  return { url: db.url, stop: db.drop }
})

const suite = (name: string, Db: typeof PostgresDb) =>
  layer(Db, { timeout: 60_000 })(name, (it) => {
    it.effect("migrations are recorded and running them again changes nothing", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const before = yield* sql<{ migration_id: number }>`SELECT migration_id FROM effect_sql_migrations`
        const known = (yield* migrations).map(([id]) => id)
        expect(known.length).toBeGreaterThanOrEqual(4)
        expect(before.map((r) => r.migration_id)).toEqual(known)
        const again = yield* PgMigrator.run({ loader: migrations }).pipe(Effect.provide(NodeContext.layer))
        expect(again).toEqual([])
      }),
    )

    it.effect("an ensured key authenticates, an unknown one does not, and ensure is idempotent", () =>
      Effect.gen(function* () {
        const keys = yield* ApiKeysRepo
        const secret = generateApiKeySecret()
        const id1 = yield* keys.ensure({ secret, name: "admin", scopes: ["*"], brands: ["*"] })
        const id2 = yield* keys.ensure({ secret, name: "admin", scopes: ["*"], brands: ["*"] })
        expect(id2).toBe(id1)
        const p = yield* keys.authenticate(secret)
        expect(Option.getOrThrow(p)).toMatchObject({ keyId: id1, scopes: ["*"], brands: ["*"] })
        expect(Option.isNone(yield* keys.authenticate(generateApiKeySecret()))).toBe(true)
        const sql = yield* SqlClient.SqlClient
        const stored = yield* sql<{ key_hash: string }>`SELECT key_hash FROM api_keys WHERE id = ${id1}`
        expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/)
        expect(JSON.stringify(stored)).not.toContain(secret)
      }),
    )

    it.effect("a local node is registered once however often start-up runs", () =>
      Effect.gen(function* () {
        const topology = yield* TopologyRepo
        const nodeId = NodeId.make(randomUuid())
        const n = { nodeId, hostname: "box", region: "local", cluster: "local", roles: ["web", "database"] }
        yield* topology.ensureLocalNode(n)
        yield* topology.ensureLocalNode({ ...n, hostname: "box2" })
        const sql = yield* SqlClient.SqlClient
        const shards = yield* sql<{ name: string; role: string }>`SELECT s.name, s.role FROM node_shards ns
          JOIN shards s ON s.id = ns.shard_id WHERE ns.node_id = ${nodeId} ORDER BY s.name`
        expect(shards).toEqual([
          { name: "local-database", role: "database" },
          { name: "local-web", role: "web" },
        ])
        expect(yield* topology.findNode(nodeId)).toEqual({ id: nodeId, hostname: "box2" })
        expect(yield* topology.findNode(NodeId.make(randomUuid()))).toBeUndefined()
      }),
    )

    it.effect("paging returns every row exactly once, in order, under concurrent inserts", () =>
      Effect.gen(function* () {
        const regions = yield* Regions
        const run = Runtime.runPromise(yield* Effect.runtime<Regions>())
        let round = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 30 }),
              fc.integer({ min: 1, max: 7 }),
              fc.boolean(),
              async (suffixes, limit, desc) => {
                const prefix = `p${round++}x${Math.random().toString(36).slice(2, 6)}-`
                const names = suffixes.map((s) => `${prefix}${s}`)
                for (const n of names) await run(regions.create(n))
                const seen: Array<string> = []
                let cursor: string | undefined
                // each page holds at least one row; at most 2 × 5 rows are inserted while paging
                for (let pages = 0; pages <= names.length + 12; pages++) {
                  const page = await run(
                    regions.list({
                      search: prefix,
                      limit,
                      sort: desc ? "-name" : "name",
                      ...(cursor ? { cursor } : {}),
                    }),
                  )
                  seen.push(...page.items.map((r) => r.name))
                  // rows inserted while paging, before and after the cursor, must not disturb it
                  // (with a dash, which generated suffixes never hold, so they cannot collide)
                  if (pages < 5) {
                    await run(regions.create(`${prefix}zz-${pages}`))
                    await run(regions.create(`${prefix}0-${pages}`))
                  }
                  if (!page.has_more) break
                  cursor = page.next_cursor!
                }
                expect(new Set(seen).size).toBe(seen.length)
                const originals = seen.filter((n) => names.includes(n))
                const sorted = [...names].sort()
                expect(originals).toEqual(desc ? sorted.reverse() : sorted)
              },
            ),
            { numRuns: 12 },
          ),
        )
      }),
    )

    it.effect("a probe moves through its lifecycle and keeps its facts", () =>
      Effect.gen(function* () {
        const topology = yield* TopologyRepo
        const probes = yield* NodeProbesRepo
        const nodeId = NodeId.make(randomUuid())
        yield* topology.ensureLocalNode({ nodeId, hostname: "box", region: "local", cluster: "local", roles: ["web"] })
        const id = NodeProbeId.make(randomUuid())
        const created = yield* probes.insert({ id, nodeId, workflowId: `node-probe:${id}:probe` })
        expect(created).toMatchObject({ id, status: "pending", facts: null, status_message: null })
        yield* probes.setStatus(id, "provisioning", null)
        const facts = {
          hostname: "box",
          platform: "linux-x64",
          kernel: "6",
          agent_version: "0.1.0",
          uptime_seconds: 1,
          load_average: [0, 0, 0] as const,
          memory_total_bytes: 2,
          memory_free_bytes: 1,
          cpus: 2,
          reported_at: new Date().toISOString(),
        }
        const active = Option.getOrThrow(yield* probes.setStatus(id, "active", null, facts as never))
        expect(active.status).toBe("active")
        expect(active.facts).toMatchObject({ hostname: "box", load_average: [0, 0, 0] })
        // failing later keeps the facts already recorded
        const failed = Option.getOrThrow(yield* probes.setStatus(id, "failed", "boom"))
        expect(failed).toMatchObject({ status: "failed", status_message: "boom", facts: { hostname: "box" } })
        expect(Option.isNone(yield* probes.get(NodeProbeId.make(randomUuid())))).toBe(true)
      }),
    )
  })

describe("persistence", () => {
  suite("on PostgreSQL", PostgresDb)
})
