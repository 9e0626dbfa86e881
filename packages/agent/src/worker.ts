import { nodeTaskQueue } from "@hosting/core/node"
import { type NativeConnection, Worker } from "@temporalio/worker"
import { type AgentIdentity, createNodeActivities } from "./activities.js"
import type { DnsNode } from "./dns/node.js"
import type { LbNode } from "./lb/node.js"
import type { WebNode } from "./web/node.js"

/** The agent's worker: node activities only, on `node-{uuid}`; it runs no workflows. */
export const createAgentWorker = (options: {
  readonly connection: NativeConnection
  readonly namespace: string
  readonly identity: AgentIdentity
  readonly web?: WebNode | undefined
  readonly lb?: LbNode | undefined
  readonly dns?: DnsNode | undefined
}) =>
  Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: nodeTaskQueue(options.identity.nodeId),
    activities: createNodeActivities(options.identity, options.web, options.lb, options.dns),
  })
