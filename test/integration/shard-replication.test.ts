// A database shard's replication through the platform: API → ConvergeShardWorkflow and the
// replication check → two real agents, each with its own MariaDB. Converge sets replication up from
// scratch (the replica is seeded from the primary and follows it), rows an application writes on
// the primary reach the replica, GET /shards/{id}/replication shows each node's state and lag, a
// replica broken by a conflicting row shows `failed` with the server's error, a failover to it is
// refused and changes nothing, and converge heals it with a new seed.
import { randomUUID } from "node:crypto"
import type { Database } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { errnoOf, login } from "../support/database-node.js"
import {
  asAdmin,
  idsOn,
  type ReplicatedShard,
  replicationWhere,
  shardSettled,
  startReplicatedShard,
} from "../support/replicated-shard.js"
import { settled } from "../support/web-node.js"

let s: ReplicatedShard
let primary: ReplicatedShard["nodes"][number]
let replica: ReplicatedShard["nodes"][number]
let database: Database

const PASSWORD = "replicated application password"

const refusal = (p: Promise<unknown>) =>
  p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e as { _tag: string; message: string; details?: Record<string, unknown> },
  )
const shard = () => s.admin.shards.get({ path: { id: s.shardId as never } })
const replication = () => s.admin.shards.replication({ path: { id: s.shardId as never } })
/** Converges the shard and answers the workflow's per-node replication outcome, sorted by node. */
const converge = async () => {
  await s.admin.shards.converge({ path: { id: s.shardId as never }, payload: {} })
  const done = await shardSettled(s)
  expect([done.status, done.status_message]).toEqual(["active", null])
  const outcome = (await s.temporal.workflow.getHandle(`shard:${s.shardId}:converge`).result()) as {
    replication: Array<{ node_id: string; outcome: string }>
  }
  return outcome.replication.sort((a, b) => a.node_id.localeCompare(b.node_id))
}
const insert = async (host: string, ...ids: Array<number>) => {
  const app = await login(s.port, `${database.name}_app`, PASSWORD, database.name, host)
  try {
    for (const id of ids) await app.query("INSERT INTO t VALUES (?)", [id])
  } finally {
    await app.end()
  }
}
const holds = async (n: ReplicatedShard["nodes"][number], ids: Array<number>) => {
  const deadline = Date.now() + 20_000
  while (JSON.stringify(await idsOn(n, database.name)) !== JSON.stringify(ids)) {
    if (Date.now() > deadline) throw new Error(`${n.address} holds ${await idsOn(n, database.name)}, not ${ids}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  s = await startReplicatedShard("hp_replication", 2)
  ;[primary, replica] = s.nodes as [typeof primary, typeof replica]
}, 240_000)

afterAll(async () => {
  await s?.stop()
})

describe("a database shard's replication through the API", () => {
  it("refuses what cannot fail over, changing nothing, and shows replication of database shards only", async () => {
    await s.admin.shards.update({
      path: { id: s.shardId as never },
      payload: { config: { primary_node_id: primary.id as never, mariadb_port: s.port } },
    })
    const before = await shard()
    const web = (await s.admin.shards.list({ path: { id: before.cluster_id }, urlParams: {} })).items.find(
      (x) => x.role === "web",
    )!
    expect(await refusal(s.admin.shards.replication({ path: { id: web.id } }))).toMatchObject({
      _tag: "NotFound",
      message: `shard ${web.id} is a web shard; only database shards replicate`,
    })
    const unknown = randomUUID()
    expect((await refusal(s.admin.shards.replication({ path: { id: unknown as never } })))._tag).toBe("NotFound")
    const stranger = randomUUID()
    const failover = (shardId: string, nodeId: string) =>
      refusal(s.admin.shards.failover({ path: { id: shardId as never }, payload: { node_id: nodeId as never } }))
    expect(await failover(web.id, replica.id)).toMatchObject({
      _tag: "InvalidInput",
      message: `only a database shard fails over; shard ${web.id} is a web shard`,
    })
    expect(await failover(s.shardId, stranger)).toMatchObject({
      _tag: "InvalidInput",
      message: `node ${stranger} is not a node of shard ${s.shardId}`,
    })
    expect(await failover(s.shardId, primary.id)).toMatchObject({
      _tag: "Conflict",
      message: `node ${primary.id} already is the primary of shard ${s.shardId}`,
    })
    expect((await failover(unknown, replica.id))._tag).toBe("NotFound")
    expect(await shard()).toEqual(before)
  })

  it("converge sets replication up from scratch: the replica is seeded from the primary and follows it", async () => {
    expect(await converge()).toEqual(
      [
        { node_id: primary.id, outcome: "primary" },
        { node_id: replica.id, outcome: "seeded" },
      ].sort((a, b) => a.node_id.localeCompare(b.node_id)),
    )
    const r = await replication()
    expect(r).toMatchObject({ shard_id: s.shardId, primary_node_id: primary.id })
    expect(r.nodes.map((n) => [n.node_id, n.role, n.state])).toEqual([
      [primary.id, "primary", "primary"],
      [replica.id, "replica", "healthy"],
    ])
  })

  it("replicates what an application writes on the primary; the replica refuses writes", async () => {
    database = await s.admin.databases.create({ path: { id: s.tenantId as never }, payload: {} })
    const user = await s.admin.databaseUsers.create({
      path: { id: database.id },
      payload: { username: `${database.name}_app`, password: PASSWORD },
    })
    await settled("user", () => s.admin.databaseUsers.get({ path: { id: user.id } }))
    database = await settled("database", () => s.admin.databases.get({ path: { id: database.id } }))
    // the database tells applications to connect to the shard's primary
    expect([database.host, database.port]).toEqual([primary.address, s.port])
    const app = await login(s.port, `${database.name}_app`, PASSWORD, database.name, database.host!)
    await app.query("CREATE TABLE t (id INT PRIMARY KEY)")
    await app.end()
    await insert(database.host!, 1, 2)
    await holds(replica, [1, 2])
    // the account came with the data; a write on the replica is refused (read-only, 1290)
    expect(await errnoOf(insert(replica.address, 99))).toBe(1290)
    const r = await replicationWhere(s, (x) => x.nodes.every((n) => n.checked_at !== null))
    expect(r.nodes[1]).toEqual({
      node_id: replica.id,
      role: "replica",
      state: "healthy",
      seconds_behind: 0,
      io_running: true,
      sql_running: true,
      source_host: primary.address,
      source_port: s.port,
      last_error: null,
      needs_seed: false,
      checked_at: expect.any(String),
    })
    expect(r.nodes[0]).toMatchObject({ node_id: primary.id, state: "primary", last_error: null, needs_seed: false })
  })

  it("shows a replica broken by a conflicting row as failed with the server's error; a failover to it is refused", async () => {
    // a row on the replica alone (not binlogged), then the same key written on the primary
    const c = await asAdmin(replica)
    await c.query("SET SESSION sql_log_bin = 0")
    await c.query(`INSERT INTO \`${database.name}\`.t VALUES (3)`)
    await c.end()
    await insert(database.host!, 3)
    const r = await replicationWhere(s, (x) => x.nodes[1]?.state === "failed")
    expect(r.nodes[1]).toMatchObject({
      node_id: replica.id,
      role: "replica",
      state: "failed",
      sql_running: false,
      needs_seed: true,
      last_error: { errno: 1062, message: expect.stringContaining("Duplicate entry '3' for key 'PRIMARY'") },
    })
    const before = await shard()
    const refused = await refusal(
      s.admin.shards.failover({ path: { id: s.shardId as never }, payload: { node_id: replica.id as never } }),
    )
    expect(refused._tag).toBe("Conflict")
    expect(refused.message).toMatch(
      new RegExp(
        `^node ${replica.id} is not a healthy replica: its replication failed: error 1062: .*Duplicate entry '3'`,
      ),
    )
    expect(refused.details).toMatchObject({ state: "failed", last_errno: 1062 })
    expect(await shard()).toEqual(before)
    expect((await s.admin.databases.get({ path: { id: database.id } })).host).toBe(primary.address)
    await insert(database.host!, 4)
  })

  it("converge heals the broken replica with a new seed; it follows again", async () => {
    expect(await converge()).toEqual(
      [
        { node_id: primary.id, outcome: "primary" },
        { node_id: replica.id, outcome: "seeded" },
      ].sort((a, b) => a.node_id.localeCompare(b.node_id)),
    )
    // the converge recorded what it left: no check needed
    expect((await replication()).nodes[1]).toMatchObject({ state: "healthy", last_error: null, needs_seed: false })
    await holds(replica, [1, 2, 3, 4])
    await insert(database.host!, 5)
    await holds(replica, [1, 2, 3, 4, 5])
    // following the same primary once more changes nothing
    expect(await converge()).toEqual(
      [
        { node_id: primary.id, outcome: "primary" },
        { node_id: replica.id, outcome: "unchanged" },
      ].sort((a, b) => a.node_id.localeCompare(b.node_id)),
    )
  })
})
