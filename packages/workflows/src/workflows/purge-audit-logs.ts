import { controlPlane } from "./activities.js"

// a large backlog is deleted in one statement; give it time
const cp = controlPlane("5 minutes", { maximumAttempts: 5 })

/** Deletes audit entries older than the platform's retention; run daily by a Temporal schedule. */
export async function PurgeAuditLogsWorkflow(): Promise<number> {
  return cp.purgeAuditLogs()
}
