import {
  type AcmeStates,
  AuditLogs,
  ClusterId,
  LbSync,
  NodeFacts,
  NodeProbeId,
  NodeProbes,
  Platform,
  ShardId,
  Shards,
  TenantId,
  TenantStates,
  ZoneId,
  ZoneStates,
} from "@hosting/core"
import type { ControlPlaneActivities } from "@hosting/core/activities"
import { ApplicationFailure } from "@temporalio/activity"
import { Cause, Effect, Exit, type ManagedRuntime, Schema } from "effect"
import { type AcmeSettings, createAcmeActivities } from "./acme.js"

/** Runs an Effect on the worker's runtime and turns failures into Temporal failures. */
export const runActivity = async <A, E, R>(
  runtime: ManagedRuntime.ManagedRuntime<R, never>,
  effect: Effect.Effect<A, E, R>,
): Promise<A> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const e = failure.value as { _tag?: string; message?: string }
    // Typed failures are decisions (bad input, missing row): retrying cannot change them.
    throw ApplicationFailure.nonRetryable(e.message ?? String(e), e._tag ?? "Error")
  }
  // Defects (database down, bugs) are retried by Temporal's policy.
  throw new Error(Cause.pretty(exit.cause))
}

const decodeProbeId = Schema.decodeUnknown(NodeProbeId)
const decodeFacts = Schema.decodeUnknown(NodeFacts)
const decodeShardId = Schema.decodeUnknown(ShardId)
const decodeTenantId = Schema.decodeUnknown(TenantId)
const decodeZoneId = Schema.decodeUnknown(ZoneId)

const decodeClusterId = Schema.decodeUnknown(ClusterId)

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

/** Control-plane activities over a runtime that provides the domain services. */
export const createControlPlaneActivities = (
  runtime: ManagedRuntime.ManagedRuntime<ControlPlaneServices, never>,
  acme: AcmeSettings,
): ControlPlaneActivities => ({
  ...createAcmeActivities(runtime, acme),
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
  finishShardConverge: ({ shardId, errors }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(Shards, (s) => s.finish(id, errors))),
    ),
  tenantSnapshot: ({ tenantId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeTenantId(tenantId), (id) => Effect.flatMap(TenantStates, (t) => t.snapshot(id))),
    ),
  finishTenantSync: ({ snapshot, errors }) =>
    runActivity(
      runtime,
      Effect.flatMap(TenantStates, (t) => t.finish(snapshot, errors)),
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
  finishZoneSync: ({ snapshot, errors }) =>
    runActivity(
      runtime,
      Effect.flatMap(ZoneStates, (z) => z.finish(snapshot, errors)),
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
