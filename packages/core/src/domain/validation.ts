import { Schema } from "effect"

/**
 * Allow-listed string types for everything that may reach a config file, a command argument or
 * an SQL identifier. Each is a Schema so the API rejects bad input and OpenAPI documents it.
 */

/** A DNS hostname in ASCII (IDN as punycode), 1–253 characters, labels 1–63. */
export const Hostname = Schema.String.pipe(
  Schema.maxLength(253),
  Schema.pattern(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/),
  Schema.annotations({
    title: "Hostname",
    description: "lower-case DNS name; IDN as punycode (xn--…)",
    arbitrary: () => (fc) =>
      fc
        .array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 4 })
        .map((labels) => labels.join(".")),
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

/** Makes a request-body struct refuse unknown fields instead of silently dropping them. */
export const strict = <S extends Schema.Schema.Any>(schema: S): S =>
  schema.annotations({ parseOptions: { onExcessProperty: "error" } }) as S
