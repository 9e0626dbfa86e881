/**
 * The overview family's activities, as types: workflows import them, the control-plane worker and
 * the node agent implement them (`activities/index.ts` joins every family's).
 */

/** Overview activities the control-plane worker serves. */
export interface OverviewControlPlaneActivities {
  /** Deletes audit entries older than the configured retention; returns how many. */
  purgeAuditLogs(): Promise<number>
}
