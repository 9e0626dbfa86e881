import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { AuditLogs, type EndpointAccess, type Principal } from "@hosting/core"
import { Cause, Effect, FiberRef, Layer } from "effect"
import { observeRequest, renderMetrics } from "./metrics.js"

/** What the route-level auth middleware learned about a request, for the API-level middleware. */
export interface RequestFacts {
  rule?: EndpointAccess
  principal?: Principal
  pathId?: string
}

/**
 * Carries RequestFacts from the outer (API-level) middleware into the route-level security
 * middleware and back. A FiberRef, not a service, because security handlers cannot require
 * extra services.
 */
export const currentRequestFacts = FiberRef.unsafeMake<RequestFacts | undefined>(undefined)

// Status of a failure the API encodes after this middleware: the contract's error statuses.
const STATUS_BY_TAG: Record<string, number> = {
  HttpApiDecodeError: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  RouteNotFound: 404,
  RequestError: 400,
  Conflict: 409,
  InvalidInput: 422,
  Unavailable: 503,
  NotReady: 503,
}

const bodyJson = (res: HttpServerResponse.HttpServerResponse): unknown => {
  if (res.body._tag !== "Uint8Array") return undefined
  try {
    const b = res.body.body as unknown
    return JSON.parse(typeof b === "string" ? b : new TextDecoder().decode(b as Uint8Array))
  } catch {
    return undefined
  }
}

const createdId = (body: unknown): string | undefined => {
  const o = body as { id?: unknown; shard?: { id?: unknown } } | undefined
  if (typeof o?.id === "string") return o.id
  if (typeof o?.shard?.id === "string") return o.shard.id
  return undefined
}

const requestBody = (req: HttpServerRequest.HttpServerRequest) =>
  req.text.pipe(
    Effect.map((t) => {
      if (t === "") return undefined
      try {
        return JSON.parse(t) as unknown
      } catch {
        return { unparsed: t.slice(0, 1000) }
      }
    }),
    Effect.orElseSucceed(() => undefined),
  )

/**
 * Metrics for every request, and an audit entry for every mutation (status, key, redacted
 * body). Sits at API level so it sees each request's matched route and principal.
 */
export const ObserveRequests = HttpApiBuilder.middleware(
  Effect.gen(function* () {
    const audit = yield* AuditLogs
    return (app) =>
      Effect.gen(function* () {
        const req = yield* HttpServerRequest.HttpServerRequest
        const started = performance.now()
        const facts: RequestFacts = {}
        const exit = yield* app.pipe(Effect.locally(currentRequestFacts, facts), Effect.exit)
        const status =
          exit._tag === "Success"
            ? exit.value.status
            : (STATUS_BY_TAG[(Cause.squash(exit.cause) as { _tag?: string })?._tag ?? ""] ?? 500)
        const route = facts.rule?.path ?? (status === 404 ? "unmatched" : req.url.split("?")[0]!)
        // a 500 is a bug or an outage: the client sees only "internal error", the log the cause
        if (exit._tag === "Failure" && status >= 500 && !Cause.isInterruptedOnly(exit.cause))
          yield* Effect.logError(`${req.method} ${route} answered ${status}`, exit.cause)
        observeRequest(req.method, route, status, (performance.now() - started) / 1000)
        if (facts.rule !== undefined && req.method !== "GET" && req.method !== "HEAD") {
          const response = exit._tag === "Success" ? bodyJson(exit.value) : undefined
          yield* audit
            .record({
              principal: facts.principal,
              action: `${facts.rule.group}.${facts.rule.endpoint}`,
              method: req.method,
              path: req.url.split("?")[0]!,
              resourceType: facts.rule.scope?.split(":")[0] ?? facts.rule.group,
              resourceId:
                (facts.rule.endpoint === "create" ? createdId(response) : undefined) ??
                facts.pathId ??
                createdId(response) ??
                null,
              statusCode: status,
              body: yield* requestBody(req),
            })
            .pipe(Effect.catchAllCause((c) => Effect.logError("audit log write failed", c)))
        }
        return yield* exit
      })
  }),
)

/** GET /metrics in the Prometheus text format. */
export const MetricsRoute = HttpApiBuilder.Router.use((router) =>
  router.get(
    "/metrics",
    Effect.sync(() => HttpServerResponse.text(renderMetrics(), { contentType: "text/plain; version=0.0.4" })),
  ),
)

/** Both, as one layer. */
export const ObservabilityLive = Layer.mergeAll(ObserveRequests, MetricsRoute)
