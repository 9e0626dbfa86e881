/**
 * The HTTP contract of the hosting platform: the single source of truth for the server, the
 * OpenAPI document, the SDK, the MCP tools and the CLI.
 */
import { HttpApi, type HttpApiGroup, OpenApi } from "@effect/platform"
import { familyGroups } from "../families/contract.js"
import { DecodeErrorEnvelope } from "./errors.js"
import { HealthGroup } from "./health.js"

/**
 * `HttpApi.make` answers request-decoding failures in the framework's own shape; we swap its
 * API-level error schema for the envelope so every error body has one format. Groups and
 * endpoints added later keep this schema (they copy `errorSchema` forward).
 */
const withEnvelopedDecodeErrors = <A extends HttpApi.HttpApi.Any>(api: A): A => {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(api)), api) as A
  ;(copy as unknown as { errorSchema: unknown }).errorSchema = DecodeErrorEnvelope
  return copy
}

/**
 * Effect gives the JSON Schema of every `Schema.Unknown` (and Any, object, `{}`) one fixed `$id`
 * such as "/schemas/unknown". A JSON Schema document may give an `$id` to one schema only, so
 * with two such fields the document no longer loads in a validator (ajv: "resolves to more than
 * one schema") and a validating proxy cannot use it. The ids mean nothing outside Effect: dropped.
 */
const withoutEffectSchemaIds = (spec: Record<string, any>): Record<string, any> => {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip)
    if (v === null || typeof v !== "object") return v
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => !(k === "$id" && typeof x === "string" && x.startsWith("/schemas/")))
        .map(([k, x]) => [k, strip(x)]),
    )
  }
  return strip(spec) as Record<string, any>
}

/** Adds groups in their order (the order of the OpenAPI paths), keeping each one's type. */
const addGroups = <
  Id extends string,
  G extends HttpApiGroup.HttpApiGroup.Any,
  E,
  R,
  Gs extends ReadonlyArray<HttpApiGroup.HttpApiGroup.Any>,
>(
  api: HttpApi.HttpApi<Id, G, E, R>,
  groups: Gs,
): HttpApi.HttpApi<Id, G | Gs[number], E, R> =>
  groups.reduce<HttpApi.HttpApi<Id, G | Gs[number], E, R>>((a, g) => a.add(g), api)

/** The whole platform API: health, then every family's groups in their order (`families/contract.ts`). */
export class HostingApi extends addGroups(
  withEnvelopedDecodeErrors(HttpApi.make("hosting")).add(HealthGroup),
  familyGroups,
)
  .annotate(OpenApi.Title, "Hosting Platform API")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "API-first control plane for multi-tenant web hosting. Authenticate with the X-API-Key header.",
  )
  .annotate(OpenApi.Transform, withoutEffectSchemaIds) {}

export * from "../domain/errors.js"
export * from "../domain/ids.js"
export * from "../domain/lifecycle.js"
export * from "../domain/list.js"
export * from "../domain/names.js"
export * from "../domain/redact.js"
export * from "../domain/validation.js"
export * from "../families/contract.js"
export * from "./access.js"
export * from "./async-resource.js"
export * from "./endpoints.js"
export * from "./errors.js"
export * from "./health.js"
export * from "./resource.js"
export * from "./security.js"
