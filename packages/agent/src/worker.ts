import { nodeTaskQueue } from "@hosting/core/node"
import { type NativeConnection, Worker } from "@temporalio/worker"
import { type AgentIdentity, createNodeActivities } from "./activities.js"
import type { AgentRole } from "./roles.js"

/** The agent's worker: its roles' node activities only, on `node-{uuid}`; it runs no workflows. */
export const createAgentWorker = (options: {
  readonly connection: NativeConnection
  readonly namespace: string
  readonly identity: AgentIdentity
  readonly roles: ReadonlyArray<AgentRole>
}) =>
  Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: nodeTaskQueue(options.identity.nodeId),
    activities: createNodeActivities(options.identity, options.roles),
  })
