import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ToolDomain } from "./security.js"

/** State of one dependency as seen by the readiness check. */
export const DependencyCheck = Schema.Struct({
  ok: Schema.Boolean,
  message: Schema.optional(Schema.String),
})

/** Body of /readyz: whether the process can serve, and each dependency's state. */
export class Readiness extends Schema.Class<Readiness>("Readiness")({
  ready: Schema.Boolean,
  checks: Schema.Record({ key: Schema.String, value: DependencyCheck }),
}) {}

/** Failure of /readyz: the same body, answered with 503. */
export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  readiness: Readiness,
}) {}

const NotReadyResponse = Schema.transform(Readiness, Schema.typeSchema(NotReady), {
  strict: true,
  decode: (readiness) => new NotReady({ readiness }),
  encode: (e) => e.readiness,
}).annotations({ ...HttpApiSchema.annotations({ status: 503 }), identifier: "NotReady" })

/** Liveness and readiness probes for process supervisors and load balancers. */
export class HealthGroup extends HttpApiGroup.make("health")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .annotate(OpenApi.Summary, "Liveness: 200 while the process runs")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") })),
  )
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .annotate(OpenApi.Summary, "Readiness: 200 when database, Temporal and workers are ready, else 503")
      .addSuccess(Readiness)
      .addError(NotReadyResponse),
  ) {}
