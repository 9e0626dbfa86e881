import type { HttpApiBuilder, HttpApiEndpoint } from "@effect/platform"
import { CurrentPrincipal, type Principal } from "@hosting/core"
import { Effect } from "effect"

/**
 * Handlers of brand-scoped groups: every service method takes the caller (the principal the
 * Authorization middleware provides) first. `handleWithPrincipal` binds a group's remaining
 * endpoints to such methods, so a handler says only which method gets which part of the request;
 * the binders below (`byId`, `byIdWith`, `listUnder`, …) say that for the usual shapes.
 */

type Endpoint = HttpApiEndpoint.HttpApiEndpoint.Any

/** A handler that is given the caller before the request. */
export type PrincipalHandler<E extends Endpoint, Err> = (
  principal: Principal,
  request: HttpApiEndpoint.HttpApiEndpoint.Request<E>,
) => Effect.Effect<HttpApiEndpoint.HttpApiEndpoint.Success<E>, HttpApiEndpoint.HttpApiEndpoint.Error<E> | Err, never>

/**
 * Handles every endpoint of the group not handled yet, each with the caller's principal. The
 * object names them all (the compiler says which are missing), in any order.
 */
export const handleWithPrincipal = <Err, Provides, R, Endpoints extends Endpoint>(
  handlers: HttpApiBuilder.Handlers<Err, Provides, R, Endpoints>,
  impl: {
    readonly [Name in HttpApiEndpoint.HttpApiEndpoint.Name<Endpoints>]: PrincipalHandler<
      HttpApiEndpoint.HttpApiEndpoint.WithName<Endpoints, Name>,
      Err
    >
  },
): HttpApiBuilder.Handlers<Err, Provides, R, never> =>
  // `handle` narrows the unhandled endpoints one name at a time, which a loop cannot express;
  // the mapped type of `impl` has already checked each handler against its endpoint
  Object.entries<PrincipalHandler<Endpoint, Err>>(impl).reduce(
    (h: HttpApiBuilder.Handlers<Err, Provides, any, any>, [name, handler]) =>
      h.handle(name, (request) => Effect.flatMap(CurrentPrincipal, (p) => handler(p, request))),
    handlers,
  ) as HttpApiBuilder.Handlers<Err, Provides, R, never>

/** `(p, { path }) => f(p, path.id)`: get, delete, retry and actions on one resource. */
export const byId =
  <Id, A>(f: (principal: Principal, id: Id) => A) =>
  (principal: Principal, { path }: { readonly path: { readonly id: Id } }) =>
    f(principal, path.id)

/** `(p, { path, payload }) => f(p, path.id, payload)`: an update, or a create under a parent. */
export const byIdWith =
  <Id, P, A>(f: (principal: Principal, id: Id, payload: P) => A) =>
  (principal: Principal, { path, payload }: { readonly path: { readonly id: Id }; readonly payload: P }) =>
    f(principal, path.id, payload)

/** `(p, { payload }) => f(p, payload)`: a top-level create. */
export const withPayload =
  <P, A>(f: (principal: Principal, payload: P) => A) =>
  (principal: Principal, { payload }: { readonly payload: P }) =>
    f(principal, payload)

/** `(p, { urlParams }) => f(p, urlParams)`: a top-level list. */
export const withQuery =
  <Q, A>(f: (principal: Principal, query: Q) => A) =>
  (principal: Principal, { urlParams }: { readonly urlParams: Q }) =>
    f(principal, urlParams)

/** `(p, { path, urlParams }) => f(p, path.id, urlParams)`: the list of a parent's children. */
export const listUnder =
  <Id, Q, A>(f: (principal: Principal, parent: Id, query: Q) => A) =>
  (principal: Principal, { path, urlParams }: { readonly path: { readonly id: Id }; readonly urlParams: Q }) =>
    f(principal, path.id, urlParams)

/** The service of an async child family (webroots, FQDNs, SSH keys, DNS records). */
interface AsyncChildService<ParentId, Id, Q, C, U, RL, RC, RG, RU, RD, RR> {
  readonly list: (principal: Principal, parent: ParentId, query: Q) => RL
  readonly create: (principal: Principal, parent: ParentId, input: C) => RC
  readonly get: (principal: Principal, id: Id) => RG
  readonly update: (principal: Principal, id: Id, input: U) => RU
  readonly remove: (principal: Principal, id: Id) => RD
  readonly retry: (principal: Principal, id: Id) => RR
}

/** The six handlers of an async child family (`asyncChildResource` in the contract). */
export const asyncChildHandlers = <ParentId, Id, Q, C, U, RL, RC, RG, RU, RD, RR>(
  service: AsyncChildService<ParentId, Id, Q, C, U, RL, RC, RG, RU, RD, RR>,
) => ({
  list: listUnder(service.list),
  create: byIdWith(service.create),
  get: byId(service.get),
  update: byIdWith(service.update),
  delete: byId(service.remove),
  retry: byId(service.retry),
})
