import { type FastCheck, Schema } from "effect"
import { BrandId, TenantId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { Hostname, ipFamily, PublicHostname, strict } from "../../domain/validation.js"

/**
 * DNS zones and their records. A zone belongs to a brand (optionally to one of its tenants); its
 * records are `user`-managed (created through the API) or `platform`-managed (the SOA and NS the
 * zone was created with). Every string here ends up in a PowerDNS record, so each is allow-listed
 * (lower-case ASCII names, IDN as punycode, printable ASCII text) and rendered by dns-plan.ts.
 */

const uuidId = <const B extends string>(brand: B, what: string) =>
  Schema.UUID.pipe(Schema.brand(brand), Schema.annotations({ title: brand, description: `UUID of ${what}` }))

/** UUID of a DNS zone. */
export const ZoneId = uuidId("ZoneId", "a DNS zone")
/** Branded zone id. */
export type ZoneId = typeof ZoneId.Type
/** UUID of a DNS record. */
export const DnsRecordId = uuidId("DnsRecordId", "a DNS record")
/** Branded DNS record id. */
export type DnsRecordId = typeof DnsRecordId.Type

const LABEL = "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
const labels = (n: number) => `${LABEL}(\\.${LABEL}){${n},}`
const PUNYCODE = "lower-case ASCII letters, digits, - and _ (IDN as punycode: xn--…)"

const labelArbitrary = (fc: typeof FastCheck) => fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)

/**
 * A zone's domain, e.g. `example.com` (a trailing dot is dropped): a public host name, so at
 * least two labels, never an address or a special-use name.
 */
export const ZoneName = PublicHostname.annotations({
  title: "ZoneName",
  description:
    "the zone's domain, e.g. example.com; lower-case, IDN as punycode (xn--…); at least two labels, not an IP address or a special-use name (localhost, local, invalid, onion…); under test or example only where the platform allows test domains",
})

/**
 * Owner name of a record: `@` (the apex), a name relative to the zone (`www`, `_dmarc`, `*.dev`),
 * or an absolute name (`www.example.com` or `www.example.com.`); it must lie inside the zone.
 */
export const RecordName = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(new RegExp(`^(@|\\*|(\\*\\.)?${labels(0)}\\.?)$`), {
    message: () => `must be @, a relative name (www, *.dev) or an absolute one; ${PUNYCODE}`,
  }),
  Schema.annotations({
    title: "RecordName",
    description:
      "@ for the zone apex, a name relative to the zone (www, _dmarc, *.dev), or an absolute name inside the zone (www.example.com.)",
    // relative names only: `@` is refused for a CNAME, and generated bodies should be accepted
    arbitrary: () => (fc) =>
      fc.array(labelArbitrary(fc), { minLength: 1, maxLength: 3 }).map((ls) => `r${ls.join(".")}`),
  }),
)

/** Owner name of an SRV record: `_service._proto` (relative) or the same followed by the rest of the name. */
export const SrvName = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(new RegExp(`^_[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\._(tcp|udp|tls|sctp)(\\.${LABEL})*\\.?$`), {
    message: () => "must be _service._proto (e.g. _sip._tcp), optionally followed by a name inside the zone",
  }),
  Schema.annotations({
    title: "SrvName",
    arbitrary: () => (fc) =>
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.constantFrom("tcp", "udp")).map(([s, p]) => `_${s}._${p}`),
  }),
)

/** A name a record points to (CNAME, MX, NS, SRV targets): absolute; a trailing dot is optional. */
export const DnsTarget = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(new RegExp(`^${labels(1)}\\.?$`), {
    message: () => `must be an absolute host name with at least two labels (mail.example.com); ${PUNYCODE}`,
  }),
  Schema.filter((s) => s.replace(/\.$/, "").length <= 253 || "at most 253 characters"),
  Schema.annotations({
    title: "DnsTarget",
    description: "absolute host name, e.g. mail.example.com (a trailing dot is optional)",
    arbitrary: () => (fc) =>
      fc.array(labelArbitrary(fc), { minLength: 2, maxLength: 3 }).map((ls) => `${ls.join(".")}.test`),
  }),
)

/** An IPv4 address. */
export const Ipv4Address = Schema.String.pipe(
  Schema.maxLength(15),
  Schema.filter((s) => ipFamily(s) === 4 || "must be an IPv4 address"),
  Schema.annotations({ title: "Ipv4Address", arbitrary: () => (fc) => fc.ipV4() }),
)

/** An IPv6 address (stored and served in its canonical RFC 5952 form). */
export const Ipv6Address = Schema.String.pipe(
  Schema.maxLength(45),
  Schema.filter((s) => ipFamily(s) === 6 || "must be an IPv6 address"),
  Schema.annotations({ title: "Ipv6Address", arbitrary: () => (fc) => fc.ipV6() }),
)

