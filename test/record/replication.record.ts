// Runs a replicated database shard's workflows for real — API, control-plane worker, two agents each
// with its own MariaDB (test/support/replicated-shard.ts) — and saves their histories under
// test/fixtures/histories/: the shard's converge with replication (-1 from scratch, the replica
// seeded; -2 the retry after a refused failover, a stopped replica following again), the
// replication check, and two failovers (-1 planned: the old primary demoted, the target caught up
// and promoted, the old primary following it; -2 a target that refuses after the demotion, the old
// primary reopened). FailoverShardWorkflow-0 is this file's planned failover recorded at 1983cd4,
// before a failover demoted the old primary: a failover started then replays without it.
import type { Database } from "@hosting/sdk"
import { afterAll, beforeAll, expect, it } from "vitest"
import { login } from "../support/database-node.js"
import {
  asAdmin,
  idsOn,
  type ReplicatedShard,
  replicationWhere,
  type ShardNode,
  shardSettled,
  startReplicatedShard,
} from "../support/replicated-shard.js"
import { eventually, settled } from "../support/web-node.js"
import { saveHistories } from "./save.js"

let s: ReplicatedShard

const PASSWORD = "recorded replication password"

beforeAll(async () => {
  s = await startReplicatedShard("hp_record_replication", 2)
}, 300_000)

afterAll(async () => {
  await s?.stop()
})

it("records a history of a replicated database shard's converge, check and failovers", async () => {
  const [a, b] = s.nodes as [ShardNode, ShardNode]
  const shard = { path: { id: s.shardId as never } }
  const healthy = (n: ShardNode) =>
    replicationWhere(s, (r) => r.nodes.find((x) => x.node_id === n.id)?.state === "healthy")
  const failover = async (n: ShardNode) => {
    await s.admin.shards.failover({ ...shard, payload: { node_id: n.id as never } })
    return shardSettled(s)
  }

  await s.admin.shards.update({
    ...shard,
    payload: { config: { primary_node_id: a.id as never, mariadb_port: s.port } },
  })
  await s.admin.shards.converge({ ...shard, payload: {} })
  expect((await shardSettled(s)).status).toBe("active")
  // a database and its user, so converges and failovers push a spec to the primary
  let database: Database = await s.admin.databases.create({ path: { id: s.tenantId as never }, payload: {} })
  const user = await s.admin.databaseUsers.create({
    path: { id: database.id },
    payload: { username: `${database.name}_app`, password: PASSWORD },
  })
  await settled("user", () => s.admin.databaseUsers.get({ path: { id: user.id } }))
  database = await settled("database", () => s.admin.databases.get({ path: { id: database.id } }))
  const app = await login(s.port, `${database.name}_app`, PASSWORD, database.name, a.address)
  await app.query("CREATE TABLE t (id INT PRIMARY KEY)")
  await app.query("INSERT INTO t VALUES (1), (2)")
  await app.end()
  await eventually(
    "the row on the replica",
    () => idsOn(b, database.name).catch(() => []),
    (ids) => ids.length === 2,
    20_000,
  )

  expect(
    await s.temporal.workflow.execute("CheckDatabaseReplicationWorkflow", {
      taskQueue: "control-plane",
      workflowId: "record-CheckDatabaseReplicationWorkflow",
    }),
  ).toBe(2)

  await healthy(b)
  expect((await failover(b)).status).toBe("active")

  // a's applier stops after its last check said healthy: the failover to it is refused
  await healthy(a)
  const admin = await asAdmin(a)
  await admin.query("STOP SLAVE SQL_THREAD")
  await admin.end()
  expect((await failover(a)).status).toBe("failed")
  await s.admin.shards.retry(shard)
  expect((await shardSettled(s)).status).toBe("active")

  // the shard's failovers, as the visibility store lists them (it may lag a moment)
  const failovers = await eventually(
    "both failovers listed",
    async () => {
      const found: Array<{ id: string; start: number }> = []
      for await (const w of s.temporal.workflow.list({ query: `WorkflowType = "FailoverShardWorkflow"` }))
        if (w.workflowId.startsWith(`shard:${s.shardId}:failover-`))
          found.push({ id: w.workflowId, start: w.startTime.getTime() })
      return found
    },
    (found) => found.length === 2,
    30_000,
  )
  const written = await saveHistories(s.temporal, [
    { workflowId: `shard:${s.shardId}:converge`, suffix: "-database-replication" },
    { workflowId: "record-CheckDatabaseReplicationWorkflow" },
    ...failovers.sort((x, y) => x.start - y.start).map((f) => ({ workflowId: f.id })),
  ])
  console.log(`recorded ${written.length} histories: ${written.join(", ")}`)
})
