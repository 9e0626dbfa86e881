/**
 * Activity interfaces shared by workflows (which import them as types only), the control-plane
 * worker and the node agent (which implement them). Inputs and outputs are plain JSON.
 */

import type { CHANGED_SIGNAL, CONTROL_PLANE_TASK_QUEUE, SERVED_SIGNAL, StatusCause } from "../domain/lifecycle.js"
import type {
  CertificatesControlPlaneActivities,
  CertificatesNodeActivities,
} from "../families/certificates/activities.js"
import type { DatabaseNodeActivities } from "../families/databases/activities.js"
import type { DatabaseReplicationControlPlaneActivities } from "../families/databases/activities-replication.js"
import type { DatabaseControlPlaneActivities } from "../families/databases/activities-sync.js"
import type { DnsControlPlaneActivities, DnsNodeActivities } from "../families/dns/activities.js"
import type { EmailNodeActivities } from "../families/email/activities.js"
import type { EmailControlPlaneActivities } from "../families/email/activities-sync.js"
import type { LbControlPlaneActivities, LbNodeActivities } from "../families/lb/activities.js"
import type { OverviewControlPlaneActivities } from "../families/overview/activities.js"
import type { S3ControlPlaneActivities, S3NodeActivities } from "../families/s3/activities.js"
import type { TenancyControlPlaneActivities, TenancyNodeActivities } from "../families/tenancy/activities.js"
import type { TopologyControlPlaneActivities, TopologyNodeActivities } from "../families/topology/activities.js"

export type { StatusCause } from "../domain/lifecycle.js"
export type * from "../families/certificates/activities.js"
export type { DatabaseChangeReport } from "../families/databases/activities.js"
export type * from "../families/databases/activities-replication.js"
export type * from "../families/databases/activities-sync.js"
export type * from "../families/dns/activities.js"
export type * from "../families/email/activities.js"
export type * from "../families/email/activities-sync.js"
export type * from "../families/lb/activities.js"
export type * from "../families/overview/activities.js"
export type * from "../families/s3/activities.js"
export type * from "../families/tenancy/activities.js"
export type * from "../families/topology/activities.js"

/** The control-plane worker's task queue, as a type: workflow code spells it once and cannot drift. */
export type ControlPlaneTaskQueue = typeof CONTROL_PLANE_TASK_QUEUE
/** A node agent's task queue. */
export type NodeTaskQueue = `node-${string}`
/** The signal every serializer loops on, as a type. */
export type ChangedSignal = typeof CHANGED_SIGNAL
/** The signal that tells a waiting issuance its name's tenant round finished (`fqdn:{id}:acme`). */
export type ServedSignal = typeof SERVED_SIGNAL

/**
 * How a round ended, as its workflow reports it: the causes (empty when it succeeded). Rounds
 * scheduled by workflows older than causes report `errors` (plain lines) instead.
 */
export interface RoundOutcome {
  readonly causes?: ReadonlyArray<StatusCause>
  /** @deprecated plain lines, from workflow runs started before causes existed */
  readonly errors?: ReadonlyArray<string>
}

/** Activities every node agent serves on its `node-{uuid}` task queue. */
export interface NodeActivities
  extends TopologyNodeActivities,
    TenancyNodeActivities,
    CertificatesNodeActivities,
    DnsNodeActivities,
    LbNodeActivities,
    S3NodeActivities,
    DatabaseNodeActivities,
    EmailNodeActivities {}

/** Activities the control-plane worker serves on the `control-plane` task queue. */
export interface ControlPlaneActivities
  extends TopologyControlPlaneActivities,
    TenancyControlPlaneActivities,
    CertificatesControlPlaneActivities,
    DnsControlPlaneActivities,
    LbControlPlaneActivities,
    DatabaseControlPlaneActivities,
    DatabaseReplicationControlPlaneActivities,
    S3ControlPlaneActivities,
    OverviewControlPlaneActivities,
    EmailControlPlaneActivities {}
