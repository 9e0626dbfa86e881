import { Either } from "effect"
import { PLATFORM_RECORD_TTL, type RecordData, type Rrset, type ZoneRecordType } from "./dns.js"
import { ipFamily } from "./validation.js"

/**
 * DNS planning as data: record names resolved against their zone, record data rendered in the
 * presentation format PowerDNS's API takes (every string quoted and escaped), a zone's whole
 * desired set of rrsets from its rows and the web tier's bound and service host names, and the
 * difference between two sets of rrsets. Pure: the same input always gives the same output.
 */

/** `name.` — the absolute form DNS servers use. */
export const withDot = (name: string): string => (name.endsWith(".") ? name : `${name}.`)
/** `name` without a trailing dot, as the platform stores names. */
export const withoutDot = (name: string): string => name.replace(/\.$/, "")

/** Whether `name` is `zone` or a name below it. */
export const isAtOrUnder = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`)

/**
 * The absolute owner name (no trailing dot) of a record name given relative to `zone`: `@` is
 * the apex; a name ending in a dot is absolute and must lie inside the zone; a name that already
 * ends with the zone is taken as absolute; anything else is relative to the zone.
 */
export const resolveRecordName = (zone: string, name: string): Either.Either<string, string> => {
  let absolute: string
  if (name === "@") absolute = zone
  else if (name.endsWith(".")) {
    absolute = withoutDot(name)
    if (!isAtOrUnder(absolute, zone)) return Either.left(`${name} is outside the zone ${zone}`)
  } else absolute = isAtOrUnder(name, zone) ? name : `${name}.${zone}`
  if (absolute.length > 253) return Either.left(`${absolute} is longer than 253 characters`)
  if (absolute.includes("*") && !absolute.startsWith("*.") && absolute !== "*") {
    return Either.left("a wildcard may only be the first label (*.example.com)")
  }
  return Either.right(absolute)
}

// ---------------------------------------------------------------------------------------------
// IPv6 in the one spelling PowerDNS answers with, so comparing desired and served data is exact.

const parseGroups = (s: string, count: number): Array<number> | undefined => {
  const parts = (p: string) => (p === "" ? [] : p.split(":"))
  let groups: Array<string>
  if (s.includes("::")) {
    const [left, right] = s.split("::") as [string, string]
    const l = parts(left)
    const r = parts(right)
    if (l.length + r.length > count - 1) return undefined
    groups = [...l, ...Array<string>(count - l.length - r.length).fill("0"), ...r]
  } else groups = parts(s)
  if (groups.length !== count || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined
  return groups.map((g) => Number.parseInt(g, 16))
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or undefined. */
export const ipv6Groups = (address: string): Array<number> | undefined => {
  const s = address.toLowerCase()
  if (!s.includes(".")) return parseGroups(s, 8)
  const cut = s.lastIndexOf(":")
  const v4 = s
    .slice(cut + 1)
    .split(".")
    .map(Number)
  if (v4.length !== 4 || v4.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined
  const head = s.slice(0, cut + 1)
  const prefix = parseGroups(head.endsWith("::") ? head : head.slice(0, -1), 6)
  return prefix === undefined ? undefined : [...prefix, (v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]
}

/**
 * RFC 5952 text of an IPv6 address: lower-case hex, no leading zeros, the longest run of two or
 * more zero groups as `::`; an IPv4-mapped address (`::ffff:0:0/96`) ends in dotted IPv4, as
 * PowerDNS prints it (and PowerDNS refuses that spelling as input, so records are sent in hex).
 */
export const canonicalIpv6 = (address: string, dottedMapped = true): string => {
  const g = ipv6Groups(address)
  if (g === undefined) return address
  if (dottedMapped && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`
  }
  let best = { at: -1, len: 0 }
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > best.len) best = { at: i, len: j - i }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best.len < 2) return hex.join(":")
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`
}

// ---------------------------------------------------------------------------------------------
// Rendering: record data → presentation-format content.

/** A DNS character-string: quoted, with `"` and `\` escaped (the text is printable ASCII). */
export const quoteString = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** Longest character-string in a TXT record (RFC 1035 §3.3: a length byte). */
export const TXT_CHUNK = 255

/** TXT text as 255-byte character-strings (the text is ASCII, so bytes are characters). */
export const txtChunks = (text: string): Array<string> => {
  if (text === "") return [""]
  const chunks: Array<string> = []
  for (let i = 0; i < text.length; i += TXT_CHUNK) chunks.push(text.slice(i, i + TXT_CHUNK))
  return chunks
}

