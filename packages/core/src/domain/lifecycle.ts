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