/** Longest TXT text accepted; longer than 255 bytes is served as several quoted strings. */
export const TXT_MAX_LENGTH = 4000

/** TXT text: printable ASCII (space to `~`), quotes and backslashes included, no control characters. */
export const TxtText = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(TXT_MAX_LENGTH),
  Schema.pattern(/^[\x20-\x7e]*$/, {
    message: () => "must be printable ASCII (space to ~) without line breaks or control characters",
  }),
  Schema.annotations({
    title: "TxtText",
    description: `1–${TXT_MAX_LENGTH} printable ASCII characters; split into quoted 255-byte strings when served`,
    arbitrary: () => (fc) => fc.string({ minLength: 1, maxLength: 700 }),
  }),
)

/** CAA property tags the platform accepts. */
export const CaaTag = Schema.Literal("issue", "issuewild", "iodef")

/**
 * CAA value: for issue/issuewild a CA domain (or empty: no CA may issue) with optional
 * `; key=value` parameters; for iodef a mailto: or http(s): URL.
 */
export const CaaValue = Schema.String.pipe(
  Schema.maxLength(255),
  Schema.pattern(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$|^$/, { message: () => "must be printable ASCII" }),
  Schema.filter((s) => !/["\\]/.test(s) || "must not contain quotes or backslashes"),
  Schema.annotations({
    title: "CaaValue",
    arbitrary: () => (fc) => fc.constantFrom("letsencrypt.org", "pki.goog; cansignhttpexchanges=yes", ";", ""),
  }),
)

const ISSUER =
  /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)?\s*(;(\s*[A-Za-z0-9-]+=[\x21-\x3a\x3c-\x7e]*)*\s*)?$/
const IODEF = /^(mailto:[^\s@]+@[^\s@]+|https?:\/\/[\x21-\x7e]+)$/

/** Whether a CAA value fits its tag (RFC 8659 issuer syntax, RFC 6546 iodef URL). */
export const caaValueFits = (tag: typeof CaaTag.Type, value: string): boolean =>
  tag === "iodef" ? IODEF.test(value) : ISSUER.test(value)

const Ttl = Schema.Int.pipe(
  Schema.between(30, 604_800),
  Schema.annotations({ title: "Ttl", description: "seconds, 30–604800 (default 3600)" }),
)
const U16 = Schema.Int.pipe(Schema.between(0, 65_535))

/** The SOA's responsible mailbox (`hostmaster@example.com`); the brand's hostmaster or one in the zone. */
export const Mailbox = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[a-zA-Z0-9._%+-]{1,64}@[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/),
  Schema.annotations({ title: "Mailbox" }),
)

/** Record types a user can create. */
export const RecordType = Schema.Literal("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA").annotations({
  title: "RecordType",
})
/** Record type a user can create. */
export type RecordType = typeof RecordType.Type
/** Every record type a zone holds (SOA is the platform's only). */
export const ZoneRecordType = Schema.Literal(...RecordType.literals, "SOA").annotations({ title: "ZoneRecordType" })
/** Every record type a zone holds. */
export type ZoneRecordType = typeof ZoneRecordType.Type

/** Who maintains a record: the platform (SOA, NS of the zone) or the user (through the API). */
export const ManagedBy = Schema.Literal("platform", "user").annotations({ title: "ManagedBy" })

const data = {
  A: { address: Ipv4Address },
  AAAA: { address: Ipv6Address },
  CNAME: { target: DnsTarget },
  MX: { priority: U16, exchange: DnsTarget },
  TXT: { text: TxtText },
  NS: { nameserver: DnsTarget },
  SRV: { priority: U16, weight: U16, port: U16, target: DnsTarget },
  CAA: { flags: Schema.Int.pipe(Schema.between(0, 255)), tag: CaaTag, value: CaaValue },
} as const

const caaFits = (r: { readonly type: string; readonly tag?: typeof CaaTag.Type; readonly value?: string }) =>
  r.type !== "CAA" ||
  caaValueFits(r.tag!, r.value!) ||
  (r.tag === "iodef"
    ? "an iodef value must be a mailto: or http(s): URL"
    : "an issue/issuewild value must be a CA domain (or empty), optionally followed by ; key=value parameters")

