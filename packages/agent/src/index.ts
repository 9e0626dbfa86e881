/** @hosting/agent: the node agent's activities and worker factory. */
export { type AgentIdentity, createNodeActivities } from "./activities.js"
export { type WebNodeConfig, webNodeConfigFromEnv } from "./web/config.js"
export { livePid, nodePaths, stopNodeServices } from "./web/daemons.js"
export { WebNode } from "./web/node.js"
export { createAgentWorker } from "./worker.js"
