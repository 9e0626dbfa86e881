import { defineFamily } from "../family.js"
import { LbSync } from "./sync.js"

/**
 * Load balancing: no resource of its own in the contract; each cluster's `fqdn → backend` routes
 * follow FQDNs and nodes through its serializer (`cluster:{id}:lb-sync`) on HAProxy nodes.
 */
export const lbFamily = defineFamily({ name: "lb", provides: [LbSync.Default] })

export * from "./plan.js"
export * from "./sync.js"