/** The type-specific part of a record, as stored and returned. */
export const RecordData = Schema.Union(
  Schema.Struct({ type: Schema.Literal("A"), ...data.A }),
  Schema.Struct({ type: Schema.Literal("AAAA"), ...data.AAAA }),
  Schema.Struct({ type: Schema.Literal("CNAME"), ...data.CNAME }),
  Schema.Struct({ type: Schema.Literal("MX"), ...data.MX }),
  Schema.Struct({ type: Schema.Literal("TXT"), ...data.TXT }),
  Schema.Struct({ type: Schema.Literal("NS"), ...data.NS }),
  Schema.Struct({ type: Schema.Literal("SRV"), ...data.SRV }),
  Schema.Struct({ type: Schema.Literal("CAA"), ...data.CAA }).pipe(Schema.filter(caaFits)),
  Schema.Struct({
    type: Schema.Literal("SOA"),
    mname: DnsTarget,
    rname: Mailbox,
    refresh: Schema.Int,
    retry: Schema.Int,
    expire: Schema.Int,
    minimum: Schema.Int,
  }),
).annotations({ title: "RecordData" })
/** The type-specific part of a record. */
export type RecordData = typeof RecordData.Type

const input = <const T extends RecordType, F extends Schema.Struct.Fields>(type: T, fields: F) =>
  strict(
    Schema.Struct({
      type: Schema.Literal(type),
      name: type === "SRV" ? SrvName : RecordName,
      ttl: Schema.optional(Ttl),
      ...fields,
    }),
  )

/**
 * Body of POST /zones/{id}/records and PUT /dns-records/{id}: the type, the owner name, an
 * optional TTL, and the type's own fields.
 */
export const RecordInput = Schema.Union(
  input("A", data.A).annotations({ title: "ARecordInput" }),
  input("AAAA", data.AAAA).annotations({ title: "AaaaRecordInput" }),
  input("CNAME", data.CNAME).annotations({ title: "CnameRecordInput" }),
  input("MX", data.MX).annotations({ title: "MxRecordInput" }),
  input("TXT", data.TXT).annotations({ title: "TxtRecordInput" }),
  input("NS", data.NS).annotations({ title: "NsRecordInput" }),
  input("SRV", data.SRV).annotations({ title: "SrvRecordInput" }),
  input("CAA", data.CAA).pipe(Schema.filter(caaFits)).annotations({ title: "CaaRecordInput" }),
).annotations({ title: "RecordInput" })
/** A record as a caller writes it. */
export type RecordInput = typeof RecordInput.Type

/** A DNS zone served by the DNS nodes of its brand's clusters. */
export class Zone extends Schema.Class<Zone>("Zone")({
  id: ZoneId,
  brand_id: BrandId,
  tenant_id: Schema.NullOr(TenantId).annotations({ description: "the tenant that owns the zone, if any" }),
  name: Hostname,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /zones. */
export const CreateZone = strict(
  Schema.Struct({
    name: ZoneName,
    brand_id: BrandId,
    tenant_id: Schema.optional(TenantId).annotations({ description: "a tenant of the same brand that owns the zone" }),
  }),
)

/** Body of PUT /zones/{id}/tenant: the new owner, or null for none. */
export const SetZoneTenant = strict(Schema.Struct({ tenant_id: Schema.NullOr(TenantId) }))

/** One record of a zone. */
export class DnsRecord extends Schema.Class<DnsRecord>("DnsRecord")({
  id: DnsRecordId,
  zone_id: ZoneId,
  name: Schema.String.annotations({ description: "absolute owner name without the trailing dot" }),
  type: ZoneRecordType,
  ttl: Schema.Int,
  data: RecordData,
  content: Schema.String.annotations({ description: "the record data as PowerDNS serves it (presentation format)" }),
  managed_by: ManagedBy,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** A set of records of one name and type, as a DNS server holds it (names absolute, with the dot). */
export const Rrset = Schema.Struct({
  name: Schema.String.pipe(Schema.maxLength(255), Schema.pattern(new RegExp(`^((\\*\\.)?${labels(0)})?\\.$`))),
  type: ZoneRecordType,
  ttl: Schema.Int.pipe(Schema.between(1, 2_147_483_647)),
  records: Schema.Array(
    Schema.String.pipe(Schema.minLength(1), Schema.maxLength(8192), Schema.pattern(/^[\x20-\x7e]+$/)),
  ).pipe(Schema.minItems(1), Schema.maxItems(1000)),
})
/** A set of records of one name and type. */
export type Rrset = typeof Rrset.Type

/** A record the planner left out of a zone, and why. */
export const RejectedRecord = Schema.Struct({ id: DnsRecordId, reason: Schema.String })

/** GET /zones/{id}/rrsets: what the DNS nodes serve (or will serve) for the zone. */
export class ZoneRrsets extends Schema.Class<ZoneRrsets>("ZoneRrsets")({
  zone: Zone,
  rrsets: Schema.Array(Rrset),
  rejected: Schema.Array(RejectedRecord).annotations({
    description: "records left out (e.g. a CNAME where the platform serves the bound host name)",
  }),
}) {}

/** TTL of records the platform derives from bound FQDNs: short, so LB changes spread quickly. */
export const PLATFORM_RECORD_TTL = 300
/** TTL of records created without one. */
export const DEFAULT_RECORD_TTL = 3600
