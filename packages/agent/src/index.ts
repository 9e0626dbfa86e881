/** @hosting/agent: the node agent's activities and worker factory. */
export { type AgentIdentity, createNodeActivities } from "./activities.js"
export { createAgentWorker } from "./worker.js"
