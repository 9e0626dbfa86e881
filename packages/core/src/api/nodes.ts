import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { NodeId, NodeProbeId } from "../domain/ids.js"
import { NodeProbe } from "../domain/node-probe.js"
import { NotFoundError, UnavailableError } from "./errors.js"
import { Authorization, PlatformOnly, RequiredScope } from "./security.js"

/** Node operations that go through a node's agent. */
export class NodesGroup extends HttpApiGroup.make("nodes")
  .add(
    HttpApiEndpoint.post("probe", "/nodes/:id/probes")
      .setPath(Schema.Struct({ id: NodeId }))
      .addSuccess(NodeProbe, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "nodes:write"),
  )
  .add(
    HttpApiEndpoint.get("getProbe", "/node-probes/:id")
      .setPath(Schema.Struct({ id: NodeProbeId }))
      .addSuccess(NodeProbe)
      .addError(NotFoundError)
      .annotate(RequiredScope, "nodes:read"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
