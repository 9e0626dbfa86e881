import type { ControlPlaneActivities } from "@hosting/core/activities"
import { proxyActivities } from "@temporalio/workflow"

const cp = proxyActivities<ControlPlaneActivities>({
  taskQueue: "control-plane",
  // a large backlog is deleted in one statement; give it time
  startToCloseTimeout: "5 minutes",
  retry: { maximumAttempts: 5 },
})

/** Deletes audit entries older than the platform's retention; run daily by a Temporal schedule. */
export async function PurgeAuditLogsWorkflow(): Promise<number> {
  return cp.purgeAuditLogs()
}
