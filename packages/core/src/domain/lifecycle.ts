import { Schema } from "effect"

/** Status of every resource whose provisioning touches a node. */
export const ResourceStatus = Schema.Literal(
  "pending",
  "provisioning",
  "active",
  "failed",
  "suspended",
  "deleting",
).annotations({ title: "ResourceStatus" })
/** Lifecycle status of an async resource. */
export type ResourceStatus = typeof ResourceStatus.Type

/** Operations whose workflow ids are derived from the resource id. */
export type LifecycleOperation = "create" | "update" | "delete" | "retry" | "probe" | (string & {})

/**
 * Deterministic Temporal workflow id for one operation on one resource: a repeated request
 * maps to the same id, so Temporal refuses to start a second provisioner for it.
 */
export const workflowIdFor = (resourceType: string, resourceId: string, operation: LifecycleOperation): string =>
  `${resourceType}:${resourceId}:${operation}`

/** Temporal task queue of one node's agent. */
export const nodeTaskQueue = (nodeId: string): string => `node-${nodeId}`

/** Task queue of the control-plane worker (DB updates, DNS, LB pushes). */
export const CONTROL_PLANE_TASK_QUEUE = "control-plane"

/** Signal every serializer loops on: "the database changed under you, run another round". */
export const CHANGED_SIGNAL = "changed"

/** Signal to a waiting issuance (`fqdn:{id}:acme`): a round of the name's tenant was recorded. */
export const SERVED_SIGNAL = "served"

/**
 * Which of a resource's side effects a cause concerns, for resources whose status gathers
 * several rounds (an FQDN: its tenant's nginx round, its cluster's LB round, its zone's DNS round
 * and its certificate's issuance).
 */
export const SideEffect = Schema.Literal("web", "lb", "dns", "certificate").annotations({ title: "SideEffect" })
/** Which side effect of a resource a cause concerns. */
export type SideEffect = typeof SideEffect.Type

/** One reason a round failed: where (node, resource) and why. */
export const StatusCause = Schema.Struct({
  node_id: Schema.optional(Schema.String).annotations({ description: "the node that reported it, if one did" }),
  resource_type: Schema.optional(Schema.String).annotations({
    description: "the kind of resource it concerns (tenant, webroot, fqdn, dns_record, lb_route, …), if one",
  }),
  resource_id: Schema.optional(Schema.String).annotations({ description: "that resource's id or name" }),
  message: Schema.String,
  side: Schema.optional(SideEffect).annotations({
    description: "which of the resource's side effects it concerns (web, lb, dns, certificate), for an FQDN",
  }),
}).annotations({ title: "StatusCause" })
/** One reason a round failed. */
export type StatusCause = typeof StatusCause.Type

/** Why a resource is `failed`, cause by cause (`status_message` is the same as one line). */
export const StatusDetails = Schema.Struct({
  causes: Schema.Array(StatusCause),
}).annotations({ title: "StatusDetails" })
/** Why a resource is `failed`, cause by cause. */
export type StatusDetails = typeof StatusDetails.Type

/** The field every async resource carries beside `status_message`. */
export const StatusDetailsField = Schema.NullOr(StatusDetails).annotations({
  description: "why the resource failed, cause by cause (which node, which resource, what); null unless failed",
})

/** The longest `status_message` stored; the causes in `status_details` are kept whole. */
export const STATUS_MESSAGE_MAX = 4000

/** One cause as a line: `node N: type id: message`, the form `status_message` has always had. */
export const describeCause = (c: StatusCause): string =>
  [
    ...(c.node_id === undefined ? [] : [`node ${c.node_id}`]),
    ...(c.resource_type === undefined || c.resource_id === undefined ? [] : [`${c.resource_type} ${c.resource_id}`]),
    c.message,
  ].join(": ")

/** `status_message` of a list of causes: every line joined with "; ", capped. */
export const statusMessageOf = (causes: ReadonlyArray<StatusCause>): string =>
  causes.map(describeCause).join("; ").slice(0, STATUS_MESSAGE_MAX)
