import { ipFamily } from "../../domain/validation.js"
import { PLATFORM_RECORD_TTL, type RecordData, type Rrset, type ZoneRecordType } from "./domain.js"
import { isAtOrUnder, serviceHostname, withDot, withoutDot } from "./domain-names.js"
import { canonicalIpv6, renderContent } from "./plan-render.js"

/**
 * The zone planner: a zone's whole desired set of rrsets from its rows and the web tier's bound
 * and service host names. Pure: the same input always gives the same output. Names and rendering
 * live in `dns-names` and `dns-render`, re-exported here for the planner's callers.
 */
export * from "./domain-names.js"
export * from "./plan-render.js"

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
  /**
   * Records other families have the platform serve (a mail domain's MX, SPF, DKIM and DMARC:
   * email/plan-dns.ts); those at or under the zone are served with the derived records' TTL.
   */
  readonly platform?: ReadonlyArray<{ readonly name: string; readonly data: RecordData }>
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
  const platform = (input.platform ?? []).filter((p) => isAtOrUnder(p.name, zone) && !covering(p.name))
  const platformNames = new Set(platform.map((p) => p.name))

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
        : (recordConflict(zone, r.name, r.data.type, input.otherZones, bound, services) ??
          (r.data.type === "CNAME" && platformNames.has(r.name)
            ? `${r.name} holds the platform's mail records: a CNAME cannot be next to them`
            : undefined))
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
  for (const p of platform) add(p.name, p.data.type, PLATFORM_RECORD_TTL, renderContent(p.data))
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
