import type { RecordData, Rrset } from "./domain.js"
import { withDot, withoutDot } from "./domain-names.js"

/**
 * Record data in the presentation format PowerDNS's API takes (every string quoted and escaped),
 * IPv6 in the one spelling PowerDNS answers with, and the comparison of desired and served rrsets.
 */

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

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
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
