/**
 * The HTTP contract of the hosting platform: the single source of truth for the server, the
 * OpenAPI document, the SDK, the MCP tools and the CLI.
 */
import { HttpApi, OpenApi } from "@effect/platform"
import { ApiKeysGroup } from "../families/access/contract-api-keys.js"
import { BrandsGroup } from "../families/access/contract-brands.js"
import { PlatformGroup, SessionGroup } from "../families/access/contract-platform.js"
import { DnsRecordsGroup, ZonesGroup } from "../families/dns/contract.js"
import { AuditLogsGroup, DashboardGroup, SearchGroup } from "../families/overview/contract.js"
import {
  CertificatesGroup,
  FqdnsGroup,
  SshKeysGroup,
  TenantsGroup,
  WebrootsGroup,
} from "../families/tenancy/contract.js"
import { NodesGroup } from "../families/topology/contract-nodes.js"
import { ClustersGroup, LbAddressesGroup, RegionsGroup } from "../families/topology/contract-regions.js"
import { ShardsGroup } from "../families/topology/contract-shards.js"
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

export * from "../domain/errors.js"
export * from "../domain/ids.js"
export * from "../domain/lifecycle.js"
export * from "../domain/list.js"
export * from "../domain/names.js"
export * from "../domain/redact.js"
export * from "../domain/validation.js"
export * from "../families/access/contract-api-keys.js"
export * from "../families/access/contract-brands.js"
export * from "../families/access/contract-platform.js"
export * from "../families/access/domain-api-key.js"
export * from "../families/access/domain-brand.js"
export * from "../families/access/domain-platform.js"
export * from "../families/certificates/domain.js"
export * from "../families/dns/contract.js"
export * from "../families/dns/domain.js"
export * from "../families/overview/contract.js"
export * from "../families/overview/domain-audit.js"
export * from "../families/overview/domain-dashboard.js"
export * from "../families/tenancy/contract.js"
export * from "../families/tenancy/domain.js"
export * from "../families/topology/contract-nodes.js"
export * from "../families/topology/contract-regions.js"
export * from "../families/topology/contract-shards.js"
export * from "../families/topology/domain.js"
export * from "../families/topology/domain-node-probe.js"
export * from "./access.js"
export * from "./async-resource.js"
export * from "./endpoints.js"
export * from "./errors.js"
export * from "./health.js"
export * from "./resource.js"
export * from "./security.js"
