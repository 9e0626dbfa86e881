import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { asyncChildResource, asyncResource } from "../../api/async-resource.js"
import { idPath } from "../../api/endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError } from "../../api/errors.js"
import { Authorization, RequiredScope, ToolDomain } from "../../api/security.js"
import { CreateZone, DnsRecord, DnsRecordId, RecordInput, SetZoneTenant, Zone, ZoneId, ZoneRrsets } from "./domain.js"

/**
 * DNS zones and records, scoped to the caller's brands. Every change the DNS nodes must apply
 * answers 202 with the resource in `pending` (or `deleting`); the zone's sync makes it `active`
 * or `failed`, and removes deleted rows.
 */

const zone = asyncResource({
  name: "DNS zone",
  scope: "zones",
  schema: Zone,
  collection: "/zones",
  path: "/zones/:id",
  id: ZoneId,
})

const record = asyncChildResource({
  name: "DNS record",
  scope: "dns-records",
  schema: DnsRecord,
  collection: "/zones/:id/records",
  parent: ZoneId,
  path: "/dns-records/:id",
  id: DnsRecordId,
})

/** DNS zones of brands, served by the DNS nodes of the brand's clusters. */
export class ZonesGroup extends HttpApiGroup.make("zones")
  .annotate(ToolDomain, "dns")
  .add(zone.list({ summary: "List DNS zones", sort: ["name", "created_at"] }))
  .add(
    zone.create({
      summary: "Create a DNS zone with SOA and NS records from its brand (async, 202)",
      payload: CreateZone,
      invalidInput: true,
    }),
  )
  .add(zone.get())
  .add(zone.delete("Delete a DNS zone and its records (async, 202)"))
  .add(
    HttpApiEndpoint.put("setTenant", "/zones/:id/tenant")
      .annotate(OpenApi.Summary, "Give a DNS zone to a tenant of its brand, or to none (null)")
      .setPath(idPath(ZoneId))
      .setPayload(SetZoneTenant)
      .addSuccess(Zone)
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, zone.write),
  )
  .add(zone.retry("Retry a failed DNS zone and its failed records (async, 202)"))
  .add(
    HttpApiEndpoint.get("rrsets", "/zones/:id/rrsets")
      .annotate(
        OpenApi.Summary,
        "What the DNS nodes serve for a zone: its records plus A/AAAA records of bound FQDNs, and records left out",
      )
      .setPath(idPath(ZoneId))
      .addSuccess(ZoneRrsets)
      .addError(NotFoundError)
      .annotate(RequiredScope, zone.read),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Records of DNS zones: user-managed ones can be changed; platform-managed ones (SOA, NS) cannot. */
export class DnsRecordsGroup extends HttpApiGroup.make("dnsRecords")
  .annotate(ToolDomain, "dns")
  .add(record.list({ summary: "List the records of a DNS zone", sort: ["name", "type", "created_at"] }))
  .add(
    record.create({
      summary: "Add a record (A, AAAA, CNAME, MX, TXT, NS, SRV, CAA) to a DNS zone (async, 202)",
      payload: RecordInput,
      invalidInput: true,
    }),
  )
  .add(record.get())
  .add(
    record.update({
      summary: "Replace a user-managed DNS record (async, 202)",
      payload: RecordInput,
      async: true,
      invalidInput: true,
    }),
  )
  .add(record.delete("Delete a user-managed DNS record (async, 202)"))
  .add(record.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Zones and their records, in the contract's order. */
export const dnsGroups = [ZonesGroup, DnsRecordsGroup] as const

export * from "./domain.js"
