import { Schema } from "effect"
import { ClusterId, LbAddressId, NodeId, RegionId, ShardId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { Hostname, IpAddress, Slug, strict } from "../../domain/validation.js"
import { Port } from "../lb/plan.js"

/** A region: a location with its own clusters and runtime offering. */
export class Region extends Schema.Class<Region>("Region")({
  id: RegionId,
  name: Slug,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /regions and PUT /regions/{id}. */
export const RegionInput = strict(Schema.Struct({ name: Slug }))

/** Runtimes a webroot can use. */
export const RuntimeName = Schema.Literal("php", "node", "python", "ruby", "static", "worker")

/** Runtime versions a region offers (`php` → `["8.2", "8.3"]`). */
export const RegionRuntimes = strict(
  Schema.Struct({
    runtimes: Schema.Array(
      strict(
        Schema.Struct({
          runtime: RuntimeName,
          versions: Schema.Array(Schema.String.pipe(Schema.pattern(/^[0-9]+(\.[0-9]+){0,2}$/))).pipe(
            Schema.maxItems(32),
          ),
        }),
      ),
    ).pipe(
      Schema.maxItems(6),
      Schema.filter((rs) => new Set(rs.map((r) => r.runtime)).size === rs.length || "each runtime may appear once"),
    ),
  }),
)

/** A cluster of nodes in a region, fronted by its load balancer addresses. */
export class Cluster extends Schema.Class<Cluster>("Cluster")({
  id: ClusterId,
  region_id: RegionId,
  name: Slug,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /regions/{id}/clusters and PUT /clusters/{id}. */
export const ClusterInput = strict(Schema.Struct({ name: Slug }))

/** An address of a cluster's load balancers; DNS records for bound names point here. */
export class LbAddress extends Schema.Class<LbAddress>("LbAddress")({
  id: LbAddressId,
  cluster_id: ClusterId,
  address: IpAddress,
  family: Schema.Literal(4, 6),
  created_at: Schema.String,
}) {}

/** Body of POST /clusters/{id}/lb-addresses. */
export const LbAddressInput = strict(Schema.Struct({ address: IpAddress }))

/** What a shard does; nodes take their roles from their shards. */
export const ShardRole = Schema.Literal("web", "database", "dns", "email", "valkey", "s3", "lb")
/** Shard role. */
export type ShardRole = typeof ShardRole.Type

const primaryNodeId = Schema.optional(NodeId).annotations({
  description: "database, valkey: the node that takes writes (a node of the shard)",
})
const webPort = Schema.optional(
  Port.annotations({ description: "lb: HTTP port of the web nodes behind the LB (8000)" }),
)
const mariadbPort = Schema.optional(
  Port.annotations({
    description: "database: MariaDB's TCP port on the shard's nodes, which databases tell applications (3306)",
  }),
)

/**
 * Settings a shard's config may hold; which of them a shard takes depends on its role
 * (ShardConfigByRole). Every value is typed, so nothing free-form (line breaks, NUL, megabytes)
 * is ever stored.
 */
export const ShardConfig = strict(
  Schema.Struct({ primary_node_id: primaryNodeId, web_port: webPort, mariadb_port: mariadbPort }),
).annotations({
  title: "ShardConfig",
  description:
    "role settings: primary_node_id (database, valkey), web_port (lb), mariadb_port (database); web, dns, email and s3 take none ({})",
})

/**
 * The settings each role's shards take, from what the code reads: the LB sync reads an lb
 * shard's `web_port`; nothing reads a web, dns, email or s3 shard's config, so those take none;
 * database and valkey shards name their primary; a database shard's `mariadb_port` is the port
 * its databases tell applications to connect to (every node of a shard listens on the same one).
 */
export const SHARD_SETTINGS: Readonly<Record<ShardRole, ReadonlyArray<keyof typeof ShardConfig.Type>>> = {
  web: [],
  database: ["primary_node_id", "mariadb_port"],
  dns: [],
  email: [],
  valkey: ["primary_node_id"],
  s3: [],
  lb: ["web_port"],
}

/** Why a config holds settings its shard's role does not take, or undefined when it fits. */
export const shardConfigProblem = (role: ShardRole, config: object): string | undefined => {
  const allowed: ReadonlyArray<string> = SHARD_SETTINGS[role]
  const foreign = Object.keys(config).filter((k) => !allowed.includes(k))
  if (foreign.length === 0) return undefined
  const takes = allowed.length === 0 ? "none (config must be {})" : allowed.join(", ")
  return `${foreign.join(", ")} ${foreign.length === 1 ? "is not a setting" : "are not settings"} of a ${role} shard; it takes ${takes}`
}

const WithPrimary = strict(Schema.Struct({ primary_node_id: primaryNodeId }))
const DatabaseOptions = strict(Schema.Struct({ primary_node_id: primaryNodeId, mariadb_port: mariadbPort }))
// an empty Struct accepts any value (it has no properties to check excess ones against)
const NoOptions = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
  Schema.filter((c) => Object.keys(c).length === 0 || "this role takes no settings: config must be {}"),
)
const LbOptions = strict(Schema.Struct({ web_port: webPort }))

/** Per-role shard settings as Schemas (SHARD_SETTINGS); anything a role does not know is refused. */
export const ShardConfigByRole = {
  web: NoOptions,
  database: DatabaseOptions,
  dns: NoOptions,
  email: NoOptions,
  valkey: WithPrimary,
  s3: NoOptions,
  lb: LbOptions,
} as const satisfies Record<ShardRole, Schema.Schema.Any>

/** A shard: a set of nodes serving one role in a cluster. */
export class Shard extends Schema.Class<Shard>("Shard")({
  id: ShardId,
  cluster_id: ClusterId,
  name: Slug,
  role: ShardRole,
  config: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  node_ids: Schema.Array(NodeId),
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /clusters/{id}/shards. */
export const CreateShard = strict(
  Schema.Struct({
    name: Slug,
    role: ShardRole,
    config: Schema.optional(ShardConfig),
  }),
)

/** Body of PUT /shards/{id}. */
export const UpdateShard = strict(
  Schema.Struct({
    name: Schema.optional(Slug),
    config: Schema.optional(ShardConfig),
  }),
)

/** Body of POST /shards/{id}/converge. */
export const ConvergeShardRequest = strict(
  Schema.Struct({ plan: Schema.optional(Schema.Boolean).annotations({ description: "dry run: report changes only" }) }),
)

/** One change convergence would make (or made). */
export const PlannedChange = Schema.Struct({
  node_id: NodeId,
  action: Schema.Literal("create", "update", "delete"),
  kind: Schema.String,
  target: Schema.String,
  detail: Schema.optional(Schema.String),
})

/** Answer of a converge request: the shard, and with `plan: true` the changes it would make. */
export class ConvergeShardResult extends Schema.Class<ConvergeShardResult>("ConvergeShardResult")({
  shard: Shard,
  plan: Schema.NullOr(Schema.Array(PlannedChange)),
}) {}

/** A machine running the agent; its task queue is `node-{id}`. */
export class Node extends Schema.Class<Node>("Node")({
  id: NodeId,
  cluster_id: ClusterId,
  hostname: Hostname,
  addresses: Schema.Array(IpAddress),
  shard_ids: Schema.Array(ShardId),
  roles: Schema.Array(ShardRole),
  task_queue: Schema.String,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /clusters/{id}/nodes; `id` is the agent's HOSTING_NODE_ID when it has one. */
export const CreateNode = strict(
  Schema.Struct({
    id: Schema.optional(NodeId),
    hostname: Hostname,
    addresses: Schema.optional(Schema.Array(IpAddress).pipe(Schema.maxItems(16))),
    shard_ids: Schema.optional(Schema.Array(ShardId).pipe(Schema.maxItems(16))),
  }),
)

/** Body of PUT /nodes/{id}. */
export const UpdateNode = strict(
  Schema.Struct({
    hostname: Schema.optional(Hostname),
    addresses: Schema.optional(Schema.Array(IpAddress).pipe(Schema.maxItems(16))),
    shard_ids: Schema.optional(Schema.Array(ShardId).pipe(Schema.maxItems(16))),
  }),
)
