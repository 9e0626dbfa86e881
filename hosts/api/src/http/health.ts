import { HttpApiBuilder } from "@effect/platform"
import { HostingApi, NotReady } from "@hosting/core"
import { Effect } from "effect"
import { ReadinessProbe } from "../readiness.js"

/** /healthz answers while the process lives; /readyz only when every dependency is ready. */
export const HealthLive = HttpApiBuilder.group(HostingApi, "health", (handlers) =>
  handlers
    .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
    .handle("readyz", () =>
      Effect.flatMap(ReadinessProbe, (p) => p.check).pipe(
        Effect.filterOrElse(
          (r) => r.ready,
          (readiness) => Effect.fail(new NotReady({ readiness })),
        ),
      ),
    ),
)
