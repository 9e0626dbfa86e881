import type {
  ChangedSignal,
  ControlPlaneActivities,
  ControlPlaneTaskQueue,
  NodeActivities,
  NodeTaskQueue,
  ServedSignal,
} from "@hosting/core/activities"
import { type ActivityOptions, patched, proxyActivities, proxyLocalActivities } from "@temporalio/workflow"

/**
 * The one place workflow code reaches activities: the queue names (typed against core's, so
 * they cannot drift) and the control-plane and node proxies with their timeouts and retries.
 */

/** The control-plane worker's queue: database steps, DNS API calls, ACME. */
export const CONTROL_PLANE_QUEUE: ControlPlaneTaskQueue = "control-plane"
/** One node agent's queue. */
export const nodeQueue = (nodeId: string): NodeTaskQueue => `node-${nodeId}`
/** The signal every serializer loops on. */
export const CHANGED: ChangedSignal = "changed"
/** The signal a waiting issuance gets when its name's tenant round was recorded. */
export const SERVED: ServedSignal = "served"

/** Control-plane activities with their own time limit and attempts. */
export const controlPlane = (
  startToCloseTimeout: NonNullable<ActivityOptions["startToCloseTimeout"]>,
  retry: NonNullable<ActivityOptions["retry"]>,
) => proxyActivities<ControlPlaneActivities>({ taskQueue: CONTROL_PLANE_QUEUE, startToCloseTimeout, retry })

/** Short database reads and writes: retried a while (the database restarting) before giving up. */
export const cp = controlPlane("30 seconds", { maximumAttempts: 10 })

/**
 * The same short database steps as local activities: the worker that runs the workflow runs them
 * within the workflow task, without a hop through the task queue and without a workflow task of
 * their own (a serializer's round was three queue round trips, now it is one, the node's).
 */
const cpLocal = (startToCloseTimeout: NonNullable<ActivityOptions["startToCloseTimeout"]>) =>
  proxyLocalActivities<ControlPlaneActivities>({ startToCloseTimeout, retry: { maximumAttempts: 10 } })

/**
 * The database steps of a serializer's round (snapshot, finish): local activities, except when
 * replaying a run recorded before they were (its history holds ordinary activities). Asked at
 * every step, so a running workflow switches at its first new round.
 */
export const roundSteps = (
  remote: typeof cp = cp,
  startToCloseTimeout: NonNullable<ActivityOptions["startToCloseTimeout"]> = "30 seconds",
): typeof cp => (patched("local-round-steps") ? cpLocal(startToCloseTimeout) : remote)

/** How a workflow calls one node's agent. */
export interface NodeCall {
  /** How long to wait for the agent, retries included, before reporting the node as failed. */
  readonly timeoutSeconds: number
  /** One attempt's limit: what the activity can take on a healthy node. */
  readonly startToClose: NonNullable<ActivityOptions["startToCloseTimeout"]>
  /**
   * Long activities heartbeat every second: with a 10 s heartbeat timeout an agent killed
   * mid-activity is noticed within seconds and the activity runs again (idempotently).
   */
  readonly heartbeat?: boolean
  /** First retry delay (500 ms unless said); retries back off to 5 s. */
  readonly initialInterval?: NonNullable<ActivityOptions["retry"]>["initialInterval"]
  /**
   * Work that may outlast the agent timeout (a database's dump or import): the timeout then
   * bounds only each attempt's wait for the agent to take it (scheduleToStart), startToClose the
   * work itself, and this many attempts are made.
   */
  readonly attempts?: number
}

/**
 * A node's activities. scheduleToClose is the agent timeout: an agent restarted within it picks
 * the task up; one that stays down fails the call with the reason.
 */
export const onNode = (nodeId: string, call: NodeCall) =>
  proxyActivities<NodeActivities>({
    taskQueue: nodeQueue(nodeId),
    ...(call.attempts === undefined
      ? { scheduleToCloseTimeout: `${call.timeoutSeconds} seconds` }
      : { scheduleToStartTimeout: `${call.timeoutSeconds} seconds` }),
    startToCloseTimeout: call.startToClose,
    ...(call.heartbeat === true ? { heartbeatTimeout: "10 seconds" } : {}),
    retry: {
      initialInterval: call.initialInterval ?? "500 milliseconds",
      maximumInterval: "5 seconds",
      ...(call.attempts === undefined ? {} : { maximumAttempts: call.attempts }),
    },
  })
