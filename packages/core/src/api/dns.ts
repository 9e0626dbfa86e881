import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import {
  CreateZone,
  DnsRecord,
  DnsRecordId,
  RecordInput,
  SetZoneTenant,
  Zone,
  ZoneId,
  ZoneRrsets,
} from "../domain/dns.js"
import { idPath, listEndpoint } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { Authorization, RequiredScope } from "./security.js"

/**
 * DNS zones and records, scoped to the caller's brands. Every change the DNS nodes must apply
 * answers 202 with the resource in `pending` (or `deleting`); the zone's sync makes it `active`
 * or `failed`, and removes deleted rows.
 */

const zoneIdPath = idPath(ZoneId)
const recordIdPath = idPath(DnsRecordId)

/** DNS zones of brands, served by the DNS nodes of the brand's clusters. */
export class ZonesGroup extends HttpApiGroup.make("zones")
  .add(
    listEndpoint("list", "/zones", Zone, {
      summary: "List DNS zones",
      scope: "zones:read",
      sort: ["name", "created_at"],
      withStatus: true,
    }),
  )
  .add(
    HttpApiEndpoint.post("create", "/zones")
      .annotate(OpenApi.Summary, "Create a DNS zone with SOA and NS records from its brand (async, 202)")
      .setPayload(CreateZone)
      .addSuccess(Zone, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "zones:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/zones/:id")
      .annotate(OpenApi.Summary, "Read a DNS zone")
      .setPath(zoneIdPath)
      .addSuccess(Zone)
      .addError(NotFoundError)
      .annotate(RequiredScope, "zones:read"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/zones/:id")
      .annotate(OpenApi.Summary, "Delete a DNS zone and its records (async, 202)")
      .setPath(zoneIdPath)
      .addSuccess(Zone, { status: 202 })
      .addError(NotFoundError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "zones:write"),
  )
  .add(
    HttpApiEndpoint.put("setTenant", "/zones/:id/tenant")
      .annotate(OpenApi.Summary, "Give a DNS zone to a tenant of its brand, or to none (null)")
      .setPath(zoneIdPath)
      .setPayload(SetZoneTenant)
      .addSuccess(Zone)
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "zones:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/zones/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed DNS zone and its failed records (async, 202)")
      .setPath(zoneIdPath)
      .addSuccess(Zone, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "zones:write"),
  )
  .add(
    HttpApiEndpoint.get("rrsets", "/zones/:id/rrsets")
      .annotate(
        OpenApi.Summary,
        "What the DNS nodes serve for a zone: its records plus A/AAAA records of bound FQDNs, and records left out",
      )
      .setPath(zoneIdPath)
      .addSuccess(ZoneRrsets)
      .addError(NotFoundError)
      .annotate(RequiredScope, "zones:read"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Records of DNS zones: user-managed ones can be changed; platform-managed ones (SOA, NS) cannot. */
export class DnsRecordsGroup extends HttpApiGroup.make("dnsRecords")
  .add(
    listEndpoint("list", "/zones/:id/records", DnsRecord, {
      summary: "List the records of a DNS zone",
      scope: "dns-records:read",
      sort: ["name", "type", "created_at"],
      withStatus: true,
    })
      .setPath(zoneIdPath)
      .addError(NotFoundError),
  )
  .add(
    HttpApiEndpoint.post("create", "/zones/:id/records")
      .annotate(OpenApi.Summary, "Add a record (A, AAAA, CNAME, MX, TXT, NS, SRV, CAA) to a DNS zone (async, 202)")
      .setPath(zoneIdPath)
      .setPayload(RecordInput)
      .addSuccess(DnsRecord, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "dns-records:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/dns-records/:id")
      .annotate(OpenApi.Summary, "Read a DNS record")
      .setPath(recordIdPath)
      .addSuccess(DnsRecord)
      .addError(NotFoundError)
      .annotate(RequiredScope, "dns-records:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/dns-records/:id")
      .annotate(OpenApi.Summary, "Replace a user-managed DNS record (async, 202)")
      .setPath(recordIdPath)
      .setPayload(RecordInput)
      .addSuccess(DnsRecord, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(InvalidInputError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "dns-records:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/dns-records/:id")
      .annotate(OpenApi.Summary, "Delete a user-managed DNS record (async, 202)")
      .setPath(recordIdPath)
      .addSuccess(DnsRecord, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "dns-records:write"),
  )
  .add(
    HttpApiEndpoint.post("retry", "/dns-records/:id/retry")
      .annotate(OpenApi.Summary, "Retry a failed DNS record (async, 202)")
      .setPath(recordIdPath)
      .addSuccess(DnsRecord, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(UnavailableError)
      .annotate(RequiredScope, "dns-records:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}
