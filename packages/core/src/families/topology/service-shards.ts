import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, ParseResult, Schema } from "effect"
import { Conflict, InvalidInput, notFound, Unavailable } from "../../domain/errors.js"
import { type ClusterId, randomUuid, type ShardId } from "../../domain/ids.js"
import { CONTROL_PLANE_TASK_QUEUE, type StatusCause, statusMessageOf, workflowIdFor } from "../../domain/lifecycle.js"
import type { ListQuery } from "../../domain/list.js"
import { recordOutcome } from "../../lifecycle/rounds.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import { onConstraint } from "../../sql/constraints.js"
import { getById, type ListSpec, listChildren } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import {
  ConvergeShardResult,
  type CreateShard,
  PlannedChange,
  Shard,
  type ShardConfig,
  ShardConfigByRole,
  type ShardRole,
  shardConfigProblem,
  type UpdateShard,
} from "./domain.js"
import { agentTimeoutSeconds } from "./service-node-probes.js"

/** Workflow type of shard convergence, shared by starter and worker. */
export const CONVERGE_SHARD_WORKFLOW = "ConvergeShardWorkflow"

const select = `t.id, t.cluster_id, t.name, t.role, t.config, t.status, t.status_message, t.status_details, t.created_at, t.updated_at,
  ARRAY(SELECT ns.node_id::text FROM node_shards ns WHERE ns.shard_id = t.id ORDER BY 1) AS node_ids`

const spec: ListSpec = {
  from: "shards t",
  select,
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
}

