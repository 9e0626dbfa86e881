// A database shard's failover through the platform: API → FailoverShardWorkflow → three real
// agents, each with its own MariaDB. A failover the target's node refuses (its applier stopped
// after the last check passed) changes nothing; with the primary down, a failover promotes a
// replica, the other replica follows it, the database's connection host moves to it and an
// application's writes succeed there; the old primary comes back writable, shows as failed, and
// the shard's converge makes it a replica of the new primary.
import { stopDatabaseServices } from "@hosting/agent"
import type { Database } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { errnoOf, login } from "../support/database-node.js"
import {
  asAdmin,
  idsOn,
  type ReplicatedShard,
  replicationWhere,
  type ShardNode,
  shardSettled,
  startReplicatedShard,
} from "../support/replicated-shard.js"
import { settled } from "../support/web-node.js"

let s: ReplicatedShard
let a: ShardNode
let b: ShardNode
let c: ShardNode
let database: Database

const PASSWORD = "failover application password"

const replication = () => s.admin.shards.replication({ path: { id: s.shardId as never } })
const failover = (n: ShardNode) =>
  s.admin.shards.failover({ path: { id: s.shardId as never }, payload: { node_id: n.id as never } })
const connectHost = async () => (await s.admin.databases.get({ path: { id: database.id } })).host!
const insert = async (host: string, ...ids: Array<number>) => {
  const app = await login(s.port, `${database.name}_app`, PASSWORD, database.name, host)
  try {
    for (const id of ids) await app.query("INSERT INTO t VALUES (?)", [id])
  } finally {
    await app.end()
  }
}
const holds = async (n: ShardNode, ids: Array<number>) => {
  const deadline = Date.now() + 20_000
  while (JSON.stringify(await idsOn(n, database.name)) !== JSON.stringify(ids)) {
    if (Date.now() > deadline) throw new Error(`${n.address} holds ${await idsOn(n, database.name)}, not ${ids}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
const converge = async () => {
  await s.admin.shards.converge({ path: { id: s.shardId as never }, payload: {} })
  return shardSettled(s)
}
const agentOf = (n: ShardNode) => s.stack.processes.get(`agent-${n.id}`)!

beforeAll(async () => {
  // a stopped agent fails a failover's call to it this soon
  s = await startReplicatedShard("hp_failover", 3, 15)
  ;[a, b, c] = s.nodes as [ShardNode, ShardNode, ShardNode]
  await s.admin.shards.update({
    path: { id: s.shardId as never },
    payload: { config: { primary_node_id: a.id as never, mariadb_port: s.port } },
  })
  expect((await converge()).status).toBe("active")
  database = await s.admin.databases.create({ path: { id: s.tenantId as never }, payload: {} })
  const user = await s.admin.databaseUsers.create({
    path: { id: database.id },
    payload: { username: `${database.name}_app`, password: PASSWORD },
  })
  await settled("user", () => s.admin.databaseUsers.get({ path: { id: user.id } }))
  database = await settled("database", () => s.admin.databases.get({ path: { id: database.id } }))
  const app = await login(s.port, `${database.name}_app`, PASSWORD, database.name, database.host!)
  await app.query("CREATE TABLE t (id INT PRIMARY KEY)")
  await app.end()
  await insert(a.address, 1, 2)
  await Promise.all([holds(b, [1, 2]), holds(c, [1, 2])])
}, 300_000)

afterAll(async () => {
  await s?.stop()
})

describe("failing a database shard over", () => {
  it("a failover the target's node refuses changes nothing; the shard's retry puts it right", async () => {
    await replicationWhere(s, (r) => r.nodes.find((n) => n.node_id === c.id)?.state === "healthy")
    // c's applier stops after its last check said healthy: the API lets the failover start, the node refuses
    const admin = await asAdmin(c)
    await admin.query("STOP SLAVE SQL_THREAD")
    await admin.end()
    expect(await failover(c)).toMatchObject({ id: s.shardId, status: "provisioning" })
    const failed = await shardSettled(s)
    expect(failed.status).toBe("failed")
    expect(failed.status_details?.causes).toEqual([
      {
        node_id: c.id,
        message: `failover refused: this node cannot be promoted: its replication failed: the SQL thread is stopped; nothing was changed`,
      },
    ])
    expect(failed.config).toEqual({ primary_node_id: a.id, mariadb_port: s.port })
    expect(await connectHost()).toBe(a.address)
    await insert(a.address, 3)
    expect(await errnoOf(insert(c.address, 97))).toBe(1290)
    // a stopped applier is not a broken one: the shard's retry (a converge) starts it again
    await s.admin.shards.retry({ path: { id: s.shardId as never } })
    expect((await shardSettled(s)).status).toBe("active")
    await Promise.all([holds(b, [1, 2, 3]), holds(c, [1, 2, 3])])
  })

  it("with the primary down, promotes a replica: the other follows it, writes succeed through the new host", async () => {
    // the primary's machine goes away: its agent and its MariaDB
    await agentOf(a).stop()
    await stopDatabaseServices(a.test.root)
    expect(await failover(b)).toMatchObject({ status: "provisioning" })
    const done = await shardSettled(s)
    // the old primary could not be told; the next converge makes it a replica when it is back
    expect(done.status).toBe("failed")
    expect(done.status_details?.causes).toEqual([
      { node_id: a.id, message: expect.stringMatching(/^not following the new primary: /) },
    ])
    expect(done.config).toEqual({ primary_node_id: b.id, mariadb_port: s.port })
    expect(await connectHost()).toBe(b.address)
    await insert(await connectHost(), 4)
    await holds(c, [1, 2, 3, 4])
    expect(await errnoOf(insert(c.address, 98))).toBe(1290)
    const r = await replication()
    expect(r.primary_node_id).toBe(b.id)
    expect(r.nodes.map((n) => [n.node_id, n.role, n.state])).toEqual([
      [b.id, "primary", "primary"],
      ...[
        [a.id, "primary", "unreachable"],
        [c.id, "replica", "healthy"],
      ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    ])
    expect(r.nodes.find((n) => n.node_id === c.id)).toMatchObject({ source_host: b.address, source_port: s.port })
    // a failover to the shard's new primary is refused
    expect(await failover(b).catch((e: { _tag: string }) => e._tag)).toBe("Conflict")
  })

  it("the old primary comes back writable, shows as failed, and converge makes it a replica of the new one", async () => {
    s.stack.startAgent(a.id, a.env)
    await waitForAgent(s.admin, a.id, 60)
    const back = await replicationWhere(s, (x) => x.nodes.find((n) => n.node_id === a.id)?.state !== "unreachable")
    expect(back.nodes.find((n) => n.node_id === a.id)).toMatchObject({
      role: "primary",
      state: "failed",
      last_error: {
        errno: null,
        message: `not a replica of the shard's primary (node ${b.id}); the shard's converge makes it one`,
      },
    })
    const done = await converge()
    expect([done.status, done.status_message]).toEqual(["active", null])
    const outcome = (await s.temporal.workflow.getHandle(`shard:${s.shardId}:converge`).result()) as {
      replication: Array<{ node_id: string; outcome: string }>
    }
    // it wrote nothing after the failover: it continues its own history, no seed needed
    expect(outcome.replication.sort((x, y) => x.node_id.localeCompare(y.node_id))).toEqual(
      [
        { node_id: a.id, outcome: "following" },
        { node_id: b.id, outcome: "primary" },
        { node_id: c.id, outcome: "unchanged" },
      ].sort((x, y) => x.node_id.localeCompare(y.node_id)),
    )
    expect((await replication()).nodes.map((n) => n.state)).toEqual(["primary", "healthy", "healthy"])
    await insert(await connectHost(), 5)
    await Promise.all([holds(a, [1, 2, 3, 4, 5]), holds(c, [1, 2, 3, 4, 5])])
    expect(await errnoOf(insert(a.address, 99))).toBe(1290)
  })
})