/** The SOA RNAME of a mailbox: `host.master@example.com` → `host\.master.example.com.` */
export const mailboxName = (email: string): string => {
  const at = email.lastIndexOf("@")
  const local = email.slice(0, at).replace(/[\\.]/g, (c) => `\\${c}`)
  return withDot(`${local}.${email.slice(at + 1)}`.toLowerCase())
}

/** Serial the platform writes; PowerDNS (SOA-EDIT-API) replaces it on every change. */
export const INITIAL_SERIAL = 1

/** The presentation-format content of one record's data. */
export const renderContent = (data: RecordData): string => {
  switch (data.type) {
    case "A":
      return data.address
    case "AAAA":
      return canonicalIpv6(data.address, false)
    case "CNAME":
      return withDot(data.target)
    case "MX":
      return `${data.priority} ${withDot(data.exchange)}`
    case "TXT":
      return txtChunks(data.text).map(quoteString).join(" ")
    case "NS":
      return withDot(data.nameserver)
    case "SRV":
      return `${data.priority} ${data.weight} ${data.port} ${withDot(data.target)}`
    case "CAA":
      return `${data.flags} ${data.tag} ${quoteString(data.value)}`
    case "SOA":
      return [
        withDot(data.mname),
        mailboxName(data.rname),
        INITIAL_SERIAL,
        data.refresh,
        data.retry,
        data.expire,
        data.minimum,
      ].join(" ")
  }
}

/** The SOA and NS data a new zone starts with. */
export const zoneApexData = (
  zone: string,
  nameservers: ReadonlyArray<string>,
  hostmaster: string | null,
): Array<RecordData> => [
  {
    type: "SOA",
    mname: withoutDot(nameservers[0]!),
    rname: hostmaster ?? `hostmaster@${zone}`,
    refresh: 10_800,
    retry: 3_600,
    expire: 604_800,
    minimum: 3_600,
  },
  ...nameservers.map((n): RecordData => ({ type: "NS", nameserver: withoutDot(n) })),
]

// ---------------------------------------------------------------------------------------------
// The zone planner.

/** A record row as the planner sees it: owner name absolute, without the dot. */
export interface PlannedRecord {
  readonly id: string
  readonly name: string
  readonly ttl: number
  readonly data: RecordData
}

/** A host name bound to a webroot of the zone's brand, with its cluster's LB addresses. */
export interface BoundHostname {
  readonly hostname: string
  readonly addresses: ReadonlyArray<string>
}

/** A tenant as its service hostname needs it. */
export interface ServiceTenant {
  readonly name: string
  readonly status: string
  /** The shard it is on; during a migration still the source, until the move flips it. */
  readonly shardId: string
  readonly migrateTo: string | null
}

/**
 * The DNS label of a tenant's service hostname: its name with `-` for `_` (`t_abc…` → `t-abc…`),
 * because a host name may not hold an underscore (RFC 1123; no CA certifies one). Generated tenant
 * names have exactly one underscore after the prefix, so the label maps back to one tenant.
 */
export const serviceLabel = (tenantName: string): string => tenantName.replace(/_/g, "-")
/** The one label of `name` directly under `base` (`a` for `a.base`), if `name` is such a name. */
export const labelUnder = (name: string, base: string): string | undefined => {
  const [n, b] = [withoutDot(name), withoutDot(base)]
  const label = n.endsWith(`.${b}`) ? n.slice(0, -(b.length + 1)) : ""
  return label === "" || label.includes(".") ? undefined : label
}
/** The tenant name a service hostname label stands for. */
export const tenantOfServiceLabel = (label: string): string => label.replace(/-/g, "_")

/** `<tenant label>.<base domain>`: where a tenant's customers reach its shard over SFTP/SSH; none without a base domain. */
export const serviceHostname = (tenantName: string, baseDomain: string | null): string | null =>
  baseDomain === null ? null : `${serviceLabel(tenantName)}.${withoutDot(baseDomain)}`

/**
 * The service hostnames of tenants with the addresses of their shard's web nodes (not the LB:
 * SFTP/SSH are not behind it). A migrating tenant keeps its source shard's: its files reach the
 * target only at the end of the migration, when the shard flips (and the zone is synced again).
 * Tenants being deleted have none.
 */
