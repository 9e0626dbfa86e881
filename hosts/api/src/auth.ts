import { HttpRouter } from "@effect/platform"
import { ApiKeysRepo, Authorization, accessDenied, endpointAccess, HostingApi, Unauthorized } from "@hosting/core"
import { Effect, FiberRef, Layer, Option, Redacted } from "effect"
import { currentRequestFacts } from "./observe.js"

const rules = new Map(endpointAccess(HostingApi).map((r) => [`${r.method} ${r.path}`, r]))

const unauthorized = new Unauthorized({ message: "missing or invalid API key (send it in the X-API-Key header)" })

/**
 * Authenticates the X-API-Key header and enforces the scope the matched endpoint declares in
 * the contract. The rule is found by the route's method and path, so every endpoint added to
 * the contract is covered without touching this file.
 */
export const AuthorizationLive = Layer.effect(
  Authorization,
  Effect.gen(function* () {
    const keys = yield* ApiKeysRepo
    return Authorization.of({
      apiKey: (secret) =>
        Effect.gen(function* () {
          const route = yield* HttpRouter.RouteContext
          const rule = rules.get(`${route.route.method} ${route.route.path}`)
          // tell the API-level middleware (audit, metrics) which endpoint this is, even if we refuse
          const facts = yield* FiberRef.get(currentRequestFacts)
          if (facts !== undefined) {
            if (rule !== undefined) facts.rule = rule
            if (typeof route.params["id"] === "string") facts.pathId = route.params["id"]
          }
          const value = Redacted.value(secret)
          if (value.length === 0 || value.length > 200) return yield* Effect.fail(unauthorized)
          const principal = yield* Effect.flatMap(
            keys.authenticate(value),
            Option.match({ onNone: () => Effect.fail(unauthorized), onSome: Effect.succeed }),
          )
          if (facts !== undefined) facts.principal = principal
          // A route without a rule would be a contract/server mismatch; refuse rather than allow.
          if (rule === undefined) return yield* Effect.fail(unauthorized)
          const denied = accessDenied(rule, principal)
          if (denied !== undefined) return yield* Effect.fail(denied)
          return principal
        }),
    })
  }),
)
