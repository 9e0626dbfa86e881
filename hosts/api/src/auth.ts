import { HttpApiError, HttpIncomingMessage, HttpRouter, HttpServerRequest } from "@effect/platform"
import {
  ApiKeysRepo,
  AuditLogs,
  Authorization,
  accessDenied,
  endpointAccess,
  HostingApi,
  PayloadTooLarge,
  TooManyRequests,
  Unauthorized,
  Unavailable,
} from "@hosting/core"
import { Effect, FiberRef, Layer, Option, Redacted } from "effect"
import { auditableBody, jsonDepthExceeds, keyPrefix, MAX_JSON_DEPTH, type WindowCounter } from "./guard.js"
import { clientAddress, currentRequestFacts, isMutation } from "./observe.js"

const rules = new Map(endpointAccess(HostingApi).map((r) => [`${r.method} ${r.path}`, r]))

const unauthorized = new Unauthorized({ message: "missing or invalid API key (send it in the X-API-Key header)" })

/** What the Authorization middleware enforces besides keys and scopes. */
export interface AuthLimits {
  /** the body limit of endpoints that declare none */
  readonly maxBodyBytes: number
  /** failed keys per client address and minute before it is answered 429 */
  readonly authFailures: WindowCounter
}

const tooLarge = (limit: number) =>
  new PayloadTooLarge({
    message: `the request body exceeds this endpoint's limit of ${limit} bytes`,
    details: { max_bytes: limit },
  })

/**
 * Reads the body under the endpoint's limit while it streams in (the framework's parser reuses
 * this read), and refuses nesting a parser would recurse through.
 */
const readBody = (limit: number) =>
  Effect.gen(function* () {
    const req = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(req.headers["content-length"] ?? "0")
    if (declared > limit) return yield* Effect.fail(tooLarge(limit))
    const text = yield* req.text.pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(limit)),
      Effect.mapError(() => tooLarge(limit)),
    )
    if (jsonDepthExceeds(text))
      return yield* Effect.fail(
        new HttpApiError.HttpApiDecodeError({
          message: `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
          issues: [],
        }),
      )
    return text
  })

/**
 * Authenticates the X-API-Key header and enforces the scope the matched endpoint declares in
 * the contract. The rule is found by the route's method and path, so every endpoint added to
 * the contract is covered without touching this file. A mutation's audit entry is written here,
 * before its handler runs: when the entry cannot be written, nothing is changed.
 */
export const authorizationLive = (limits: AuthLimits) =>
  Layer.effect(
    Authorization,
    Effect.gen(function* () {
      const keys = yield* ApiKeysRepo
      const audit = yield* AuditLogs
      return Authorization.of({
        apiKey: (secret) =>
          Effect.gen(function* () {
            const route = yield* HttpRouter.RouteContext
            const req = yield* HttpServerRequest.HttpServerRequest
            const rule = rules.get(`${route.route.method} ${route.route.path}`)
            // tell the API-level middleware (audit, metrics) which endpoint this is, even if we refuse
            const facts = yield* FiberRef.get(currentRequestFacts)
            if (facts !== undefined) {
              if (rule !== undefined) facts.rule = rule
              if (typeof route.params["id"] === "string") facts.pathId = route.params["id"]
            }
            const address = clientAddress(req)
            const refuse = (reason: string) => {
              if (facts !== undefined) facts.refusal = reason
              limits.authFailures.hit(address)
              return Effect.fail(unauthorized)
            }
            if (limits.authFailures.exhausted(address)) {
              if (facts !== undefined) facts.refusal = "too many failed keys from this address"
              const retry = limits.authFailures.retryAfterSeconds()
              return yield* Effect.fail(
                new TooManyRequests({
                  message: `too many requests with invalid API keys from this address; try again in ${retry} s`,
                  details: { retry_after_seconds: retry },
                }),
              )
            }
            const value = Redacted.value(secret)
            if (value.length === 0) return yield* refuse("no API key")
            if (value.length > 200) return yield* refuse(`invalid API key ${keyPrefix(value)}`)
            const found = yield* keys.authenticate(value)
            if (Option.isNone(found)) return yield* refuse(`unknown or revoked API key ${keyPrefix(value)}`)
            const principal = found.value
            if (facts !== undefined) facts.principal = principal
            // A route without a rule would be a contract/server mismatch; refuse rather than allow.
            if (rule === undefined) return yield* Effect.fail(unauthorized)
            const denied = accessDenied(rule, principal)
            if (denied !== undefined) return yield* Effect.fail(denied)
            if (isMutation(req.method)) {
              const text = yield* readBody(rule.maxBodyBytes ?? limits.maxBodyBytes)
              const id = yield* audit
                .record({
                  principal,
                  action: `${rule.group}.${rule.endpoint}`,
                  method: req.method,
                  path: req.url.split("?")[0]!,
                  resourceType: rule.scope?.split(":")[0] ?? rule.group,
                  resourceId: typeof route.params["id"] === "string" ? route.params["id"] : null,
                  statusCode: null,
                  body: auditableBody(text),
                  clientAddress: address,
                })
                .pipe(
                  Effect.tapErrorCause((c) => Effect.logError("audit log write failed; the request is refused", c)),
                  Effect.mapError(
                    () =>
                      new Unavailable({
                        message: "the audit log cannot be written right now, so nothing was changed; try again",
                      }),
                  ),
                )
              if (facts !== undefined) facts.auditId = id
            }
            return principal
          }),
      })
    }),
  )
