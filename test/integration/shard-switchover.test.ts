// A planned failover of a database shard whose primary still answers, through the platform: API →
// FailoverShardWorkflow → two real agents, each with its own MariaDB. The old primary is made
// read-only before the replica is promoted, and the replica applies everything it wrote first:
// applications that keep writing to the old primary meanwhile have each write either refused or
// present on the new primary (none lost), a long write is killed rather than holding the failover
// up, an open transaction cannot commit, and the old primary ends a replica of the new one. A
// failover whose target cannot be promoted after the demotion leaves the old primary writable.
import type { Database } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
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
let database: Database

const PASSWORD = "switchover application password"
const READ_ONLY = 1290
const INTERRUPTED = 1317

const replication = () => s.admin.shards.replication({ path: { id: s.shardId as never } })
const failover = (n: ShardNode) =>
  s.admin.shards.failover({ path: { id: s.shardId as never }, payload: { node_id: n.id as never } })
const app = (host: string) => login(s.port, `${database.name}_app`, PASSWORD, database.name, host)
/** Waits until a node holds exactly these rows (its table may not have replicated yet). */
const holds = async (n: ShardNode, ids: Array<number>) => {
  const deadline = Date.now() + 20_000
  const read = () => idsOn(n, database.name).catch((e: Error) => e.message)
  while (JSON.stringify(await read()) !== JSON.stringify(ids)) {
    if (Date.now() > deadline) throw new Error(`${n.address} holds ${await read()}, not ${ids}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
const healthy = (n: ShardNode) =>
  replicationWhere(s, (r) => r.nodes.find((x) => x.node_id === n.id)?.state === "healthy")
/** The result of the shard's latest failover workflow. */
const lastFailover = async () => {
  const runs: Array<{ id: string; start: number }> = []
  for await (const w of s.temporal.workflow.list({ query: `WorkflowType = "FailoverShardWorkflow"` }))
    if (w.workflowId.startsWith(`shard:${s.shardId}:failover-`))
      runs.push({ id: w.workflowId, start: w.startTime.getTime() })
  const latest = runs.sort((x, y) => y.start - x.start)[0]
  if (latest === undefined) throw new Error("no failover workflow of this shard")
  return (await s.temporal.workflow.getHandle(latest.id).result()) as {
    promoted: boolean
    nodes: Array<{ node_id: string; outcome: string }>
  }
}

/** Inserts ids `base + 1, base + 2, …` one at a time until stopped: each acknowledged, or refused with its errno. */
const writer = (host: string, base: number) => {
  const acknowledged: Array<number> = []
  const refused: Array<{ id: number; errno: number | string }> = []
  let stop = false
  const done = (async () => {
    const conn = await app(host)
    try {
      for (let id = base + 1; !stop && id < base + 100_000; id++) {
        try {
          await conn.query("INSERT INTO t VALUES (?)", [id])
          acknowledged.push(id)
        } catch (e) {
          refused.push({ id, errno: (e as { errno?: number }).errno ?? String(e) })
          // a refused write is retried a little later, as an application would
          await new Promise((r) => setTimeout(r, 20))
        }
      }
    } finally {
      await conn.end()
    }
  })()
  return {
    acknowledged,
    refused,
    stop: async () => {
      stop = true
      await done
    },
  }
}

/** Resolves once a platform user's statement runs on `n` (seen by the admin in the process list). */
const running = async (n: ShardNode, text: string) => {
  const admin = await asAdmin(n)
  try {
    const deadline = Date.now() + 10_000
    for (;;) {
      const [rows] = await admin.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = ?", [text])
      if ((rows as Array<unknown>).length > 0) return
      if (Date.now() > deadline) throw new Error(`${text} never ran`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    await admin.end()
  }
}

beforeAll(async () => {
  s = await startReplicatedShard("hp_switchover", 2)
  ;[a, b] = s.nodes as [ShardNode, ShardNode]
  await s.admin.shards.update({
    path: { id: s.shardId as never },
    payload: { config: { primary_node_id: a.id as never, mariadb_port: s.port } },
  })
  await s.admin.shards.converge({ path: { id: s.shardId as never }, payload: {} })
  expect((await shardSettled(s)).status).toBe("active")
  database = await s.admin.databases.create({ path: { id: s.tenantId as never }, payload: {} })
  const user = await s.admin.databaseUsers.create({
    path: { id: database.id },
    payload: { username: `${database.name}_app`, password: PASSWORD },
  })
  await settled("user", () => s.admin.databaseUsers.get({ path: { id: user.id } }))
  database = await settled("database", () => s.admin.databases.get({ path: { id: database.id } }))
  const conn = await app(a.address)
  await conn.query("CREATE TABLE t (id INT PRIMARY KEY)")
  await conn.query("INSERT INTO t VALUES (1), (2)")
  await conn.end()
  await holds(b, [1, 2])
}, 300_000)

afterAll(async () => {
  await s?.stop()
})

describe("a planned failover of a database shard", () => {
  it("a target that cannot be promoted after the primary was demoted leaves the primary writable", async () => {
    await healthy(b)
    // b's applier stops after its last check said healthy: the primary is demoted, b refuses
    const admin = await asAdmin(b)
    await admin.query("STOP SLAVE SQL_THREAD")
    await admin.end()
    await failover(b)
    const failed = await shardSettled(s)
    expect(failed.status).toBe("failed")
    expect(failed.status_details?.causes).toEqual([
      {
        node_id: b.id,
        message:
          "failover refused: this node cannot be promoted: its replication failed: the SQL thread is stopped; nothing was changed",
      },
    ])
    expect(failed.config).toEqual({ primary_node_id: a.id, mariadb_port: s.port })
    // reopened: writable, no source, and the platform's changes go to it again
    const conn = await app(a.address)
    await conn.query("INSERT INTO t VALUES (3)")
    await conn.end()
    // the failover's last check saw it so
    expect((await replication()).nodes.find((n) => n.node_id === a.id)).toMatchObject({
      role: "primary",
      state: "primary",
    })
    await s.admin.shards.retry({ path: { id: s.shardId as never } })
    expect((await shardSettled(s)).status).toBe("active")
    await holds(b, [1, 2, 3])
  })

  it("writes going on against the old primary are refused or on the new primary, none lost", async () => {
    await healthy(b)
    // a transaction open across the failover, and a write that runs longer than the demotion waits
    const open = await app(a.address)
    await open.query("BEGIN")
    await open.query("INSERT INTO t VALUES (800000)")
    const slowConn = await app(a.address)
    const slowWrite = "INSERT INTO t SELECT 900000 FROM (SELECT SLEEP(120)) AS x"
    const slow = errnoOf(slowConn.query(slowWrite))
    await running(a, slowWrite)
    const writers = [1, 2, 3].map((w) => writer(a.address, w * 100_000))
    // the writers are under way before the failover starts
    const deadline = Date.now() + 10_000
    while (writers.some((w) => w.acknowledged.length < 5) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    const started = Date.now()
    await failover(b)
    const done = await shardSettled(s)
    const took = Date.now() - started
    await Promise.all(writers.map((w) => w.stop()))
    expect([done.status, done.status_message, done.config]).toEqual([
      "active",
      null,
      { primary_node_id: b.id, mariadb_port: s.port },
    ])
    // the slow write was killed (the demotion waits 5 s for it), not waited out
    expect(await slow).toBe(INTERRUPTED)
    expect(took).toBeLessThan(60_000)
    expect(await errnoOf(open.query("COMMIT"))).toBe(READ_ONLY)
    await open.end().catch(() => undefined)
    await slowConn.end().catch(() => undefined)

    const acknowledged = writers.flatMap((w) => w.acknowledged)
    const refused = writers.flatMap((w) => w.refused)
    // the writes went on into the failover: some were taken, then the old primary refused them
    expect(acknowledged.length).toBeGreaterThanOrEqual(15)
    expect(refused.length).toBeGreaterThan(0)
    // refused as read-only, or killed while they waited for the slow write (not acknowledged either)
    expect(refused.filter((r) => r.errno !== READ_ONLY && r.errno !== INTERRUPTED)).toEqual([])
    // once read-only, the old primary never took a write again
    for (const w of writers) {
      const readOnlySince = w.refused.find((r) => r.errno === READ_ONLY)?.id ?? Number.POSITIVE_INFINITY
      expect(w.acknowledged.filter((id) => id > readOnlySince)).toEqual([])
    }
    // none lost: the new primary holds exactly what was acknowledged
    const expected = [1, 2, 3, ...acknowledged].sort((x, y) => x - y)
    expect(await idsOn(b, database.name)).toEqual(expected)

    // the old primary follows the new one, continuing its own history (no seed needed)
    const outcome = await lastFailover()
    expect(outcome.promoted).toBe(true)
    expect(outcome.nodes.sort((x, y) => x.node_id.localeCompare(y.node_id))).toEqual(
      [
        { node_id: b.id, outcome: "primary" },
        { node_id: a.id, outcome: "following" },
      ].sort((x, y) => x.node_id.localeCompare(y.node_id)),
    )
    const r = await replication()
    expect(r.nodes.map((n) => [n.node_id, n.role, n.state])).toEqual([
      [b.id, "primary", "primary"],
      [a.id, "replica", "healthy"],
    ])
    expect(r.nodes[1]).toMatchObject({ source_host: b.address, source_port: s.port })
    expect((await s.admin.databases.get({ path: { id: database.id } })).host).toBe(b.address)
    const conn = await app(b.address)
    await conn.query("INSERT INTO t VALUES (4)")
    await conn.end()
    await holds(
      a,
      [...expected, 4].sort((x, y) => x - y),
    )
    expect(await errnoOf(app(a.address).then((c) => c.query("INSERT INTO t VALUES (5)").finally(() => c.end())))).toBe(
      READ_ONLY,
    )
  }, 180_000)
})