/** Shards: role-specific sets of nodes, with convergence and retry. */
export class Shards extends Effect.Service<Shards>()("@hosting/Shards", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const engine = yield* WorkflowEngine
    const decode = rowDecoder(Shard)
    // How long convergence waits for each node's agent before reporting that node as failed.
    const nodeTimeoutSeconds = yield* agentTimeoutSeconds

    /** The config if its role takes every setting in it (and a primary is a node of the shard). */
    const validConfig = (
      role: ShardRole,
      config: typeof ShardConfig.Type | undefined,
      nodeIds: ReadonlyArray<string>,
    ) => {
      const problem = shardConfigProblem(role, config ?? {})
      if (problem !== undefined) return Effect.fail(new InvalidInput({ message: `config: ${problem}` }))
      return validValues(role, config, nodeIds)
    }

    const validValues = (role: ShardRole, config: unknown, nodeIds: ReadonlyArray<string>) =>
      // explicit: the strict() annotation alone lets unknown keys through an empty struct
      Schema.decodeUnknown(ShardConfigByRole[role] as Schema.Schema<{ readonly primary_node_id?: string }>, {
        onExcessProperty: "error",
      })(config ?? {}).pipe(
        Effect.mapError(
          (e) =>
            new InvalidInput({
              message: `config for a ${role} shard: ${ParseResult.TreeFormatter.formatErrorSync(e)}`,
            }),
        ),
        Effect.filterOrFail(
          (c) => c.primary_node_id === undefined || nodeIds.includes(c.primary_node_id),
          () => new InvalidInput({ message: "config.primary_node_id must be a node of this shard" }),
        ),
      )

    const get = Effect.fn("Shards.get")(function* (id: ShardId) {
      return yield* getById(sql, spec, id, "shard", decode)
    })

    const list = (clusterId: ClusterId, query: ListQuery) =>
      listChildren(
        sql,
        spec,
        query,
        { table: "clusters", column: "cluster_id", id: clusterId, what: "cluster" },
        decode,
      )

    const duplicate = () => new Conflict({ message: "a shard with this name already exists in the cluster" })

    const create = Effect.fn("Shards.create")(function* (clusterId: ClusterId, input: typeof CreateShard.Type) {
      const config = yield* validConfig(input.role, input.config, [])
      const id = randomUuid()
      yield* sql`INSERT INTO shards (id, cluster_id, name, role, config, status)
        VALUES (${id}, ${clusterId}, ${input.name}, ${input.role}, ${JSON.stringify(config)}::jsonb, 'active')`.pipe(
        onConstraint({ unique: duplicate, foreignKey: () => notFound("cluster", clusterId) }),
      )
      return yield* get(id as ShardId)
    })

    const update = Effect.fn("Shards.update")(function* (id: ShardId, patch: typeof UpdateShard.Type) {
      const current = yield* get(id)
      const config =
        patch.config === undefined ? current.config : yield* validConfig(current.role, patch.config, current.node_ids)
      yield* sql`UPDATE shards SET name = ${patch.name ?? current.name}, config = ${JSON.stringify(config)}::jsonb,
        updated_at = now() WHERE id = ${id}`.pipe(onConstraint({ unique: duplicate }))
      return yield* get(id)
    })

    const remove = Effect.fn("Shards.remove")(function* (id: ShardId) {
      const shard = yield* get(id)
      if (shard.node_ids.length > 0) {
        return yield* Effect.fail(new Conflict({ message: "the shard still has nodes; move or delete them first" }))
      }
      yield* sql`DELETE FROM shards WHERE id = ${id}`.pipe(
        onConstraint({ foreignKey: () => new Conflict({ message: "the shard still hosts resources" }) }),
      )
    })

    const startConverge = Effect.fn("Shards.startConverge")(function* (id: ShardId) {
      const workflowId = workflowIdFor("shard", id, "converge")
      // never beside a database shard's failover: a converge that read the old primary would make
      // the new one follow it (a converge already running is joined, as before)
      const started =
        yield* sql`UPDATE shards SET status = 'provisioning', status_message = NULL, status_details = NULL, last_operation = 'converge',
        workflow_id = ${workflowId}, updated_at = now()
        WHERE id = ${id} AND NOT (status = 'provisioning' AND last_operation = 'failover') RETURNING id`.pipe(
          Effect.orDie,
        )
      if (started.length === 0)
        return yield* Effect.fail(
          new Conflict({ message: `shard ${id} is failing over; converge it when that is done` }),
        )
      yield* engine
        .start({
          workflowType: CONVERGE_SHARD_WORKFLOW,
          workflowId,
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          args: [{ shardId: id, nodeTimeoutSeconds }],
        })
        .pipe(Effect.tapError((e) => finish(id, [{ message: `could not start workflow: ${e.message}` }])))
      return yield* get(id)
    })

    /**
     * Converges a shard, or with `plan` reports what converging would change without changing
     * anything. The web tier and other roles add their planners; a shard whose role has no
     * resources yet has nothing to change.
     */
    const converge = Effect.fn("Shards.converge")(function* (id: ShardId, plan: boolean) {
      const shard = yield* get(id)
      if (!plan) return ConvergeShardResult.make({ shard: yield* startConverge(id), plan: null })
      // a dry run asks every node what it would change; nothing is written anywhere
      const outcome = (yield* engine.execute({
        workflowType: CONVERGE_SHARD_WORKFLOW,
        workflowId: workflowIdFor("shard", id, `plan-${randomUuid()}`),
        taskQueue: CONTROL_PLANE_TASK_QUEUE,
        args: [{ shardId: id, nodeTimeoutSeconds, plan: true }],
        timeoutSeconds: nodeTimeoutSeconds + 60,
      })) as { readonly changes: ReadonlyArray<unknown>; readonly causes: ReadonlyArray<StatusCause> }
      if (outcome.causes.length > 0)
        return yield* Effect.fail(new Unavailable({ message: `could not plan: ${statusMessageOf(outcome.causes)}` }))
      const changes = yield* Schema.decodeUnknown(Schema.Array(PlannedChange))(outcome.changes).pipe(Effect.orDie)
      return ConvergeShardResult.make({ shard, plan: changes })
    })

    const retry = Effect.fn("Shards.retry")(function* (id: ShardId) {
      const shard = yield* get(id)
      if (shard.status !== "failed") {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed shard can be retried; this one is ${shard.status}` }),
        )
      }
      return yield* startConverge(id)
    })

    /** Records the outcome of a convergence: active, or failed with every node's error. */
    const finish = (id: ShardId, causes: ReadonlyArray<StatusCause>) =>
      recordOutcome(sql, "shards", id, causes).pipe(Effect.orDie, Effect.asVoid)

    const nodeIds = (id: ShardId) => Effect.map(get(id), (s) => s.node_ids)

    return { list, get, create, update, remove, converge, retry, finish, nodeIds } as const
  }),
}) {}
