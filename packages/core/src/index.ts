/** @hosting/core: the pure domain, contract, repositories and services of the platform. */

export type * from "./activities/index.js"
export * from "./api/index.js"
export * from "./families/index.js"
export * from "./lifecycle/index.js"
export * from "./managers/nginx.js"
export * from "./managers/powerdns.js"
export * from "./settings.js"
export * from "./sql/constraints.js"
export * from "./sql/list.js"
export * from "./sql/migrations.js"
export * from "./sql/rows.js"
