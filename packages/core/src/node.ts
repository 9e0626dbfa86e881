/**
 * @hosting/core/node: what a node agent needs — the specs it receives, the pure planners and the
 * node managers over injected capabilities. No contract, no repositories, no SQL services: an
 * architecture test keeps this entry's imports inside domain/ and managers/.
 */
export type * from "./activities/index.js"
export { NodeId } from "./domain/ids.js"
export { nodeTaskQueue } from "./domain/lifecycle.js"
export { Hostname, ipFamily } from "./domain/validation.js"
export { Rrset } from "./families/dns/domain.js"
export * from "./families/dns/plan.js"
export * from "./families/lb/plan.js"
export * from "./families/lb/plan-cli.js"
export { TenantName } from "./families/tenancy/domain.js"
export * from "./families/tenancy/plan.js"
export * from "./managers/accounts.js"
export * from "./managers/apps.js"
export * from "./managers/certificate-files.js"
export * from "./managers/changes.js"
export * from "./managers/haproxy.js"
export * from "./managers/nginx.js"
export * from "./managers/php-fpm.js"
export * from "./managers/powerdns.js"
export * from "./settings.js"
