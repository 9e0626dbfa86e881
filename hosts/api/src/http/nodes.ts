import { HttpApiBuilder } from "@effect/platform"
import { HostingApi, NodeProbes } from "@hosting/core"
import { Effect } from "effect"

/** Node operations: probing a node through its agent. */
export const NodesLive = HttpApiBuilder.group(HostingApi, "nodes", (handlers) =>
  Effect.gen(function* () {
    const probes = yield* NodeProbes
    return handlers
      .handle("probe", ({ path }) => probes.start(path.id))
      .handle("getProbe", ({ path }) => probes.get(path.id))
  }),
)
