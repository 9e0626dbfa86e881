import { CONTROL_PLANE_TASK_QUEUE } from "@hosting/core"
import { type Client, ScheduleAlreadyRunning } from "@temporalio/client"

/**
 * Creates the platform's recurring workflows once. Every worker start calls this; an existing
 * schedule is left as it is, so several workers do not fight over it.
 */
export const ensureSchedules = async (client: Client): Promise<void> => {
  try {
    await client.schedule.create({
      scheduleId: "purge-audit-logs",
      spec: { intervals: [{ every: "1 day" }] },
      action: {
        type: "startWorkflow",
        workflowType: "PurgeAuditLogsWorkflow",
        taskQueue: CONTROL_PLANE_TASK_QUEUE,
        workflowId: "purge-audit-logs",
      },
    })
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e
  }
}
