import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck as fc, ParseResult, Schema } from "effect"
import { redactSecrets } from "../src/domain/redact.js"
import {
  addressScope,
  DisplayName,
  Email,
  Hostname,
  IpAddress,
  ipFamily,
  OidcIssuerUrl,
  PublicHostname,
  publicHostnameProblem,
  Slug,
  testTldOf,
} from "../src/domain/validation.js"
import { refuseDevelopmentIssuer, refuseTestDomains } from "../src/families/access/service-platform.js"

/** Why a value is refused, as the API reports it, or "accepted". */
const refusal = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => {
  const result = Schema.decodeUnknownEither(schema)(value)
  if (Either.isRight(result)) return "accepted"
  return ParseResult.ArrayFormatter.formatErrorSync(result.left)
    .map((i) => i.message)
    .join("; ")
}

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

describe("public host names", () => {
  const FQ = "must be fully qualified, with at least two labels (example.com)"
  const IP = "must not be an IP address: the top-level label must not be a number"

  it("refuses single labels, IP addresses in any notation and special-use names, with the reason", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["localhost", FQ],
      ["com", FQ],
      ["intranet.", FQ],
      ["2130706433", FQ],
      ["0x7f000001", FQ],
      ["127.0.0.1", IP],
      ["192.0.2.1.", IP],
      ["127.1", IP],
      ["0x7f.1", IP],
      ["1.0x7f", IP],
      ["10.0.0.010", IP],
      ["www.localhost", "must not be under the special-use domain localhost (RFC 6761)"],
      ["a.b.invalid", "must not be under the special-use domain invalid (RFC 6761)"],
      ["printer.local", "must not be under the special-use domain local (RFC 6762)"],
      [
        "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        "must not be under the special-use domain onion (RFC 7686)",
      ],
      ["x.alt", "must not be under the special-use domain alt (RFC 9476)"],
      ["router.home.arpa", "must not be under the special-use domain home.arpa (RFC 8375)"],
    ]
    for (const [name, reason] of cases) {
      expect(refusal(PublicHostname, name), name).toBe(reason)
      expect(publicHostnameProblem(name), name).toBe(reason)
      // the syntax alone allows them: nodes' machine names may be single labels
      expect(Schema.is(Hostname)(name), name).toBe(true)
    }
  })

  it("accepts fully qualified names, test TLDs included (the platform decides on those)", () => {
    for (const name of [
      "example.com",
      "shop.example.com.",
      "xn--80ak6aa92e.xn--p1ai",
      "localhost.example.com",
      "1.2.3.example",
      "app.example.test",
      "ns1.acme.example",
      "example.arpa",
    ]) {
      expect(refusal(PublicHostname, name), name).toBe("accepted")
    }
  })

  it("finds the test TLD a name is under", () => {
    expect(testTldOf("shop.example.test.")).toBe("test")
    expect(testTldOf("ns1.acme.example")).toBe("example")
    expect(testTldOf("test")).toBe("test")
    expect(testTldOf("example.com")).toBeUndefined()
    expect(testTldOf("test.example.net")).toBeUndefined()
    expect(testTldOf("contest")).toBeUndefined()
  })

  it.prop(
    "generated names have at least two labels under a public TLD",
    [Arbitrary.make(PublicHostname), Arbitrary.make(Hostname)],
    ([p, h]) => {
      for (const name of [p, h]) {
        expect(Schema.is(PublicHostname)(name)).toBe(true)
        const labels = name.split(".")
        expect(labels.length).toBeGreaterThanOrEqual(2)
        expect(labels.at(-1)).toMatch(/^[a-z]{2,6}$/)
        expect(["test", "example", "local", "localhost", "invalid", "onion", "alt"]).not.toContain(labels.at(-1))
      }
    },
  )

  it("refuses test TLDs unless the deployment allows test domains", () => {
    const refused = Effect.runSync(
      Effect.flip(refuseTestDomains(false, "hostname", ["ok.example.com", "shop.example.test"])),
    )
    expect(refused).toMatchObject({
      _tag: "InvalidInput",
      message:
        "hostname: shop.example.test is under test, a top-level domain reserved for testing (RFC 6761); this platform serves only public names",
      details: { field: "hostname", name: "shop.example.test" },
    })
    expect(Effect.runSync(Effect.either(refuseTestDomains(true, "hostname", ["shop.example.test"])))).toEqual(
      Either.right(undefined),
    )
    expect(Effect.runSync(Effect.either(refuseTestDomains(false, "hostname", ["example.com"])))).toEqual(
      Either.right(undefined),
    )
  })
})

