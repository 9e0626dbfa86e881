import { MailDomainStates, ShardId } from "@hosting/core"
import type { ControlPlaneActivities } from "@hosting/core/activities"
import { Effect, type ManagedRuntime, Schema } from "effect"
import { runActivity } from "./run.js"

const decodeShardId = Schema.decodeUnknown(ShardId)
const decodeUuid = Schema.decodeUnknown(Schema.UUID)

type EmailActivities = Pick<
  ControlPlaneActivities,
  "mailDomainSnapshot" | "finishMailDomainSync" | "mailShardDomains" | "resyncMailDomainsChangedSince"
>

/** The email family's control-plane activities: its serializer's round steps and its shards' converge reads. */
export const createEmailActivities = (
  runtime: ManagedRuntime.ManagedRuntime<MailDomainStates, never>,
): EmailActivities => ({
  mailDomainSnapshot: ({ mailDomainId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeUuid(mailDomainId), (id) => Effect.flatMap(MailDomainStates, (m) => m.snapshot(id))),
    ),
  finishMailDomainSync: ({ snapshot, rejected, ...outcome }) =>
    runActivity(
      runtime,
      Effect.flatMap(MailDomainStates, (m) => m.finish(snapshot, outcome, rejected ?? [])),
    ),
  mailShardDomains: ({ shardId }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) => Effect.flatMap(MailDomainStates, (m) => m.shardDomains(id))),
    ),
  resyncMailDomainsChangedSince: ({ shardId, revision }) =>
    runActivity(
      runtime,
      Effect.flatMap(decodeShardId(shardId), (id) =>
        Effect.flatMap(MailDomainStates, (m) => m.resyncChangedSince(id, revision)),
      ),
    ),
})
