/** @hosting/workflows: Temporal workflows, control-plane activities and the worker factory. */
export { createControlPlaneActivities } from "./activities/control-plane.js"
export { runActivity } from "./activities/run.js"
export { ensureSchedules } from "./schedules.js"
export { createControlPlaneWorker, workflowsPath } from "./worker.js"
