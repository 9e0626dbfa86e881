import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { ClusterId, NodeId, NodeProbeId } from "../domain/ids.js"
import { NodeProbe } from "../domain/node-probe.js"
import { CreateNode, Node, UpdateNode } from "../domain/topology.js"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { Authorization, PlatformOnly, RequiredScope } from "./security.js"

const nodePath = idPath(NodeId)

/** Nodes of a cluster, and probes that go through a node's agent (platform admins only). */
export class NodesGroup extends HttpApiGroup.make("nodes")
  .add(
    listEndpoint("list", "/clusters/:id/nodes", Node, {
      summary: "List the nodes of a cluster",
      scope: "nodes:read",
      sort: ["hostname", "created_at"],
    })
      .setPath(idPath(ClusterId))
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/clusters/:id/nodes")
      .annotate(OpenApi.Summary, "Register a node in a cluster")
      .setPath(idPath(ClusterId))
      .setPayload(CreateNode)
      .addSuccess(Node, { status: 201 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "nodes:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/nodes/:id")
      .annotate(OpenApi.Summary, "Read a node")
      .setPath(nodePath)
      .addSuccess(Node)
      .addError(NotFoundError)
      .annotate(RequiredScope, "nodes:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/nodes/:id")
      .annotate(OpenApi.Summary, "Change a node's hostname, addresses or shards")
      .setPath(nodePath)
      .setPayload(UpdateNode)
      .addSuccess(Node)
      .addError(NotFoundError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "nodes:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/nodes/:id")
      .annotate(OpenApi.Summary, "Remove a node")
      .setPath(nodePath)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .annotate(RequiredScope, "nodes:write"),
  )
  .add(
    HttpApiEndpoint.post("probe", "/nodes/:id/probes")
      .annotate(OpenApi.Summary, "Probe a node through its agent (async, 202)")
      .setPath(nodePath)
      .addSuccess(NodeProbe, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "nodes:write"),
  )
  .add(
    HttpApiEndpoint.get("getProbe", "/node-probes/:id")
      .annotate(OpenApi.Summary, "Read a node probe")
      .setPath(idPath(NodeProbeId))
      .addSuccess(NodeProbe)
      .addError(NotFoundError)
      .annotate(RequiredScope, "nodes:read"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
