import { HttpApiBuilder } from "@effect/platform"
import { HostingApi, NodeProbes, Nodes, Regions, ShardReplications, Shards } from "@hosting/core"
import { Effect } from "effect"

/** Regions and their runtimes. */
export const RegionsLive = HttpApiBuilder.group(HostingApi, "regions", (handlers) =>
  Effect.gen(function* () {
    const regions = yield* Regions
    return handlers
      .handle("list", ({ urlParams }) => regions.list(urlParams))
      .handle("create", ({ payload }) => regions.create(payload.name))
      .handle("get", ({ path }) => regions.get(path.id))
      .handle("update", ({ path, payload }) => regions.rename(path.id, payload.name))
      .handle("delete", ({ path }) => regions.remove(path.id))
      .handle("getRuntimes", ({ path }) => regions.runtimes(path.id))
      .handle("setRuntimes", ({ path, payload }) => regions.setRuntimes(path.id, payload))
  }),
)

/** Clusters. */
export const ClustersLive = HttpApiBuilder.group(HostingApi, "clusters", (handlers) =>
  Effect.gen(function* () {
    const regions = yield* Regions
    return handlers
      .handle("list", ({ path, urlParams }) => regions.listClusters(path.id, urlParams))
      .handle("create", ({ path, payload }) => regions.createCluster(path.id, payload.name))
      .handle("get", ({ path }) => regions.getCluster(path.id))
      .handle("update", ({ path, payload }) => regions.renameCluster(path.id, payload.name))
      .handle("delete", ({ path }) => regions.removeCluster(path.id))
  }),
)

/** Load-balancer addresses. */
export const LbAddressesLive = HttpApiBuilder.group(HostingApi, "lbAddresses", (handlers) =>
  Effect.gen(function* () {
    const regions = yield* Regions
    return handlers
      .handle("list", ({ path, urlParams }) => regions.listLbAddresses(path.id, urlParams))
      .handle("create", ({ path, payload }) => regions.createLbAddress(path.id, payload.address))
      .handle("get", ({ path }) => regions.getLbAddress(path.id))
      .handle("delete", ({ path }) => regions.removeLbAddress(path.id))
  }),
)

/** Shards, convergence and retry; a database shard's replication and failover. */
export const ShardsLive = HttpApiBuilder.group(HostingApi, "shards", (handlers) =>
  Effect.gen(function* () {
    const shards = yield* Shards
    const replication = yield* ShardReplications
    return handlers
      .handle("list", ({ path, urlParams }) => shards.list(path.id, urlParams))
      .handle("create", ({ path, payload }) => shards.create(path.id, payload))
      .handle("get", ({ path }) => shards.get(path.id))
      .handle("update", ({ path, payload }) => shards.update(path.id, payload))
      .handle("delete", ({ path }) => shards.remove(path.id))
      .handle("converge", ({ path, payload }) => shards.converge(path.id, payload.plan ?? false))
      .handle("retry", ({ path }) => shards.retry(path.id))
      .handle("replication", ({ path }) => replication.get(path.id))
      .handle("failover", ({ path, payload }) => replication.failover(path.id, payload.node_id))
  }),
)

/** Nodes and node probes. */
export const NodesLive = HttpApiBuilder.group(HostingApi, "nodes", (handlers) =>
  Effect.gen(function* () {
    const nodes = yield* Nodes
    const probes = yield* NodeProbes
    return handlers
      .handle("list", ({ path, urlParams }) => nodes.list(path.id, urlParams))
      .handle("create", ({ path, payload }) => nodes.create(path.id, payload))
      .handle("get", ({ path }) => nodes.get(path.id))
      .handle("update", ({ path, payload }) => nodes.update(path.id, payload))
      .handle("delete", ({ path }) => nodes.remove(path.id))
      .handle("probe", ({ path }) => probes.start(path.id))
      .handle("getProbe", ({ path }) => probes.get(path.id))
  }),
)

/** The topology family's handlers, in the contract's order. */
export const topologyHandlers = [RegionsLive, ClustersLive, LbAddressesLive, ShardsLive, NodesLive] as const
