import { Schema } from "effect"
import { NodeId, NodeProbeId } from "../../domain/ids.js"
import { ResourceStatus } from "../../domain/lifecycle.js"

/** Facts a node's agent reports about its machine. */
export class NodeFacts extends Schema.Class<NodeFacts>("NodeFacts")({
  hostname: Schema.String,
  platform: Schema.String,
  kernel: Schema.String,
  agent_version: Schema.String,
  uptime_seconds: Schema.Number,
  load_average: Schema.Tuple(Schema.Number, Schema.Number, Schema.Number),
  memory_total_bytes: Schema.Number,
  memory_free_bytes: Schema.Number,
  cpus: Schema.Number,
  reported_at: Schema.String,
}) {}

/**
 * A probe is the smallest async resource: a request to a node's agent that goes through the
 * whole chain (API → workflow → node task queue → database) and records what came back.
 */
export class NodeProbe extends Schema.Class<NodeProbe>("NodeProbe")({
  id: NodeProbeId,
  node_id: NodeId,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  workflow_id: Schema.String,
  facts: Schema.NullOr(NodeFacts),
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}
