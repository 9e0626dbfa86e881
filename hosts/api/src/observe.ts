import { randomUUID } from "node:crypto"
import { BlockList, isIPv6 } from "node:net"
import { HttpApiBuilder, HttpApp, HttpIncomingMessage, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { AuditLogs, type EndpointAccess, type Principal } from "@hosting/core"
import { Cause, Effect, FiberRef, Layer, Option, Redacted } from "effect"
import { auditableBody, urlHasNul, type WindowCounter } from "./guard.js"
import { countUnrecordedRefusal, observeRequest, renderMetrics } from "./metrics.js"

/** What the route-level auth middleware learned about a request, for the API-level middleware. */
export interface RequestFacts {
  rule?: EndpointAccess
  principal?: Principal
  pathId?: string
  /** the mutation's audit entry, written before its handler ran */
  auditId?: string
  /** why an unauthenticated request was refused */
  refusal?: string
}

/**
 * Carries RequestFacts from the outer (API-level) middleware into the route-level security
 * middleware and back. A FiberRef, not a service, because security handlers cannot require
 * extra services.
 */
export const currentRequestFacts = FiberRef.unsafeMake<RequestFacts | undefined>(undefined)

export const isMutation = (method: string): boolean => method !== "GET" && method !== "HEAD" && method !== "OPTIONS"

/** The client's IP address as the socket reports it (no proxy headers are trusted). */
export const clientAddress = (req: HttpServerRequest.HttpServerRequest): string =>
  Option.getOrElse(req.remoteAddress, () => "unknown")

// Status of a failure the API encodes after this middleware: the contract's error statuses.
const STATUS_BY_TAG: Record<string, number> = {
  HttpApiDecodeError: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  RouteNotFound: 404,
  RequestError: 400,
  Conflict: 409,
  PayloadTooLarge: 413,
  InvalidInput: 422,
  TooManyRequests: 429,
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

const envelope = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  HttpServerResponse.unsafeJson(
    { error: details === undefined ? { code, message } : { code, message, details } },
    { status },
  )

/** How often refused unauthenticated attempts are written to the audit log, and body sizes. */
export interface RefusalLimits {
  /** the API's default body limit: a refused request's body is kept only within it */
  readonly maxBodyBytes: number
  /** entries per client address and minute */
  readonly perAddress: WindowCounter
  /** entries per minute from all addresses together (a distributed flood) */
  readonly total: WindowCounter
}

/**
 * Metrics for every request, and the audit trail: a mutation's entry (written by the auth
 * middleware before its handler) gets the outcome; a refused authenticated request gets an
 * entry with its redacted body; a refused unauthenticated one gets a body-less entry, at a
 * bounded rate. Sits at API level so it sees each request's matched route and principal.
 */
export const observeRequests = (refusals: RefusalLimits) =>
  HttpApiBuilder.middleware(
    Effect.gen(function* () {
      const audit = yield* AuditLogs
      // Only the request itself may be interrupted (its client went away, or a body over the limit
      // dropped the connection): what is recorded about it afterwards always completes.
      return (app) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function* () {
            const req = yield* HttpServerRequest.HttpServerRequest
            const started = performance.now()
            // every answer names its request: a 5xx shows the id to its client and logs it with the cause
            const requestId = randomUUID()
            yield* HttpApp.appendPreResponseHandler((_, res) =>
              Effect.succeed(HttpServerResponse.setHeader(res, "x-request-id", requestId)),
            )
            // PostgreSQL text cannot hold NUL: refused here once, for every parameter of every route
            if (urlHasNul(req.url)) {
              observeRequest(req.method, "unmatched", 400, (performance.now() - started) / 1000)
              return envelope(400, "invalid_request", "the URL contains a NUL character")
            }
            const facts: RequestFacts = {}
            const exit = yield* restore(app).pipe(Effect.locally(currentRequestFacts, facts), Effect.exit)
            // a mutation interrupted mid-handler has no known outcome: its entry keeps its null status
            const interrupted = exit._tag === "Failure" && Cause.isInterruptedOnly(exit.cause)
            const status =
              exit._tag === "Success"
                ? exit.value.status
                : (STATUS_BY_TAG[(Cause.squash(exit.cause) as { _tag?: string })?._tag ?? ""] ?? 500)
            const route = facts.rule?.path ?? (status === 404 ? "unmatched" : req.url.split("?")[0]!)
            const path = req.url.split("?")[0]!
            // a 5xx is a bug or an outage: the client sees the request id, the log the cause with it
            if (exit._tag === "Failure" && status >= 500 && !Cause.isInterruptedOnly(exit.cause))
              yield* Effect.logError(`${req.method} ${route} answered ${status} (request ${requestId})`, exit.cause)
            observeRequest(req.method, route, status, (performance.now() - started) / 1000)
            if (facts.auditId !== undefined) {
              if (!interrupted) {
                const response = exit._tag === "Success" ? bodyJson(exit.value) : undefined
                const resourceId =
                  (facts.rule?.endpoint === "create" ? createdId(response) : undefined) ??
                  facts.pathId ??
                  createdId(response) ??
                  null
                yield* audit
                  .complete(facts.auditId, status, resourceId)
                  .pipe(Effect.catchAllCause((c) => Effect.logError("audit log: recording the outcome failed", c)))
              }
            } else if (facts.rule !== undefined && facts.principal !== undefined && isMutation(req.method)) {
              // refused before its handler (scope, body limit): nothing changed, the attempt is kept
              // with its body only when it declared a length within the limit — reading past the
              // limit would drop the connection before the refusal is sent
              const limit = facts.rule.maxBodyBytes ?? refusals.maxBodyBytes
              const declared = Number(req.headers["content-length"] ?? Number.NaN)
              const text =
                status === 413 || !(declared <= limit)
                  ? ""
                  : yield* req.text.pipe(
                      HttpIncomingMessage.withMaxBodySize(Option.some(limit)),
                      Effect.orElseSucceed(() => ""),
                    )
              yield* audit
                .record({
                  principal: facts.principal,
                  action: `${facts.rule.group}.${facts.rule.endpoint}`,
                  method: req.method,
                  path,
                  resourceType: facts.rule.scope?.split(":")[0] ?? facts.rule.group,
                  resourceId: facts.pathId ?? null,
                  statusCode: status,
                  body: auditableBody(text),
                  clientAddress: clientAddress(req),
                })
                .pipe(Effect.catchAllCause((c) => Effect.logError("audit log write failed", c)))
            } else if (facts.refusal !== undefined) {
              const address = clientAddress(req)
              if (refusals.perAddress.hit(address) && refusals.total.hit("*")) {
                yield* audit
                  .recordRefused({
                    method: req.method,
                    path,
                    statusCode: status,
                    reason: facts.refusal,
                    clientAddress: address,
                  })
                  .pipe(Effect.catchAllCause((c) => Effect.logError("audit log write failed", c)))
              } else countUnrecordedRefusal()
            }
            if (exit._tag === "Failure" && status === 500 && !Cause.isInterruptedOnly(exit.cause))
              return envelope(500, "internal", `internal error (request ${requestId})`, { request_id: requestId })
            return yield* exit
          }),
        )
    }),
  )