export const serviceHostnames = (
  baseDomain: string | null,
  tenants: ReadonlyArray<ServiceTenant>,
  webNodeAddresses: ReadonlyMap<string, ReadonlyArray<string>>,
): Array<BoundHostname> =>
  tenants.flatMap((t) => {
    const hostname = serviceHostname(t.name, baseDomain)
    if (hostname === null || t.status === "deleting") return []
    return [{ hostname, addresses: webNodeAddresses.get(t.shardId) ?? [] }]
  })

/** Everything a zone's served data depends on. */
export interface ZonePlanInput {
  readonly zone: string
  /** The zone's live records (user and platform). */
  readonly records: ReadonlyArray<PlannedRecord>
  /** FQDNs of the zone's brand at or under the zone (others are ignored). */
  readonly bound: ReadonlyArray<BoundHostname>
  /** Tenants' service hostnames at or under the zone (others are ignored), from `serviceHostnames`. */
  readonly services?: ReadonlyArray<BoundHostname>
  /** Names of other zones (those below this one take their names away from it). */
  readonly otherZones: ReadonlyArray<string>
}

/** A record left out, and why. */
export interface Rejection {
  readonly id: string
  readonly reason: string
}

/** The zone's whole desired data. */
export interface ZonePlan {
  readonly rrsets: ReadonlyArray<Rrset>
  readonly rejected: ReadonlyArray<Rejection>
}

const ADDRESS_TYPES: ReadonlyArray<ZoneRecordType> = ["A", "AAAA", "CNAME"]
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const rrsetOrder = (a: Rrset, b: Rrset) => byString(a.name, b.name) || byString(a.type, b.type)

/** Why a user's record at `name` of `type` cannot be served in this zone, if it cannot. */
export const recordConflict = (
  zone: string,
  name: string,
  type: ZoneRecordType,
  otherZones: ReadonlyArray<string>,
  bound: ReadonlySet<string>,
  services: ReadonlySet<string> = new Set(),
): string | undefined => {
  if (!isAtOrUnder(name, zone)) return `${name} is outside the zone ${zone}`
  const child = otherZones
    .filter((z) => z !== zone && isAtOrUnder(z, zone) && isAtOrUnder(name, z))
    .sort((a, b) => b.length - a.length)[0]
  // the parent may hold the delegation (NS at the child's apex); everything else is the child's
  if (child !== undefined && !(type === "NS" && name === child)) return `${name} belongs to the zone ${child}`
  if (bound.has(name) && ADDRESS_TYPES.includes(type)) {
    return `${name} is bound to a webroot: the platform serves its A/AAAA records (unbind the FQDN first)`
  }
  if (services.has(name) && ADDRESS_TYPES.includes(type)) {
    return `${name} is a tenant's service hostname: the platform serves its A/AAAA records`
  }
  if (type === "CNAME" && name === zone) return "a CNAME cannot be at the zone apex (it holds the SOA and NS)"
  return undefined
}

/**
 * A zone's desired rrsets: its records (platform SOA/NS and user records) plus A/AAAA records for
 * every host name of the brand bound at or under the zone (unless a more specific zone covers
 * it), pointing at the LB addresses of the bound tenant's cluster, and likewise for tenants'
 * service hostnames, pointing at their shards' web nodes. Records that cannot be served are
 * rejected with a reason: names of a child zone, address records where the platform serves a
 * bound or service name, a CNAME at the apex or next to other data (RFC 1034 §3.6.2). An rrset's
 * TTL is the smallest of its records'; equal contents are served once.
 */
