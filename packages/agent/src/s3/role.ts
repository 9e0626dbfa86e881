import { BucketRef, BucketSpec, type RgwManager } from "@hosting/core/node"
import { ApplicationFailure } from "@temporalio/activity"
import { Schema } from "effect"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { s3NodeConfigFromEnv } from "./config.js"
import { S3BucketNotEmpty, S3Node, s3ManagersLayer } from "./node.js"

// A bucket that still holds objects stays so however often the removal is retried: fail at once
// with a type the control plane turns into a 409.
const notEmptyIsFinal = async <A>(f: () => Promise<A>): Promise<A> => {
  try {
    return await f()
  } catch (e) {
    if (e instanceof S3BucketNotEmpty) throw ApplicationFailure.nonRetryable(e.message, "BucketNotEmpty")
    throw e
  }
}

/** The s3 role: a one-node Ceph with radosgw, its buckets ensured through RgwManager. */
export const s3Role = (s3: S3Node): AgentRole => ({
  name: "s3",
  start: async () => {
    const started = await s3.start()
    console.log(`s3: Ceph ${started.action} in ${started.ms} ms`)
  },
  close: () => s3.close(),
  activities: {
    ensureBucket: ({ spec }) => classify(() => s3.ensureBucket(decode(BucketSpec, spec))),
    removeBucket: ({ tenant, name, force }) =>
      classify(() =>
        notEmptyIsFinal(() => s3.removeBucket(decode(BucketRef, { tenant, name }), decode(Schema.Boolean, force))),
      ),
    convergeS3: ({ buckets, plan }) =>
      classify(() => s3.converge(decode(Schema.Array(BucketSpec), buckets), decode(Schema.Boolean, plan))),
    bucketUsage: ({ buckets }) => classify(() => s3.usage(decode(Schema.Array(BucketRef), buckets))),
    describeS3: () => Promise.resolve(s3.describe()),
  },
})

/** The s3 role from the environment: its managers' layer, and the role over the agent's runtime. */
export const s3RoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<RgwManager> => {
  const config = s3NodeConfigFromEnv(env)
  return { layer: s3ManagersLayer(config), make: (runtime) => s3Role(new S3Node(config, runtime)) }
}
