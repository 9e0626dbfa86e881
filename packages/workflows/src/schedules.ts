import { CONTROL_PLANE_TASK_QUEUE } from "@hosting/core"
import { type Client, ScheduleAlreadyRunning } from "@temporalio/client"

/** The platform's recurring workflows: id, how often, workflow type. */
export const SCHEDULES = [
  { id: "purge-audit-logs", every: "1 day", workflowType: "PurgeAuditLogsWorkflow" },
  // Let's Encrypt certificates live 90 days and are renewed 30 days ahead: twice a day leaves
  // dozens of attempts before one expires, and retries failed issuances as often
  { id: "renew-certificates", every: "12 hours", workflowType: "RenewCertificatesWorkflow" },
  { id: "cleanup-certificates", every: "1 day", workflowType: "CleanupCertificatesWorkflow" },
  // usage per bucket, the base for metering: hourly is fresh enough to show, and one
  // radosgw-admin bucket stats per bucket and hour costs nothing
  { id: "collect-s3-usage", every: "1 hour", workflowType: "CollectS3UsageWorkflow" },
  // a broken or lagging replica shows within a minute, and a failover's pre-check is that fresh;
  // one status query per database node and minute costs the servers nothing
  { id: "check-database-replication", every: "1 minute", workflowType: "CheckDatabaseReplicationWorkflow" },
] as const

/**
 * Creates the platform's recurring workflows once. Every worker start calls this; an existing
 * schedule is left as it is, so several workers do not fight over it.
 */
export const ensureSchedules = async (client: Client): Promise<void> => {
  for (const s of SCHEDULES) {
    try {
      await client.schedule.create({
        scheduleId: s.id,
        spec: { intervals: [{ every: s.every }] },
        action: {
          type: "startWorkflow",
          workflowType: s.workflowType,
          taskQueue: CONTROL_PLANE_TASK_QUEUE,
          workflowId: s.id,
        },
      })
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e
    }
  }
}