/** Who may read /metrics: listed addresses or networks, or a bearer token. */
export interface MetricsAccess {
  /** addresses or CIDR networks (`127.0.0.0/8`, `::1`, `10.1.0.0/16`) */
  readonly allow: ReadonlyArray<string>
  readonly token: Option.Option<Redacted.Redacted>
}

const blockListOf = (entries: ReadonlyArray<string>): BlockList => {
  const list = new BlockList()
  for (const entry of entries) {
    const [address, prefix] = entry.split("/") as [string, string | undefined]
    const type = isIPv6(address) ? "ipv6" : "ipv4"
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return list
}

const timingSafeEqualText = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** GET /metrics in the Prometheus text format, for the allowed addresses or the token's holder. */
export const metricsRoute = (access: MetricsAccess) => {
  const allowed = blockListOf(access.allow)
  return HttpApiBuilder.Router.use((router) =>
    router.get(
      "/metrics",
      Effect.gen(function* () {
        const req = yield* HttpServerRequest.HttpServerRequest
        const address = clientAddress(req).replace(/^::ffff:/, "")
        const bearer = /^Bearer (.+)$/.exec(req.headers["authorization"] ?? "")?.[1]
        const byToken =
          Option.isSome(access.token) &&
          bearer !== undefined &&
          timingSafeEqualText(bearer, Redacted.value(access.token.value))
        const byAddress = address !== "unknown" && allowed.check(address, isIPv6(address) ? "ipv6" : "ipv4")
        if (!byToken && !byAddress)
          return envelope(
            403,
            "forbidden",
            "metrics are served to the addresses in HOSTING_METRICS_ALLOW or with the HOSTING_METRICS_TOKEN bearer token",
          )
        return HttpServerResponse.text(renderMetrics(), { contentType: "text/plain; version=0.0.4" })
      }),
    ),
  )
}

/** Both, as one layer. */
export const observabilityLive = (refusals: RefusalLimits, metrics: MetricsAccess) =>
  Layer.mergeAll(observeRequests(refusals), metricsRoute(metrics))
