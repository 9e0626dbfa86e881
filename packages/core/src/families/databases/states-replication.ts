import { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { Conflict } from "../../domain/errors.js"
import { replicaHealth } from "../../managers/mariadb-replication.js"
import type {
  DatabaseReplicationCheck,
  DatabaseReplicationVerdict,
  DatabaseShardTopology,
} from "./activities-replication.js"
import type { ReplicationState } from "./domain-replication.js"

/** One node's row of `database_replication`, as a check's answer becomes it. */
interface ReplicationRow {
  readonly role: "primary" | "replica" | null
  readonly state: ReplicationState
  readonly seconds_behind: number | null
  readonly io_running: boolean | null
  readonly sql_running: boolean | null
  readonly source_host: string | null
  readonly source_port: number | null
  readonly last_errno: number | null
  readonly last_error: string | null
  readonly needs_seed: boolean
}

const noThreads = { seconds_behind: null, io_running: null, sql_running: null, source_host: null, source_port: null }

/**
 * What a node's answer says, with `replicaHealth`'s verdict. A server that is not a replica but is
 * not the shard's primary either (an old primary back after a failover, a node never made a
 * replica) is `failed`: it takes writes nobody replicates, and the shard's converge makes it follow.
 */
export const replicationRowOf = (check: DatabaseReplicationCheck, primaryNodeId: string | null): ReplicationRow => {
  const status = check.status
  if (status === null)
    return {
      role: null,
      state: "unreachable",
      ...noThreads,
      last_errno: null,
      last_error: check.error ?? "the node gave no status",
      needs_seed: false,
    }
  const r = status.replica
  if (r === null) {
    const stray = primaryNodeId !== null && primaryNodeId !== check.node_id
    return {
      role: "primary",
      state: stray ? "failed" : "primary",
      ...noThreads,
      last_errno: null,
      last_error: stray
        ? `not a replica of the shard's primary (node ${primaryNodeId}); the shard's converge makes it one`
        : null,
      needs_seed: false,
    }
  }
  const health = replicaHealth(status)
  // the thread that stopped (or keeps retrying) says why; a running replica has no error to show
  const error: { readonly errno: number | null; readonly message: string } | null =
    health.state === "failed"
      ? ((r.sql_running ? r.last_io_error : (r.last_sql_error ?? r.last_io_error)) ?? {
          errno: null,
          message: health.error,
        })
      : health.state === "connecting"
        ? r.last_io_error
        : null
  return {
    role: "replica",
    state: health.state,
    seconds_behind: r.seconds_behind,
    io_running: r.io_running,
    sql_running: r.sql_running,
    source_host: r.source_host,
    source_port: r.source_port,
    last_errno: error?.errno ?? null,
    last_error: error?.message ?? null,
    needs_seed: health.state === "failed" && health.needs_seed,
  }
}

/**
 * The control-plane worker's side of database shards' replication: which shards and nodes to
 * check, recording what they answered, and naming a promoted node the primary.
 */
export class DatabaseReplicationStates extends Effect.Service<DatabaseReplicationStates>()(
  "@hosting/DatabaseReplicationStates",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient

      const topologies = (where: Fragment) =>
        sql<{ id: string; primary_id: string | null; node_ids: ReadonlyArray<string> }>`SELECT s.id::text,
            s.config->>'primary_node_id' AS primary_id,
            ARRAY(SELECT ns.node_id::text FROM node_shards ns WHERE ns.shard_id = s.id ORDER BY 1) AS node_ids
          FROM shards s WHERE s.role = 'database' AND ${where} ORDER BY s.id`.pipe(
          Effect.map((rows) =>
            rows.map(
              (r): DatabaseShardTopology => ({
                shardId: r.id,
                nodeIds: r.node_ids,
                primaryNodeId: r.primary_id !== null && r.node_ids.includes(r.primary_id) ? r.primary_id : null,
              }),
            ),
          ),
          Effect.orDie,
        )

      /** Every database shard with at least one node. */
      const all = topologies(sql`EXISTS (SELECT 1 FROM node_shards ns WHERE ns.shard_id = s.id)`)

      /** One database shard (a typed failure when it is gone or not a database shard). */
      const topology = (shardId: string) =>
        topologies(sql`s.id = ${shardId}`).pipe(
          Effect.flatMap(([t]) =>
            t === undefined
              ? Effect.fail(new Conflict({ message: `shard ${shardId} is not a database shard` }))
              : Effect.succeed(t),
          ),
        )

      const record = (shardId: string, checkedAt: string, checks: ReadonlyArray<DatabaseReplicationCheck>) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const [t] = yield* topologies(sql`s.id = ${shardId}`)
              if (t === undefined) return []
              const verdicts: Array<DatabaseReplicationVerdict> = []
              for (const check of checks) {
                if (!t.nodeIds.includes(check.node_id)) continue
                const row = replicationRowOf(check, t.primaryNodeId)
                verdicts.push({ node_id: check.node_id, state: row.state, needs_seed: row.needs_seed })
                // a check that finished earlier (a schedule run overtaken by a failover's) never
                // overwrites a later one; an unreachable node keeps the role it last reported
                yield* sql`INSERT INTO database_replication (shard_id, node_id, role, state, seconds_behind,
                    io_running, sql_running, source_host, source_port, last_errno, last_error, needs_seed, checked_at)
                  VALUES (${shardId}, ${check.node_id}, ${row.role}, ${row.state}, ${row.seconds_behind},
                    ${row.io_running}, ${row.sql_running}, ${row.source_host}, ${row.source_port}, ${row.last_errno},
                    ${row.last_error}, ${row.needs_seed}, ${checkedAt})
                  ON CONFLICT (shard_id, node_id) DO UPDATE SET role = COALESCE(EXCLUDED.role, database_replication.role),
                    state = EXCLUDED.state, seconds_behind = EXCLUDED.seconds_behind, io_running = EXCLUDED.io_running,
                    sql_running = EXCLUDED.sql_running, source_host = EXCLUDED.source_host,
                    source_port = EXCLUDED.source_port, last_errno = EXCLUDED.last_errno,
                    last_error = EXCLUDED.last_error, needs_seed = EXCLUDED.needs_seed, checked_at = EXCLUDED.checked_at
                  WHERE database_replication.checked_at <= EXCLUDED.checked_at`
              }
              yield* sql`DELETE FROM database_replication r WHERE r.shard_id = ${shardId}
                AND NOT EXISTS (SELECT 1 FROM node_shards ns WHERE ns.shard_id = r.shard_id AND ns.node_id = r.node_id)`
              return verdicts
            }),
          )
          .pipe(Effect.orDie)

      /**
       * The shard's `primary_node_id` becomes `nodeId` (a node it still has): every database's
       * connection host and every later sync and converge follow, since they read it from there.
       */
      const setPrimary = (shardId: string, nodeId: string) =>
        sql<{
          id: string
        }>`UPDATE shards s SET config = jsonb_set(s.config, '{primary_node_id}', to_jsonb(${nodeId}::text)),
            updated_at = now()
          WHERE s.id = ${shardId} AND s.role = 'database'
            AND EXISTS (SELECT 1 FROM node_shards ns WHERE ns.shard_id = s.id AND ns.node_id = ${nodeId})
          RETURNING s.id::text`.pipe(
          Effect.orDie,
          Effect.flatMap((rows) =>
            rows.length === 1
              ? Effect.void
              : Effect.fail(
                  new Conflict({ message: `node ${nodeId} is no longer a node of database shard ${shardId}` }),
                ),
          ),
        )

      return { all, topology, record, setPrimary } as const
    }),
  },
) {}
