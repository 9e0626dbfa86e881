import { createRequire } from "node:module"
import { CONTROL_PLANE_TASK_QUEUE } from "@hosting/core"
import { type NativeConnection, Worker } from "@temporalio/worker"
import type { ManagedRuntime } from "effect"
import type { AcmeSettings } from "./activities/acme.js"
import { type ControlPlaneServices, createControlPlaneActivities } from "./activities/control-plane.js"

const require = createRequire(import.meta.url)

/** Path of the compiled workflow entry, for Worker bundling. */
export const workflowsPath = require.resolve("./workflows/index.js")

/** Creates the control-plane worker: all workflows plus the control-plane activities. */
export const createControlPlaneWorker = (options: {
  readonly connection: NativeConnection
  readonly namespace: string
  readonly runtime: ManagedRuntime.ManagedRuntime<ControlPlaneServices, never>
  readonly acme: AcmeSettings
}) =>
  Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: CONTROL_PLANE_TASK_QUEUE,
    workflowsPath,
    activities: createControlPlaneActivities(options.runtime, options.acme),
  })
