import { NodesGroup } from "./contract-nodes.js"
import { ClustersGroup, LbAddressesGroup, RegionsGroup } from "./contract-regions.js"
import { ShardsGroup } from "./contract-shards.js"

/** Where things run: regions, clusters, LB addresses, shards and nodes, in the contract's order. */
export const topologyGroups = [RegionsGroup, ClustersGroup, LbAddressesGroup, ShardsGroup, NodesGroup] as const

export * from "./contract-nodes.js"
export * from "./contract-regions.js"
export * from "./contract-shards.js"
export * from "./domain.js"
export * from "./domain-node-probe.js"
