import { defineFamily } from "../family.js"
import { TopologyRepo } from "./repo.js"
import { NodeProbes } from "./service-node-probes.js"
import { Nodes } from "./service-nodes.js"
import { Regions } from "./service-regions.js"
import { Shards } from "./service-shards.js"

/** Topology: regions, clusters, LB addresses, shards, nodes and node probes (platform admins). */
export const topologyFamily = defineFamily({
  name: "topology",
  services: [Regions.Default, Shards.Default, Nodes.Default, NodeProbes.Default, TopologyRepo.Default],
})

export * from "./contract.js"
export * from "./repo.js"
export * from "./repo-node-probes.js"
export * from "./service-node-probes.js"
export * from "./service-nodes.js"
export * from "./service-regions.js"
export * from "./service-shards.js"
