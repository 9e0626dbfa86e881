import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { redactSecrets } from "../src/domain/redact.js"
import { DisplayName, Email, Hostname, IpAddress, ipFamily, Slug } from "../src/domain/validation.js"

const HOSTILE = [
  "example.com; return 200",
  "a\nb",
  "a b",
  "../x",
  "$host",
  "'x'",
  '"x"',
  "ехample.com",
  "x".repeat(300),
  "",
  "-a.com",
  "a-.com",
  "A.COM",
]

describe("validators", () => {
  it.prop("every generated hostname is accepted", [Arbitrary.make(Hostname)], ([h]) => {
    expect(Schema.is(Hostname)(h)).toBe(true)
  })

  it("hostnames with directives, whitespace, traversal, quotes or confusables are refused", () => {
    for (const h of HOSTILE) expect(Schema.is(Hostname)(h), h).toBe(false)
  })

  it.prop("slugs never contain anything but [a-z0-9-]", [fc.string({ maxLength: 80 })], ([s]) => {
    expect(Schema.is(Slug)(s)).toBe(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s))
  })

  it.prop("IP literals are classified by family", [fc.oneof(fc.ipV4(), fc.ipV6())], ([ip]) => {
    expect(Schema.is(IpAddress)(ip)).toBe(true)
    expect(ipFamily(ip)).toBe(ip.includes(":") ? 6 : 4)
  })

  it("IP validation refuses prefixes, zones and junk", () => {
    for (const s of ["10.0.0.1/24", "fe80::1%eth0", "256.1.1.1", "1.2.3", "::g", "1.2.3.4 ", ""]) {
      expect(Schema.is(IpAddress)(s), s).toBe(false)
    }
  })

  it.prop(
    "generated e-mails and display names are accepted",
    [Arbitrary.make(Email), Arbitrary.make(DisplayName)],
    ([e, n]) => {
      expect(Schema.is(Email)(e)).toBe(true)
      expect(Schema.is(DisplayName)(n)).toBe(true)
    },
  )

  it("display names refuse control characters", () => {
    for (const s of ["a\u0000b", "a\nb", "\u202Eevil"]) expect(Schema.is(DisplayName)(s), JSON.stringify(s)).toBe(false)
  })
})

describe("redactSecrets", () => {
  const secretKey = fc.constantFrom(
    "password",
    "secret",
    "token",
    "private_key",
    "api_key",
    "key",
    "client_secret",
    "passphrase",
  )

  it.prop(
    "removes every secret value wherever it sits, and keeps the rest",
    [secretKey, fc.string({ minLength: 8 }), fc.string()],
    ([key, secret, other]) => {
      const body = { name: other, [key]: secret, nested: [{ [key]: secret, keep: other }] }
      const redacted = redactSecrets(body) as any
      expect(JSON.stringify(redacted)).not.toContain(JSON.stringify(secret))
      expect(redacted.name).toBe(other)
      expect(redacted.nested[0].keep).toBe(other)
      expect(redacted[key]).toBe("[REDACTED]")
    },
  )
})
