/**
 * @hosting/core/node: what a node agent needs — the specs it receives, the pure planners and the
 * node managers over injected capabilities. No contract, no repositories, no SQL services: an
 * architecture test keeps this entry's imports inside domain/ and managers/.
 */
export type * from "./activities/index.js"
export { Rrset } from "./domain/dns.js"
export * from "./domain/dns-plan.js"
export { NodeId } from "./domain/ids.js"
export * from "./domain/lb.js"
export * from "./domain/lb-cli.js"
export { nodeTaskQueue } from "./domain/lifecycle.js"
export { TenantName } from "./domain/tenancy.js"
export { Hostname, ipFamily } from "./domain/validation.js"
export * from "./domain/web.js"
export * from "./managers/accounts.js"
export * from "./managers/apps.js"
export * from "./managers/certificate-files.js"
export * from "./managers/changes.js"
export * from "./managers/haproxy.js"
export * from "./managers/nginx.js"
export * from "./managers/php-fpm.js"
export * from "./managers/powerdns.js"
export * from "./settings.js"
