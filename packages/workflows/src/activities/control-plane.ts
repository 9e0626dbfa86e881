import {
  type AcmeStates,
  AuditLogs,
  ClusterId,
  causesOf,
  type DatabaseReplicationStates,
  type DatabaseStates,
  LbSync,
  type MailDomainStates,
  NodeFacts,
  NodeProbeId,
  NodeProbes,
  Platform,
  S3BucketId,
  S3BucketStates,
  ShardId,
  Shards,
  TenantId,
  TenantStates,
  ZoneId,
  ZoneStates,
} from "@hosting/core"
import type { ControlPlaneActivities } from "@hosting/core/activities"
import { Effect, type ManagedRuntime, Schema } from "effect"
import { type AcmeSettings, createAcmeActivities } from "./acme.js"
import { createDatabaseReplicationActivities } from "./database-replication.js"
import { createDatabaseActivities } from "./databases.js"
import { createEmailActivities } from "./email.js"
import { runActivity } from "./run.js"

const decodeProbeId = Schema.decodeUnknown(NodeProbeId)
const decodeFacts = Schema.decodeUnknown(NodeFacts)
const decodeShardId = Schema.decodeUnknown(ShardId)
const decodeTenantId = Schema.decodeUnknown(TenantId)
const decodeZoneId = Schema.decodeUnknown(ZoneId)

const decodeClusterId = Schema.decodeUnknown(ClusterId)
const decodeBucketId = Schema.decodeUnknown(S3BucketId)

/** Services the control-plane activities run on. */
export type ControlPlaneServices =
  | NodeProbes
  | Shards
  | AuditLogs
  | Platform
  | TenantStates
  | LbSync
  | ZoneStates
  | AcmeStates
  | S3BucketStates
  | DatabaseStates
  | DatabaseReplicationStates
  | MailDomainStates

/** Control-plane activities over a runtime that provides the domain services. */
export const createControlPlaneActivities = (
  runtime: ManagedRuntime.ManagedRuntime<ControlPlaneServices, never>,
  acme: AcmeSettings,
): ControlPlaneActivities => ({
  ...createAcmeActivities(runtime, acme),
  ...createDatabaseActivities(runtime),
  ...createDatabaseReplicationActivities(runtime),
  ...createEmailActivities(runtime),
  markProbeProvisioning: ({ probeId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeProbeId(probeId), (id) => Effect.flatMap(NodeProbes, (p) => p.markProvisioning(id))),
    ),
  completeProbe: ({ probeId, facts }) =>
    runActivity(
      runtime,
      Effect.all([decodeProbeId(probeId), decodeFacts(facts)]).pipe(
        Effect.flatMap(([id, f]) => Effect.flatMap(NodeProbes, (p) => p.complete(id, f))),
      ),
    ),
  failProbe: ({ probeId, message }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeProbeId(probeId), (id) => Effect.flatMap(NodeProbes, (p) => p.fail(id, message))),
    ),
  shardNodeIds: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(Shards, (s) => s.nodeIds(id))),
    ),
  finishShardConverge: ({ shardId, ...outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(Shards, (s) => s.finish(id, causesOf(outcome)))),
    ),
  tenantSnapshot: ({ tenantId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeTenantId(tenantId), (id) => Effect.flatMap(TenantStates, (t) => t.snapshot(id))),
    ),
  finishTenantSync: ({ snapshot, ...outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(TenantStates, (t) => t.finish(snapshot, outcome)),
    ),
  webShardSpecs: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(TenantStates, (t) => t.shardSpecs(id))),
    ),
  resyncTenantsChangedSince: ({ shardId, revision }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) =>
        Effect.flatMap(TenantStates, (t) => t.resyncChangedSince(id, revision)),
      ),
    ),
  shardRole: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(TenantStates, (t) => t.shardRole(id))),
    ),
  lbClusterTargets: ({ clusterId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeClusterId(clusterId), (id) => Effect.flatMap(LbSync, (l) => l.clusterTargets(id))),
    ),
  lbShardSpec: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(LbSync, (l) => l.shardSpec(id))),
    ),
  requestLbSyncOfShard: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(LbSync, (l) => l.requestForShard(id))),
    ),
  zoneSnapshot: ({ zoneId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeZoneId(zoneId), (id) => Effect.flatMap(ZoneStates, (z) => z.snapshot(id))),
    ),
  finishZoneSync: ({ snapshot, ...outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(ZoneStates, (z) => z.finish(snapshot, outcome)),
    ),
  dnsShardZones: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(ZoneStates, (z) => z.shardZones(id))),
    ),
  s3BucketSnapshot: ({ bucketId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeBucketId(bucketId), (id) => Effect.flatMap(S3BucketStates, (s) => s.snapshot(id))),
    ),
  finishS3BucketSync: ({ snapshot, outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(S3BucketStates, (s) => s.finish(snapshot, outcome)),
    ),
  s3UsageTargets: () =>
    runActivity(
      runtime,
      Effect.flatMap(S3BucketStates, (s) => s.usageTargets()),
    ),
  recordS3Usage: ({ usage }) =>
    runActivity(
      runtime,
      Effect.flatMap(S3BucketStates, (s) => s.recordUsage(usage)),
    ),
  s3ShardBuckets: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(S3BucketStates, (s) => s.shardBuckets(id))),
    ),
  resyncS3BucketsChangedSince: ({ shardId, revision }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) =>
        Effect.flatMap(S3BucketStates, (s) => s.resyncChangedSince(id, revision)),
      ),
    ),
  purgeAuditLogs: () =>
    runActivity(
      runtime,
      Effect.gen(function* () {
        const config = yield* Effect.flatMap(Platform, (p) => p.get())
        return yield* Effect.flatMap(AuditLogs, (a) => a.purge(config.audit_retention_days))
      }),
    ),
})
