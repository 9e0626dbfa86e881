/** @hosting/core: the pure domain, contract, repositories and services of the platform. */

export type * from "./activities/index.js"
export * from "./api/index.js"
export * from "./services/node-probes.js"
export * from "./services/workflow-engine.js"
export * from "./sql/api-keys.js"
export * from "./sql/migrations.js"
export * from "./sql/node-probes.js"
export * from "./sql/rows.js"
export * from "./sql/topology.js"
