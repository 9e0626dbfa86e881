// Entry point of the workflow bundle: every workflow the control-plane worker runs.
export {
  CleanupCertificatesWorkflow,
  IssueCertificateWorkflow,
  RenewCertificatesWorkflow,
} from "./certificates.js"
export { ConvergeShardWorkflow } from "./converge-shard.js"
export { CheckDatabaseReplicationWorkflow, FailoverShardWorkflow } from "./database-replication.js"
export { ProbeNodeWorkflow } from "./probe-node.js"
export { PurgeAuditLogsWorkflow } from "./purge-audit-logs.js"
export { SyncDatabaseWorkflow } from "./sync-database.js"
export { SyncLbWorkflow } from "./sync-lb.js"
export { SyncMailDomainWorkflow } from "./sync-mail-domain.js"
export { CollectS3UsageWorkflow, S3BucketUsageWorkflow, SyncS3BucketWorkflow } from "./sync-s3-bucket.js"
export { SyncTenantWorkflow } from "./sync-tenant.js"
export { SyncZoneWorkflow } from "./sync-zone.js"
