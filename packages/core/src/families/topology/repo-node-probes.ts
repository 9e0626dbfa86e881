import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Option } from "effect"
import type { NodeId, NodeProbeId } from "../../domain/ids.js"
import { rowDecoder } from "../../sql/rows.js"
import { type NodeFacts, NodeProbe } from "./domain-node-probe.js"

/** Persistence of node probes. */
export class NodeProbesRepo extends Effect.Service<NodeProbesRepo>()("@hosting/NodeProbesRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const decode = rowDecoder(NodeProbe)
    const one = (rows: ReadonlyArray<unknown>) =>
      rows[0] === undefined ? Effect.succeed(Option.none<NodeProbe>()) : Effect.map(decode(rows[0]), Option.some)

    const insert = Effect.fn("NodeProbesRepo.insert")(function* (p: {
      readonly id: NodeProbeId
      readonly nodeId: NodeId
      readonly workflowId: string
    }) {
      const rows = yield* sql`INSERT INTO node_probes (id, node_id, status, workflow_id)
        VALUES (${p.id}, ${p.nodeId}, 'pending', ${p.workflowId}) RETURNING *`
      return yield* decode(rows[0])
    }, Effect.orDie)

    const get = Effect.fn("NodeProbesRepo.get")(function* (id: NodeProbeId) {
      return yield* one(yield* sql`SELECT * FROM node_probes WHERE id = ${id}`)
    }, Effect.orDie)

    const setStatus = Effect.fn("NodeProbesRepo.setStatus")(function* (
      id: NodeProbeId,
      status: "provisioning" | "active" | "failed",
      statusMessage: string | null,
      facts?: NodeFacts,
    ) {
      const factsJson = facts === undefined ? null : JSON.stringify(facts)
      return yield* one(
        yield* sql`UPDATE node_probes SET status = ${status}, status_message = ${statusMessage},
          facts = COALESCE(${factsJson}::jsonb, facts), updated_at = now()
          WHERE id = ${id} RETURNING *`,
      )
    }, Effect.orDie)

    return { insert, get, setStatus } as const
  }),
}) {}
