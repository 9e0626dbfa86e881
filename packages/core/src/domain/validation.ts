import { type FastCheck, Schema } from "effect"

/**
 * Allow-listed string types for everything that may reach a config file, a command argument or
 * an SQL identifier. Each is a Schema so the API rejects bad input and OpenAPI documents it.
 */

const LABEL_PATTERN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/

/**
 * Special-use domains (RFC 6761 registry) that are never served or delegated: resolvers answer
 * them locally (localhost), refuse them (invalid), resolve them on the link (local), route them
 * elsewhere (onion, alt) or keep them inside a home network (home.arpa).
 */
const SPECIAL_USE_DOMAINS: ReadonlyArray<readonly [domain: string, rfc: string]> = [
  ["localhost", "RFC 6761"],
  ["invalid", "RFC 6761"],
  ["local", "RFC 6762"],
  ["onion", "RFC 7686"],
  ["alt", "RFC 9476"],
  ["home.arpa", "RFC 8375"],
]

/** Top-level domains reserved for testing and documentation (RFC 2606, RFC 6761). */
export const TEST_TLDS = ["test", "example"] as const

const atOrUnder = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`)

/** A host name without its trailing dot. */
const bare = (hostname: string) => hostname.replace(/\.$/, "")

// A label that URL parsers (WHATWG "ends in a number") read as part of an IPv4 address:
// `127.1`, `0x7f.1` and `1.0x7f` are all addresses to a browser or an HTTP client.
const NUMERIC_LABEL = /^(\d+|0x[0-9a-f]*)$/

/**
 * Why a syntactically valid host name cannot name something the platform serves or delegates,
 * or undefined when it can: it must be fully qualified, not an IP address in any notation and
 * not a special-use name. Names under the test TLDs pass here; the platform decides on those.
 */
export const publicHostnameProblem = (hostname: string): string | undefined => {
  const name = bare(hostname)
  const labels = name.split(".")
  if (labels.length < 2) return "must be fully qualified, with at least two labels (example.com)"
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    return "must not be an IP address: the top-level label must not be a number"
  }
  const special = SPECIAL_USE_DOMAINS.find(([domain]) => atOrUnder(name, domain))
  if (special !== undefined) return `must not be under the special-use domain ${special[0]} (${special[1]})`
  return undefined
}

/** The test TLD (`test`, `example`) a host name is under, if any. */
export const testTldOf = (hostname: string): (typeof TEST_TLDS)[number] | undefined => {
  const name = bare(hostname)
  return TEST_TLDS.find((tld) => atOrUnder(name, tld))
}

// Generated names are public ones: two to four labels under a letters-only TLD that is neither
// special-use nor reserved for testing, so property tests see names every platform accepts.
const reservedTld = new Set<string>([...SPECIAL_USE_DOMAINS.map(([d]) => d), ...TEST_TLDS])
const publicHostnameArbitrary = (fc: typeof FastCheck) =>
  fc
    .tuple(
      fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
      fc.stringMatching(/^[a-z]{2,6}$/).filter((tld) => !reservedTld.has(tld)),
    )
    .map(([labels, tld]) => [...labels, tld].join("."))

/**
 * The syntax of a DNS host name in ASCII (IDN as punycode), 1–253 characters, labels 1–63; a
 * single label is allowed. For machine names (a node's hostname) and names read back from
 * storage or handed to nodes; a name a caller asks the platform to serve or delegate is a
 * PublicHostname.
 */
export const Hostname = Schema.String.pipe(
  Schema.maxLength(253),
  Schema.pattern(LABEL_PATTERN),
  Schema.annotations({
    title: "Hostname",
    description: "lower-case DNS name; IDN as punycode (xn--…)",
    arbitrary: () => publicHostnameArbitrary,
  }),
)

/**
 * A host name the platform serves or delegates (an FQDN, a zone, the base domain, NS host
 * names): fully qualified, not an IP address in any notation, not a special-use name. An FQDN
 * equal to an address would capture every request sent to that address.
 */
export const PublicHostname = Hostname.pipe(
  Schema.filter((h) => publicHostnameProblem(h) ?? true),
  Schema.annotations({
    title: "PublicHostname",
    description:
      "fully qualified lower-case DNS name (at least two labels; IDN as punycode, xn--…); not an IP address, not a special-use name (localhost, local, invalid, onion, alt, home.arpa); names under test and example only where the platform allows test domains",
    arbitrary: () => publicHostnameArbitrary,
  }),
)

/** A human-facing name: printable, no control characters, 1–100 characters. */
export const DisplayName = Schema.Trim.pipe(
  Schema.minLength(1),
  Schema.maxLength(100),
  Schema.pattern(/^[^\p{C}]+$/u),
  Schema.annotations({
    title: "DisplayName",
    description: "1–100 printable characters",
    arbitrary: () => (fc) => fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .&'-]{0,40}[A-Za-z0-9]$/),
  }),
)

/** A slug used in names of platform objects (regions, clusters, shards): `[a-z0-9-]`, 1–63. */
export const Slug = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
  Schema.annotations({ title: "Slug", description: "lower-case letters, digits and dashes, 1–63 characters" }),
)

/** An e-mail address as used for SOA hostmaster and contacts (conservative). */
export const Email = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[a-zA-Z0-9._%+-]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/),
  Schema.annotations({
    title: "Email",
    arbitrary: () => (fc) =>
      fc
        .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), fc.stringMatching(/^[a-z0-9]{1,20}$/))
        .map(([l, d]) => `${l}@${d}.test`),
  }),
)

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const ipv6 =
  /^(([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|([0-9a-f]{1,4}:){1,7}:|([0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|([0-9a-f]{1,4}:){1,5}(:[0-9a-f]{1,4}){1,2}|([0-9a-f]{1,4}:){1,4}(:[0-9a-f]{1,4}){1,3}|([0-9a-f]{1,4}:){1,3}(:[0-9a-f]{1,4}){1,4}|([0-9a-f]{1,4}:){1,2}(:[0-9a-f]{1,4}){1,5}|[0-9a-f]{1,4}:(:[0-9a-f]{1,4}){1,6}|:((:[0-9a-f]{1,4}){1,7}|:))$/i

// IPv6 may end in an embedded IPv4 address (::ffff:192.0.2.1): check that part as IPv4 and the
// rest as the two 16-bit groups it stands for.
const isIpv6 = (s: string): boolean => {
  const lastColon = s.lastIndexOf(":")
  if (s.includes("."))
    return lastColon >= 0 && ipv4.test(s.slice(lastColon + 1)) && ipv6.test(`${s.slice(0, lastColon + 1)}0:0`)
  return ipv6.test(s)
}

/** Address family of an IP literal, or undefined when it is not one. */
export const ipFamily = (s: string): 4 | 6 | undefined => (ipv4.test(s) ? 4 : isIpv6(s) ? 6 : undefined)

/** An IPv4 or IPv6 address literal (no prefix length, no zone). */
export const IpAddress = Schema.String.pipe(
  Schema.maxLength(45),
  Schema.filter((s) => ipFamily(s) !== undefined || "must be an IPv4 or IPv6 address"),
  Schema.annotations({
    title: "IpAddress",
    arbitrary: () => (fc) => fc.oneof(fc.ipV4(), fc.ipV6()),
  }),
)

/** An https (or http) URL without credentials, for issuers and callbacks. */
export const HttpUrl = Schema.String.pipe(
  Schema.maxLength(2048),
  Schema.filter((s) => {
    try {
      const u = new URL(s)
      return (
        ((u.protocol === "https:" || u.protocol === "http:") && u.username === "" && u.password === "") ||
        "must be an http(s) URL without credentials"
      )
    } catch {
      return "must be an http(s) URL"
    }
  }),
  Schema.annotations({
    title: "HttpUrl",
    arbitrary: () => (fc) => fc.webUrl({ validSchemes: ["https"], withFragments: false, withQueryParameters: false }),
  }),
)

/** The 16 bytes of an IPv6 literal that ipFamily accepted. */
const ipv6Bytes = (s: string): Array<number> => {
  const dotted = s.includes(".")
    ? s
        .slice(s.lastIndexOf(":") + 1)
        .split(".")
        .map(Number)
    : []
  const hex = dotted.length > 0 ? `${s.slice(0, s.lastIndexOf(":") + 1)}0:0` : s
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)))
  const [left, right] = hex.includes("::") ? hex.split("::").map(groups) : [groups(hex), []]
  const all = [...left!, ...Array<number>(8 - left!.length - right!.length).fill(0), ...right!]
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff])
  return dotted.length > 0 ? [...bytes.slice(0, 12), ...dotted] : bytes
}

/** Where an address leads: this machine, a private or link-local network, nowhere, or the internet. */
export type AddressScope = "loopback" | "private" | "link-local" | "unspecified" | "public"

const ipv4Scope = ([a, b]: ReadonlyArray<number>): AddressScope =>
  a === 127
    ? "loopback"
    : a === 0
      ? "unspecified"
      : a === 169 && b === 254
        ? "link-local"
        : // RFC 1918, and the carrier-grade NAT range (RFC 6598) that is just as internal
          a === 10 ||
            (a === 172 && b! >= 16 && b! < 32) ||
            (a === 192 && b === 168) ||
            (a === 100 && b! >= 64 && b! < 128)
          ? "private"
          : "public"

/** The scope of an IPv4 or IPv6 literal (IPv4-mapped IPv6 as its IPv4 address). */
export const addressScope = (ip: string): AddressScope => {
  if (ipFamily(ip) === 4) return ipv4Scope(ip.split(".").map(Number))
  const b = ipv6Bytes(ip)
  const zeros = (n: number) => b.slice(0, n).every((x) => x === 0)
  if (zeros(15)) return b[15] === 1 ? "loopback" : b[15] === 0 ? "unspecified" : "public"
  if (zeros(10) && b[10] === 0xff && b[11] === 0xff) return ipv4Scope(b.slice(12))
  if ((b[0]! & 0xfe) === 0xfc) return "private" // fc00::/7, unique local
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local" // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return "private" // fec0::/10, the former site-local
  return "public"
}

/** The host of a URL as its parser sees it: IPv4 in any notation made dotted-quad, IPv6 unbracketed. */
export const urlHost = (url: string): string => new URL(url).hostname.replace(/^\[(.*)\]$/, "$1")

/** Whether a host is this machine: `localhost` (and names under it, RFC 6761), 127.0.0.0/8 or ::1. */
export const isLoopbackHost = (host: string): boolean =>
  atOrUnder(bare(host), "localhost") || (ipFamily(host) !== undefined && addressScope(host) === "loopback")

const issuerProblem = (s: string): string | undefined => {
  let u: URL
  try {
    u = new URL(s)
  } catch {
    return "must be an https URL"
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "must be an https URL"
  if (u.username !== "" || u.password !== "") return "must not contain credentials"
  if (u.search !== "" || u.hash !== "") return "must not have a query or fragment"
  const host = urlHost(s)
  // a loopback issuer is a development setup; whether it is accepted is the platform's decision
  if (isLoopbackHost(host)) return undefined
  if (u.protocol !== "https:") return "must be an https URL (http only for a loopback issuer in development)"
  if (ipFamily(host) !== undefined) {
    const scope = addressScope(host)
    // the API fetches the issuer's keys: an internal address would let a caller aim it inside the network
    return scope === "public" ? undefined : `must not point at ${scope === "unspecified" ? "an" : "a"} ${scope} address`
  }
  const problem = publicHostnameProblem(host)
  return problem === undefined ? undefined : `its host ${problem}`
}

/**
 * An OpenID Connect issuer: https without credentials, query or fragment, whose host is public
 * (no private, link-local or unspecified address, no special-use name). A loopback issuer
 * (127.0.0.0/8, ::1, localhost) may use http and is accepted only where the platform allows
 * test domains.
 */
export const OidcIssuerUrl = Schema.String.pipe(
  Schema.maxLength(2048),
  Schema.filter((s) => issuerProblem(s) ?? true),
  Schema.annotations({
    title: "OidcIssuerUrl",
    description:
      "https URL of an OpenID Connect issuer, no credentials, query or fragment; not a private or link-local address; a loopback issuer (http allowed) only in development",
    arbitrary: () => (fc) =>
      fc
        .tuple(publicHostnameArbitrary(fc), fc.stringMatching(/^(\/[a-z0-9]{1,8}){0,2}$/))
        .map(([host, path]) => `https://${host}${path}`),
  }),
)

/** Makes a request-body struct refuse unknown fields instead of silently dropping them. */
export const strict = <S extends Schema.Schema.Any>(schema: S): S =>
  schema.annotations({ parseOptions: { onExcessProperty: "error" } }) as S
