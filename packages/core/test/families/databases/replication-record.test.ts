// What a database shard's replication check records for each node's answer, and which records
// refuse a failover before it starts; the real servers are in test/integration/shard-replication*.
import { describe, expect, it } from "@effect/vitest"
import { failoverRefusalOf, type ReplicationRecord } from "../../../src/families/databases/service-replication.js"
import { replicationRowOf } from "../../../src/families/databases/states-replication.js"
import { primaryStatus as primary, replicaStatusOf } from "./replication-status.js"

const A = "0b9c1f2e-8a7d-4c3b-9e1f-2a3b4c5d6e70"
const B = "0b9c1f2e-8a7d-4c3b-9e1f-2a3b4c5d6e71"

const replica = replicaStatusOf({ host: "10.0.0.1", port: 3306, user: "hosting_repl" })
const duplicate = {
  errno: 1062,
  message: "Could not execute Write_rows_v1 event: Duplicate entry '4' for key 'PRIMARY'",
}
const refused = { errno: 2003, message: "error connecting to master 'hosting_repl@10.0.0.1:3306'" }
const threads = { io_running: true, sql_running: true, source_host: "10.0.0.1", source_port: 3306 }

describe("a replication check's record", () => {
  it("records the shard's primary as primary, any other writable server as failed", () => {
    expect(replicationRowOf({ node_id: A, status: primary, error: null }, A)).toEqual({
      role: "primary",
      state: "primary",
      seconds_behind: null,
      io_running: null,
      sql_running: null,
      source_host: null,
      source_port: null,
      last_errno: null,
      last_error: null,
      needs_seed: false,
    })
    expect(replicationRowOf({ node_id: B, status: primary, error: null }, A)).toMatchObject({
      role: "primary",
      state: "failed",
      last_errno: null,
      last_error: `not a replica of the shard's primary (node ${A}); the shard's converge makes it one`,
    })
    // a shard naming no primary: every node stands alone
    expect(replicationRowOf({ node_id: B, status: primary, error: null }, null).state).toBe("primary")
  })

  it("records a replica's verdict, lag, threads and the error of the thread that stopped", () => {
    expect(replicationRowOf({ node_id: B, status: replica({ seconds_behind: 2 }), error: null }, A)).toEqual({
      role: "replica",
      state: "healthy",
      seconds_behind: 2,
      ...threads,
      last_errno: null,
      last_error: null,
      needs_seed: false,
    })
    expect(replicationRowOf({ node_id: B, status: replica({ seconds_behind: 45 }), error: null }, A)).toMatchObject({
      state: "lagging",
      seconds_behind: 45,
    })
    const broken = replica({ sql_running: false, last_sql_error: duplicate, seconds_behind: null })
    expect(replicationRowOf({ node_id: B, status: broken, error: null }, A)).toEqual({
      role: "replica",
      state: "failed",
      seconds_behind: null,
      ...threads,
      sql_running: false,
      last_errno: 1062,
      last_error: duplicate.message,
      needs_seed: true,
    })
    const lost = replica({ io_running: false, io_connecting: true, last_io_error: refused, seconds_behind: null })
    expect(replicationRowOf({ node_id: B, status: lost, error: null }, A)).toMatchObject({
      state: "connecting",
      io_running: false,
      last_errno: 2003,
      last_error: refused.message,
      needs_seed: false,
    })
    const stopped = replica({ io_running: false })
    expect(replicationRowOf({ node_id: B, status: stopped, error: null }, A)).toMatchObject({
      state: "failed",
      last_errno: null,
      last_error: "the IO thread is stopped",
      needs_seed: false,
    })
  })

  it("records a node that gave no status as unreachable, with why", () => {
    expect(replicationRowOf({ node_id: B, status: null, error: "no answer from the node: timeout" }, A)).toEqual({
      role: null,
      state: "unreachable",
      seconds_behind: null,
      io_running: null,
      sql_running: null,
      source_host: null,
      source_port: null,
      last_errno: null,
      last_error: "no answer from the node: timeout",
      needs_seed: false,
    })
  })
})

describe("a failover's check of the last record", () => {
  const at = new Date("2026-01-02T03:04:05.000Z")
  const record = (over: Partial<ReplicationRecord>): ReplicationRecord => ({
    node_id: B,
    role: "replica",
    state: "healthy",
    seconds_behind: 0,
    io_running: true,
    sql_running: true,
    source_host: "10.0.0.1",
    source_port: 3306,
    last_errno: null,
    last_error: null,
    needs_seed: false,
    checked_at: at,
    ...over,
  })

  it("lets a healthy replica, one whose primary does not answer, or one never checked be promoted", () => {
    expect(failoverRefusalOf(record({}))).toBeUndefined()
    expect(failoverRefusalOf(record({ state: "connecting", last_errno: 2003, last_error: refused.message }))).toBe(
      undefined,
    )
    expect(failoverRefusalOf(undefined)).toBeUndefined()
  })

  it("refuses a failed, lagging, unreachable or writable node, saying why and when it was seen", () => {
    expect(failoverRefusalOf(record({ state: "failed", last_errno: 1062, last_error: duplicate.message }))).toBe(
      `its replication failed: error 1062: ${duplicate.message} (checked at 2026-01-02T03:04:05.000Z)`,
    )
    expect(failoverRefusalOf(record({ state: "lagging", seconds_behind: 45 }))).toBe(
      "it is 45 s behind its primary (checked at 2026-01-02T03:04:05.000Z)",
    )
    expect(failoverRefusalOf(record({ state: "lagging", seconds_behind: null }))).toBe(
      "its lag is unknown (checked at 2026-01-02T03:04:05.000Z)",
    )
    expect(failoverRefusalOf(record({ state: "unreachable", role: null, last_error: "no answer" }))).toBe(
      "its agent did not answer: no answer (checked at 2026-01-02T03:04:05.000Z)",
    )
    expect(failoverRefusalOf(record({ state: "primary", role: "primary" }))).toBe(
      "it is not a replica: it takes writes of its own (checked at 2026-01-02T03:04:05.000Z)",
    )
  })
})
