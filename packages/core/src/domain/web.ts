/**
 * The web tier on a node, as data: the spec a node receives (`web-spec`), where it keeps things
 * (`web-layout`), and the pure planners of its nginx sites, PHP-FPM pools and accounts.
 */
export * from "./web-accounts.js"
export * from "./web-layout.js"
export * from "./web-nginx.js"
export * from "./web-php.js"
export * from "./web-spec.js"
