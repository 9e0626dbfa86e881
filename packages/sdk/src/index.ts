/**
 * @hosting/sdk: typed client of the hosting platform API, derived from the contract.
 *
 * - `makeClient` (Effect): `HttpApiClient` over `HostingApi`; typed errors in the error channel.
 * - `createClient` (Promise): the same operations as async functions; failures reject with the
 *   same typed error instances (`NotFound`, `Forbidden`, …, each with `_tag` and `message`).
 */
import {
  FetchHttpClient,
  HttpApiClient,
  HttpClient,
  HttpClientRequest,
  type HttpClientResponse,
} from "@effect/platform"
import { HostingApi } from "@hosting/core/api"
import { Cause, type Effect, Exit, ManagedRuntime } from "effect"

export * from "@hosting/core/api"

/** Where the API is and which key to use. */
export interface ClientOptions {
  /** Base URL of the API host, e.g. `http://127.0.0.1:8080` (without `/api/v1`). */
  readonly baseUrl: string
  /** API key secret sent as `X-API-Key`. */
  readonly apiKey?: string
}

/** The Effect client: `client.nodes.probe({ path: { id } })`. */
export const makeClient = (options: ClientOptions) =>
  HttpApiClient.make(HostingApi, {
    baseUrl: options.baseUrl,
    transformClient: HttpClient.mapRequest((req) =>
      options.apiKey === undefined ? req : HttpClientRequest.setHeader(req, "X-API-Key", options.apiKey),
    ),
  })

/** Type of the Effect client. */
export type EffectClient = Effect.Effect.Success<ReturnType<typeof makeClient>>

// The Effect client's `withResponse: true` variant returns [body, response]; the Promise client
// offers the body only.
type BodyOnly<R> = Exclude<R, readonly [unknown, HttpClientResponse.HttpClientResponse]>

type PromiseGroup<G> = {
  readonly [K in keyof G]: G[K] extends (...args: infer A) => Effect.Effect<infer R, infer _E, infer _Rq>
    ? (...args: A) => Promise<BodyOnly<R>>
    : never
}

/** Type of the Promise client: every group and endpoint of the contract, as async functions. */
export type PromiseClient = {
  readonly [G in keyof EffectClient]: PromiseGroup<EffectClient[G]>
}

/** A Promise-based client for code that does not use Effect. */
export const createClient = (options: ClientOptions): PromiseClient => {
  const runtime = ManagedRuntime.make(FetchHttpClient.layer)
  const client = runtime.runSync(makeClient(options))
  const run = async <A>(effect: Effect.Effect<A, unknown, never>): Promise<A> => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    throw failure._tag === "Some" ? failure.value : Cause.squash(exit.cause)
  }
  const wrapped: Record<string, Record<string, (...args: Array<unknown>) => Promise<unknown>>> = {}
  for (const [group, endpoints] of Object.entries(
    client as unknown as Record<
      string,
      Record<string, (...args: Array<unknown>) => Effect.Effect<unknown, unknown, never>>
    >,
  )) {
    wrapped[group] = {}
    for (const [name, call] of Object.entries(endpoints)) {
      wrapped[group][name] = (...args) => run(call(...args))
    }
  }
  return wrapped as unknown as PromiseClient
}
