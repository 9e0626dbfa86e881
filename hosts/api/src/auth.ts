import { HttpRouter } from "@effect/platform"
import { ApiKeysRepo, Authorization, accessDenied, endpointAccess, HostingApi, Unauthorized } from "@hosting/core"
import { Effect, Layer, Option, Redacted } from "effect"

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
          const value = Redacted.value(secret)
          if (value.length === 0 || value.length > 200) return yield* Effect.fail(unauthorized)
          const principal = yield* Effect.flatMap(
            keys.authenticate(value),
            Option.match({
              onNone: () => Effect.fail(unauthorized),
              onSome: Effect.succeed,
            }),
          )
          const route = yield* HttpRouter.RouteContext
          const rule = rules.get(`${route.route.method} ${route.route.path}`)
          // A route without a rule would be a contract/server mismatch; refuse rather than allow.
          if (rule === undefined) return yield* Effect.fail(unauthorized)
          const denied = accessDenied(rule, principal)
          if (denied !== undefined) return yield* Effect.fail(denied)
          return principal
        }),
    })
  }),
)