describe("addresses and OIDC issuers", () => {
  it("classifies addresses by where they lead", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["::1", "loopback"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["100.64.0.1", "private"],
      ["fc00::1", "private"],
      ["fdab:1::2", "private"],
      ["169.254.169.254", "link-local"],
      ["fe80::1", "link-local"],
      ["febf::1", "link-local"],
      ["::ffff:10.0.0.1", "private"],
      ["::ffff:a9fe:a9fe", "link-local"],
      ["::ffff:7f00:1", "loopback"],
      ["172.32.0.1", "public"],
      ["192.0.2.1", "public"],
      ["8.8.8.8", "public"],
      ["2001:db8::1", "public"],
      ["::2", "public"],
    ]
    for (const [ip, scope] of cases) expect(addressScope(ip), ip).toBe(scope)
  })

  const HTTPS = "must be an https URL (http only for a loopback issuer in development)"
  it("refuses plain http, internal addresses in any notation, non-public hosts, credentials and queries", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["http://idp.example.com/", HTTPS],
      ["ftp://idp.example.com/", "must be an https URL"],
      ["not a url", "must be an https URL"],
      ["https://10.0.0.5/", "must not point at a private address"],
      ["https://0x0a000005/", "must not point at a private address"],
      ["https://172.20.1.1:8443/realms/x", "must not point at a private address"],
      ["https://192.168.0.10/", "must not point at a private address"],
      ["https://169.254.169.254/latest/meta-data", "must not point at a link-local address"],
      ["https://[fe80::1]/", "must not point at a link-local address"],
      ["https://[fd00::5]/", "must not point at a private address"],
      ["https://[::ffff:10.0.0.1]/", "must not point at a private address"],
      ["https://0.0.0.0/", "must not point at an unspecified address"],
      ["https://idp/", "its host must be fully qualified, with at least two labels (example.com)"],
      ["https://idp.corp.local/", "its host must not be under the special-use domain local (RFC 6762)"],
      ["https://user:pw@idp.example.com/", "must not contain credentials"],
      ["https://idp.example.com/?x=1", "must not have a query or fragment"],
      ["https://idp.example.com/#x", "must not have a query or fragment"],
    ]
    for (const [url, reason] of cases) expect(refusal(OidcIssuerUrl, url), url).toBe(reason)
  })

  it("accepts public https issuers, and loopback ones for the platform to decide on", () => {
    for (const url of [
      "https://idp.example.com",
      "https://login.example.com/realms/acme",
      "https://8.8.8.8/",
      "https://[2001:db8::1]/",
      "http://127.0.0.1:5556/dex",
      "https://localhost:8443/",
      "http://[::1]/",
      "http://2130706433/",
      "https://idp.example.test/",
    ]) {
      expect(refusal(OidcIssuerUrl, url), url).toBe("accepted")
    }
  })

  it("accepts a loopback or test-TLD issuer only where test domains are allowed", () => {
    const flip = (allowed: boolean, url: string) =>
      Effect.runSync(Effect.either(refuseDevelopmentIssuer(allowed, url)).pipe(Effect.map(Either.getLeft)))
    for (const url of ["http://127.0.0.1:5556/dex", "http://2130706433/", "https://localhost/", "http://[::1]:80/"]) {
      expect(flip(true, url), url).toMatchObject({ _tag: "None" })
      expect(flip(false, url), url).toMatchObject({
        _tag: "Some",
        value: {
          _tag: "InvalidInput",
          message: `oidc_issuer: ${url} is on this machine (loopback); a loopback issuer is accepted only in development`,
        },
      })
    }
    expect(flip(false, "https://idp.example.test/")).toMatchObject({
      value: { message: expect.stringContaining("oidc_issuer: idp.example.test is under test") },
    })
    expect(flip(false, "https://idp.example.com/")).toMatchObject({ _tag: "None" })
  })

  it.prop("generated issuers are accepted", [Arbitrary.make(OidcIssuerUrl)], ([url]) => {
    expect(refusal(OidcIssuerUrl, url)).toBe("accepted")
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
