import { HttpApiBuilder } from "@effect/platform"
import { HostingApi, S3AccessKeys, S3Buckets } from "@hosting/core"
import { Effect } from "effect"
import { byId, byIdWith, handleWithPrincipal, listUnder } from "./principal.js"

/** S3 buckets of tenants. */
export const S3BucketsLive = HttpApiBuilder.group(HostingApi, "s3Buckets", (handlers) =>
  Effect.map(S3Buckets, (buckets) =>
    handleWithPrincipal(handlers, {
      list: listUnder(buckets.list),
      create: byIdWith(buckets.create),
      get: byId(buckets.get),
      update: byIdWith(buckets.update),
      delete: (principal, { path, urlParams }) => buckets.remove(principal, path.id, urlParams.force === "true"),
      retry: byId(buckets.retry),
    }),
  ),
)

/** Access keys of S3 buckets. */
export const S3AccessKeysLive = HttpApiBuilder.group(HostingApi, "s3AccessKeys", (handlers) =>
  Effect.map(S3AccessKeys, (keys) =>
    handleWithPrincipal(handlers, {
      list: listUnder(keys.list),
      create: byIdWith(keys.create),
      get: byId(keys.get),
      delete: byId(keys.remove),
      retry: byId(keys.retry),
    }),
  ),
)

/** The S3 family's handlers. */
export const s3Handlers = [S3BucketsLive, S3AccessKeysLive] as const
