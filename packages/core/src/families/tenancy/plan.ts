/**
 * The web tier on a node, as data: the spec a node receives (`web-spec`), where it keeps things
 * (`web-layout`), and the pure planners of its nginx sites, PHP-FPM pools and accounts.
 */

export * from "./domain-spec.js"
export * from "./plan-accounts.js"
export * from "./plan-layout.js"
export * from "./plan-nginx.js"
export * from "./plan-php.js"