export const planZone = (input: ZonePlanInput): ZonePlan => {
  const { zone } = input
  const rejected: Array<Rejection> = []
  const covering = (name: string) =>
    input.otherZones.some((z) => z !== zone && isAtOrUnder(z, zone) && isAtOrUnder(name, z))

  const derived = new Map<string, { A: Set<string>; AAAA: Set<string> }>()
  const derive = (names: ReadonlyArray<BoundHostname>) => {
    const hosts = new Set<string>()
    for (const b of names) {
      const host = withoutDot(b.hostname)
      if (!isAtOrUnder(host, zone) || covering(host)) continue
      const sets = derived.get(host) ?? { A: new Set<string>(), AAAA: new Set<string>() }
      for (const a of b.addresses) {
        const family = ipFamily(a)
        if (family === 4) sets.A.add(a)
        else if (family === 6) sets.AAAA.add(canonicalIpv6(a, false))
      }
      derived.set(host, sets)
      hosts.add(host)
    }
    return hosts
  }
  const bound = derive(input.bound)
  const services = derive(input.services ?? [])

  const kept: Array<PlannedRecord> = []
  let soa = false
  for (const r of [...input.records].sort((a, b) => byString(a.id, b.id))) {
    const reason =
      r.data.type === "SOA"
        ? r.name !== zone
          ? "an SOA record belongs at the zone apex"
          : soa
            ? "a zone has one SOA record"
            : undefined
        : recordConflict(zone, r.name, r.data.type, input.otherZones, bound, services)
    if (reason !== undefined) rejected.push({ id: r.id, reason })
    else {
      if (r.data.type === "SOA") soa = true
      kept.push(r)
    }
  }

  const byName = new Map<string, Array<PlannedRecord>>()
  for (const r of kept) byName.set(r.name, [...(byName.get(r.name) ?? []), r])
  const served: Array<PlannedRecord> = []
  for (const [name, records] of byName) {
    const cnames = records.filter((r) => r.data.type === "CNAME")
    const others = records.filter((r) => r.data.type !== "CNAME")
    if (cnames.length > 0 && others.length > 0) {
      for (const c of cnames)
        rejected.push({ id: c.id, reason: `a CNAME cannot coexist with other records at ${name}` })
      served.push(...others)
    } else if (cnames.length > 1) {
      for (const c of cnames.slice(1)) rejected.push({ id: c.id, reason: `${name} already has a CNAME` })
      served.push(cnames[0]!)
    } else served.push(...records)
  }

  const sets = new Map<string, { name: string; type: ZoneRecordType; ttl: number; records: Set<string> }>()
  const add = (name: string, type: ZoneRecordType, ttl: number, content: string) => {
    const key = `${name} ${type}`
    const set = sets.get(key) ?? { name: withDot(name), type, ttl, records: new Set<string>() }
    set.ttl = Math.min(set.ttl, ttl)
    set.records.add(content)
    sets.set(key, set)
  }
  for (const r of served) add(r.name, r.data.type, r.ttl, renderContent(r.data))
  for (const [host, { A, AAAA }] of derived) {
    for (const a of A) add(host, "A", PLATFORM_RECORD_TTL, a)
    for (const a of AAAA) add(host, "AAAA", PLATFORM_RECORD_TTL, a)
  }
  const rrsets = [...sets.values()]
    .map((s) => ({ name: s.name, type: s.type, ttl: s.ttl, records: [...s.records].sort(byString) }))
    .sort(rrsetOrder)
  rejected.sort((a, b) => byString(a.id, b.id))
  return { rrsets, rejected }
}

// ---------------------------------------------------------------------------------------------
// Comparing desired and served data.

/** Content as comparable text: AAAA in one spelling, the SOA without its serial (PowerDNS owns it). */
export const comparableContent = (type: string, content: string): string => {
  if (type === "AAAA") return canonicalIpv6(content, false)
  if (type === "SOA") {
    const parts = content.toLowerCase().split(/\s+/)
    if (parts.length === 7) parts[2] = "0"
    return parts.join(" ")
  }
  return content
}

const rrsetKey = (r: { readonly name: string; readonly type: string }) => `${r.name.toLowerCase()} ${r.type}`
const comparable = (r: Rrset) =>
  `${r.ttl} ${r.records
    .map((c) => comparableContent(r.type, c))
    .sort(byString)
    .join("\n")}`

/** What to change so a server's rrsets become the desired ones. */
export interface RrsetChanges {
  /** Rrsets to create or replace as a whole. */
  readonly replace: ReadonlyArray<Rrset>
  /** Rrsets the zone must no longer have. */
  readonly remove: ReadonlyArray<{ readonly name: string; readonly type: string }>
}

/** Only the rrsets that differ: missing or different ones replaced, extra ones removed. */
export const diffRrsets = (desired: ReadonlyArray<Rrset>, actual: ReadonlyArray<Rrset>): RrsetChanges => {
  const have = new Map(actual.map((r) => [rrsetKey(r), comparable(r)]))
  const want = new Set(desired.map(rrsetKey))
  return {
    replace: desired.filter((d) => have.get(rrsetKey(d)) !== comparable(d)),
    remove: actual.filter((a) => !want.has(rrsetKey(a))).map((a) => ({ name: a.name, type: a.type })),
  }
}
