import { Config, Effect, Option } from "effect"
import { notFound } from "../../domain/errors.js"
import { type NodeId, NodeProbeId, randomUuid } from "../../domain/ids.js"
import { CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../../domain/lifecycle.js"
import { WorkflowEngine } from "../../lifecycle/workflow-engine.js"
import type { NodeFacts } from "./domain-node-probe.js"
import { TopologyRepo } from "./repo.js"
import { NodeProbesRepo } from "./repo-node-probes.js"

/**
 * How long the platform waits for a node's agent (probes, convergence) before reporting the
 * node as failed: long enough to ride out an agent restart.
 */
export const agentTimeoutSeconds = Config.integer("HOSTING_AGENT_TIMEOUT_SECONDS").pipe(
  Config.withDefault(60),
  Config.validate({ message: "must be between 1 and 3600", validation: (n) => n >= 1 && n <= 3600 }),
)

/** Workflow type name of the probe workflow, shared by starter and worker. */
export const PROBE_NODE_WORKFLOW = "ProbeNodeWorkflow"

/** Probing a node: the first end-to-end path through API, Temporal, agent and database. */
export class NodeProbes extends Effect.Service<NodeProbes>()("@hosting/NodeProbes", {
  effect: Effect.gen(function* () {
    const probes = yield* NodeProbesRepo
    const topology = yield* TopologyRepo
    const engine = yield* WorkflowEngine
    const timeoutSeconds = yield* agentTimeoutSeconds

    const start = Effect.fn("NodeProbes.start")(function* (nodeId: NodeId) {
      const node = yield* topology.findNode(nodeId)
      if (node === undefined) return yield* Effect.fail(notFound("node", nodeId))
      const id = NodeProbeId.make(randomUuid())
      const workflowId = workflowIdFor("node-probe", id, "probe")
      const probe = yield* probes.insert({ id, nodeId, workflowId })
      // The row exists before the workflow starts, so a crash between the two leaves a visible
      // pending probe rather than a workflow that updates a missing row.
      yield* engine
        .start({
          workflowType: PROBE_NODE_WORKFLOW,
          workflowId,
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          args: [{ probeId: id, nodeId, timeoutSeconds }],
        })
        .pipe(Effect.tapError((e) => probes.setStatus(id, "failed", `could not start workflow: ${e.message}`)))
      return probe
    })

    const get = Effect.fn("NodeProbes.get")(function* (id: NodeProbeId) {
      return yield* Effect.flatMap(
        probes.get(id),
        Option.match({ onNone: () => Effect.fail(notFound("node probe", id)), onSome: Effect.succeed }),
      )
    })

    const markProvisioning = (id: NodeProbeId) => probes.setStatus(id, "provisioning", null).pipe(Effect.asVoid)
    const complete = (id: NodeProbeId, facts: NodeFacts) =>
      probes.setStatus(id, "active", null, facts).pipe(Effect.asVoid)
    const fail = (id: NodeProbeId, message: string) => probes.setStatus(id, "failed", message).pipe(Effect.asVoid)

    return { start, get, markProvisioning, complete, fail } as const
  }),
  dependencies: [NodeProbesRepo.Default, TopologyRepo.Default],
}) {}
