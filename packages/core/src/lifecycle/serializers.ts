import { Effect } from "effect"
import type { SyncDatabaseInput, SyncLbInput, SyncTenantInput, SyncZoneInput } from "../activities/index.js"
import { CHANGED_SIGNAL, CONTROL_PLANE_TASK_QUEUE, workflowIdFor } from "../domain/lifecycle.js"
import type { SyncMailDomainInput } from "../families/email/activities-sync.js"
import type { SyncS3BucketInput } from "../families/s3/activities.js"
import { agentTimeoutSeconds } from "../families/topology/service-node-probes.js"
import { WorkflowEngine } from "./workflow-engine.js"

/**
 * A family's serializer: one workflow per resource (`{resourceType}:{id}:{operation}`) that reads
 * the resource's whole desired state each round and ensures it on its nodes, looping while the
 * `changed` signal says more changed. Writers hand changes over with signal-with-start, so two
 * changes never race and none is lost.
 */
export interface Serializer<I> {
  /** Workflow type the control-plane worker registers. */
  readonly workflowType: string
  /** First part of the workflow id. */
  readonly resourceType: string
  /** Last part of the workflow id. */
  readonly operation: string
  /** The workflow's argument for one resource. */
  readonly input: (id: string, nodeTimeoutSeconds: number) => I
}

/** One tenant's web state on the nodes of its shard (`tenant:{id}:sync`). */
export const tenantSerializer: Serializer<SyncTenantInput> = {
  workflowType: "SyncTenantWorkflow",
  resourceType: "tenant",
  operation: "sync",
  input: (tenantId, nodeTimeoutSeconds) => ({ tenantId, nodeTimeoutSeconds }),
}

/** One zone on the DNS nodes of its brand's clusters (`zone:{id}:sync`). */
export const zoneSerializer: Serializer<SyncZoneInput> = {
  workflowType: "SyncZoneWorkflow",
  resourceType: "zone",
  operation: "sync",
  input: (zoneId, nodeTimeoutSeconds) => ({ zoneId, nodeTimeoutSeconds }),
}

/** One cluster's `fqdn → backend` routes on its LB nodes (`cluster:{id}:lb-sync`). */
export const lbSerializer: Serializer<SyncLbInput> = {
  workflowType: "SyncLbWorkflow",
  resourceType: "cluster",
  operation: "lb-sync",
  input: (clusterId, nodeTimeoutSeconds) => ({ clusterId, nodeTimeoutSeconds }),
}

/** One database and its users on the nodes of its shard (`database:{id}:sync`). */
export const databaseSerializer: Serializer<SyncDatabaseInput> = {
  workflowType: "SyncDatabaseWorkflow",
  resourceType: "database",
  operation: "sync",
  input: (databaseId, nodeTimeoutSeconds) => ({ databaseId, nodeTimeoutSeconds }),
}

/** One mail domain with its accounts on the email nodes of its shard (`mail-domain:{id}:sync`). */
export const mailDomainSerializer: Serializer<SyncMailDomainInput> = {
  workflowType: "SyncMailDomainWorkflow",
  resourceType: "mail-domain",
  operation: "sync",
  input: (mailDomainId, nodeTimeoutSeconds) => ({ mailDomainId, nodeTimeoutSeconds }),
}

/** One S3 bucket and its access keys on the nodes of its s3 shard (`s3-bucket:{id}:sync`). */
export const s3BucketSerializer: Serializer<SyncS3BucketInput> = {
  workflowType: "SyncS3BucketWorkflow",
  resourceType: "s3-bucket",
  operation: "sync",
  input: (bucketId, nodeTimeoutSeconds) => ({ bucketId, nodeTimeoutSeconds }),
}

/** Workflow id of a resource's serializer. */
export const serializerWorkflowId = <I>(s: Serializer<I>, id: string): string =>
  workflowIdFor(s.resourceType, id, s.operation)

/**
 * `request(serializer, id)`: signals the resource's serializer, starting it if none runs. Rounds
 * wait for each node's agent up to the configured agent timeout before failing with the reason.
 */
export const makeSerializerRequest = Effect.gen(function* () {
  const engine = yield* WorkflowEngine
  const nodeTimeoutSeconds = yield* agentTimeoutSeconds
  return <I>(s: Serializer<I>, id: string) =>
    engine.signalWithStart({
      workflowType: s.workflowType,
      workflowId: serializerWorkflowId(s, id),
      taskQueue: CONTROL_PLANE_TASK_QUEUE,
      args: [s.input(id, nodeTimeoutSeconds)],
      signal: CHANGED_SIGNAL,
    })
})
