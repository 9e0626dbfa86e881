/**
 * The HTTP contract of the hosting platform: the single source of truth for the server, the
 * OpenAPI document, the SDK, the MCP tools and the CLI.
 */
import { HttpApi, OpenApi } from "@effect/platform"
import { ApiKeysGroup } from "./api-keys.js"
import { BrandsGroup } from "./brands.js"
import { DnsRecordsGroup, ZonesGroup } from "./dns.js"
import { DecodeErrorEnvelope } from "./errors.js"
import { HealthGroup } from "./health.js"
import { NodesGroup } from "./nodes.js"
import { AuditLogsGroup, DashboardGroup, SearchGroup } from "./overview.js"
import { PlatformGroup, SessionGroup } from "./platform.js"
import { ClustersGroup, LbAddressesGroup, RegionsGroup } from "./regions.js"
import { ShardsGroup } from "./shards.js"
import { CertificatesGroup, FqdnsGroup, SshKeysGroup, TenantsGroup, WebrootsGroup } from "./tenancy.js"

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

/** The whole platform API. */
export class HostingApi extends withEnvelopedDecodeErrors(HttpApi.make("hosting"))
  .add(HealthGroup)
  .add(SessionGroup)
  .add(DashboardGroup)
  .add(SearchGroup)
  .add(AuditLogsGroup)
  .add(PlatformGroup)
  .add(ApiKeysGroup)
  .add(BrandsGroup)
  .add(RegionsGroup)
  .add(ClustersGroup)
  .add(LbAddressesGroup)
  .add(ShardsGroup)
  .add(NodesGroup)
  .add(TenantsGroup)
  .add(WebrootsGroup)
  .add(FqdnsGroup)
  .add(CertificatesGroup)
  .add(SshKeysGroup)
  .add(ZonesGroup)
  .add(DnsRecordsGroup)
  .annotate(OpenApi.Title, "Hosting Platform API")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "API-first control plane for multi-tenant web hosting. Authenticate with the X-API-Key header.",
  )
  .annotate(OpenApi.Transform, withoutEffectSchemaIds) {}

export * from "../domain/api-key.js"
export * from "../domain/audit.js"
export * from "../domain/brand.js"
export * from "../domain/certificates.js"
export * from "../domain/dashboard.js"
export * from "../domain/dns.js"
export * from "../domain/errors.js"
export * from "../domain/ids.js"
export * from "../domain/lifecycle.js"
export * from "../domain/list.js"
export * from "../domain/names.js"
export * from "../domain/node-probe.js"
export * from "../domain/platform.js"
export * from "../domain/redact.js"
export * from "../domain/tenancy.js"
export * from "../domain/topology.js"
export * from "../domain/validation.js"
export * from "./access.js"
export * from "./api-keys.js"
export * from "./async-resource.js"
export * from "./brands.js"
export * from "./dns.js"
export * from "./endpoints.js"
export * from "./errors.js"
export * from "./health.js"
export * from "./nodes.js"
export * from "./overview.js"
export * from "./platform.js"
export * from "./regions.js"
export * from "./resource.js"
export * from "./security.js"
export * from "./shards.js"
export * from "./tenancy.js"
