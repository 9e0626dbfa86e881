import { nodeTaskQueue } from "@hosting/core/api"
import { type NativeConnection, Worker } from "@temporalio/worker"
import { type AgentIdentity, createNodeActivities } from "./activities.js"

/** The agent's worker: node activities only, on `node-{uuid}`; it runs no workflows. */
export const createAgentWorker = (options: {
  readonly connection: NativeConnection
  readonly namespace: string
  readonly identity: AgentIdentity
}) =>
  Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: nodeTaskQueue(options.identity.nodeId),
    activities: createNodeActivities(options.identity),
  })
