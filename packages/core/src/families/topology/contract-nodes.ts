import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { idPath } from "../../api/endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "../../api/errors.js"
import { childResource } from "../../api/resource.js"
import { Authorization, PlatformOnly, RequiredScope, ToolDomain } from "../../api/security.js"
import { ClusterId, NodeId, NodeProbeId } from "../../domain/ids.js"
import { CreateNode, Node, UpdateNode } from "./domain.js"
import { NodeProbe } from "./domain-node-probe.js"

const node = childResource({
  name: "node",
  scope: "nodes",
  schema: Node,
  collection: "/clusters/:id/nodes",
  parent: ClusterId,
  path: "/nodes/:id",
  id: NodeId,
})

/** Nodes of a cluster, and probes that go through a node's agent (platform admins only). */
export class NodesGroup extends HttpApiGroup.make("nodes")
  .annotate(ToolDomain, "infrastructure")
  .add(node.list({ summary: "List the nodes of a cluster", sort: ["hostname", "created_at"] }))
  .add(
    node.create({
      summary: "Register a node in a cluster",
      payload: CreateNode,
      errors: [NotFoundError, ConflictError, InvalidInputError],
    }),
  )
  .add(node.get())
  .add(
    node.update({
      summary: "Change a node's hostname, addresses or shards",
      payload: UpdateNode,
      errors: [NotFoundError, InvalidInputError],
    }),
  )
  .add(node.delete({ summary: "Remove a node", errors: [NotFoundError] }))
  .add(
    HttpApiEndpoint.post("probe", "/nodes/:id/probes")
      .annotate(OpenApi.Summary, "Probe a node through its agent (async, 202)")
      .setPath(idPath(NodeId))
      .addSuccess(NodeProbe, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, node.write),
  )
  .add(
    HttpApiEndpoint.get("getProbe", "/node-probes/:id")
      .annotate(OpenApi.Summary, "Read a node probe")
      .setPath(idPath(NodeProbeId))
      .addSuccess(NodeProbe)
      .addError(NotFoundError)
      .annotate(RequiredScope, node.read),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
