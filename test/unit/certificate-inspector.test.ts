// The certificate checks uploads and ACME issuances pass, with real openssl-made chains; `now`
// is an input, so validity windows are checked by moving it instead of waiting.

import { inspectCertificate } from "@hosting/adapters"
import { afterAll, describe, expect, it } from "vitest"
import { makeTestCa } from "../support/certificates.js"

const ca = makeTestCa("inspector CA")
afterAll(() => ca.cleanup())

const DAY = 86_400_000
const inspect = (certificatePem: string, privateKeyPem: string, now: Date, hostname = "shop.example.test") =>
  inspectCertificate({ certificatePem, privateKeyPem, hostname, now })

describe("inspectCertificate", () => {
  it("accepts a chain in order whose certificates are all valid now, and re-serializes it", () => {
    const leaf = ca.leaf(["shop.example.test"])
    const out = inspect(leaf.certificatePem + ca.certificatePem, leaf.keyPem, new Date())
    expect(out.names).toEqual(["shop.example.test"])
    expect(out.fingerprint).toBe(leaf.fingerprint256)
    expect(out.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(out.certificatePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2)
  })

  it("refuses a certificate that is not valid yet", () => {
    const leaf = ca.leaf(["shop.example.test"])
    expect(() => inspect(leaf.certificatePem, leaf.keyPem, new Date(Date.now() - 2 * DAY))).toThrow(/not valid before/)
  })

  it("refuses a chain whose intermediate has expired although the leaf has not", () => {
    // the CA lives 30 days, this leaf 60: on day 45 only the CA has expired
    const leaf = ca.leaf(["shop.example.test"], { days: 60 })
    const later = new Date(Date.now() + 45 * DAY)
    expect(() => inspect(leaf.certificatePem, leaf.keyPem, later)).not.toThrow()
    expect(() => inspect(leaf.certificatePem + ca.certificatePem, leaf.keyPem, later)).toThrow(
      /certificate 2 of the chain \(CN=inspector CA\) expired/,
    )
  })
})
