import type {
  BucketUsage,
  S3BucketOutcome,
  S3BucketSnapshot,
  S3BucketUsageInput,
  S3Endpoint,
  StatusCause,
  SyncS3BucketInput,
} from "@hosting/core/activities"
import { ActivityFailure, ApplicationFailure, continueAsNew } from "@temporalio/workflow"
import { controlPlane, onNode, roundSteps } from "./activities.js"
import { nodeCause, serializeFamily } from "./serializer.js"

// A long history slows replay; start afresh after this many rounds (state lives in the database).
const ROUNDS_PER_RUN = 200

// an ensure is a handful of radosgw-admin calls; a forced removal empties the bucket first
const node = (nodeId: string, timeoutSeconds: number) =>
  onNode(nodeId, { timeoutSeconds, startToClose: "10 minutes", heartbeat: true })

// describeS3 answers from the agent's settings, without heartbeats
const quick = (nodeId: string, timeoutSeconds: number) => onNode(nodeId, { timeoutSeconds, startToClose: "30 seconds" })

const notEmpty = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === "BucketNotEmpty"

const round = async (snap: S3BucketSnapshot, timeoutSeconds: number): Promise<S3BucketOutcome> => {
  // a bucket being deleted from no node at all is simply gone
  if (snap.nodeIds.length === 0)
    return {
      causes: snap.spec === null ? [] : [{ message: "the bucket's s3 shard has no nodes" }],
      notEmpty: false,
      endpoint: null,
    }
  const causes: Array<StatusCause> = []
  let refused = false
  await Promise.all(
    snap.nodeIds.map(async (n) => {
      try {
        if (snap.spec === null)
          await node(n, timeoutSeconds).removeBucket({
            tenant: snap.ref.tenant,
            name: snap.ref.name,
            force: snap.force,
          })
        else await node(n, timeoutSeconds).ensureBucket({ spec: snap.spec })
      } catch (err) {
        if (notEmpty(err)) refused = true
        causes.push(nodeCause(n, err))
      }
    }),
  )
  let endpoint: S3Endpoint | null = null
  if (snap.spec !== null && causes.length === 0) {
    try {
      endpoint = await quick(snap.nodeIds[0]!, timeoutSeconds).describeS3()
    } catch (err) {
      causes.push(nodeCause(snap.nodeIds[0]!, err))
    }
  }
  return { causes, notEmpty: refused, endpoint }
}

/**
 * The serializer of one S3 bucket (`s3-bucket:{id}:sync`): each round reads the bucket's whole
 * desired state (its keys, its tenant's suspension) from the database, ensures it on the nodes of
 * its s3 shard (or removes it), asks the node where it serves it, and records the outcome; a
 * signal during a round asks for another, so changes never race and none is lost.
 */
export async function SyncS3BucketWorkflow(input: SyncS3BucketInput): Promise<void> {
  let last: S3BucketOutcome = { causes: [], notEmpty: false, endpoint: null }
  const outcome = await serializeFamily(ROUNDS_PER_RUN, {
    snapshot: () => roundSteps().s3BucketSnapshot({ bucketId: input.bucketId }),
    apply: async (snap) => {
      last = await round(snap, input.nodeTimeoutSeconds)
      return [...last.causes]
    },
    finish: (snapshot, causes) => roundSteps().finishS3BucketSync({ snapshot, outcome: { ...last, causes } }),
  })
  if (outcome === "more") await continueAsNew<typeof SyncS3BucketWorkflow>(input)
}

/**
 * What one bucket holds now, from its node (`s3-bucket:{id}:usage`): the API's check before a
 * delete without force, so a non-empty bucket is a 409 at once rather than a failed round.
 */
export async function S3BucketUsageWorkflow(input: S3BucketUsageInput): Promise<ReadonlyArray<BucketUsage>> {
  return await onNode(input.nodeId, {
    timeoutSeconds: input.nodeTimeoutSeconds,
    startToClose: `${input.nodeTimeoutSeconds} seconds`,
  }).bucketUsage({ buckets: [input.bucket] })
}

const usageSteps = controlPlane("60 seconds", { maximumAttempts: 10 })

// one shard's node may be down: the others are measured, and the next run tries it again
const USAGE_NODE_TIMEOUT_SECONDS = 120

/**
 * Usage of every bucket (bytes, objects), per s3 shard from one of its nodes, stored on the
 * bucket rows (the `collect-s3-usage` schedule): the base for metering.
 */
export async function CollectS3UsageWorkflow(): Promise<number> {
  const targets = await usageSteps.s3UsageTargets()
  let recorded = 0
  for (const t of targets) {
    if (t.buckets.length === 0) continue
    try {
      const usage = await onNode(t.nodeId, {
        timeoutSeconds: USAGE_NODE_TIMEOUT_SECONDS,
        startToClose: "5 minutes",
        heartbeat: true,
      }).bucketUsage({ buckets: t.buckets.map((b) => ({ tenant: b.tenant, name: b.name })) })
      const ids = new Map(t.buckets.map((b) => [`${b.tenant}/${b.name}`, b.id]))
      recorded += await usageSteps.recordS3Usage({
        usage: usage.flatMap((u) => {
          const id = ids.get(`${u.tenant}/${u.name}`)
          return id === undefined ? [] : [{ id, bytes: u.bytes, objects: u.objects }]
        }),
      })
    } catch {
      // the shard's node did not answer: its rows keep their last measurement
    }
  }
  return recorded
}
