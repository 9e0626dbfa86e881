import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto"
import { CertificateInspector, certificateCovers, type InspectedCertificate, MAX_PEM_BYTES } from "@hosting/core"
import { Effect, Layer } from "effect"

/**
 * The certificate checks behind uploads (and applied to what an ACME server issues), with node:crypto: every PEM block parses, the key is
 * the leaf's, each certificate is issued (and signed) by the next, every certificate is valid now
 * and the leaf names the host. Anything else around the blocks, encrypted keys and oversized input are refused.
 */

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n([A-Za-z0-9+/=\n]+?)\n?-----END \1-----/g
const MAX_CHAIN = 10

/** The PEM blocks of `text` with their labels; undefined when anything but whitespace surrounds them. */
const pemBlocks = (text: string): Array<{ label: string; pem: string }> | undefined => {
  const normalized = text.replace(/\r\n/g, "\n")
  const blocks: Array<{ label: string; pem: string }> = []
  let rest = normalized
  for (const m of normalized.matchAll(BLOCK)) {
    blocks.push({ label: m[1]!, pem: `${m[0]}\n` })
    rest = rest.replace(m[0], "")
  }
  return rest.trim() === "" ? blocks : undefined
}

/** Checks a chain and key for a host name; throws with a message a user can act on. */
export const inspectCertificate = (input: {
  readonly certificatePem: string
  readonly privateKeyPem: string
  readonly hostname: string
  readonly now: Date
}): InspectedCertificate => {
  const fail = (message: string): never => {
    throw new InspectError(message)
  }
  if (Buffer.byteLength(input.certificatePem) > MAX_PEM_BYTES || Buffer.byteLength(input.privateKeyPem) > MAX_PEM_BYTES)
    fail(`certificate_pem and private_key_pem must each be at most ${MAX_PEM_BYTES / 1024} KB`)
  if (/ENCRYPTED/.test(input.privateKeyPem)) fail("private_key_pem is encrypted; upload the key without a passphrase")
  const certBlocks =
    pemBlocks(input.certificatePem) ??
    fail("certificate_pem must contain only PEM CERTIFICATE blocks (nothing before, between or after them)")
  if (certBlocks.length === 0) fail("certificate_pem contains no PEM certificate")
  if (certBlocks.length > MAX_CHAIN) fail(`certificate_pem may hold at most ${MAX_CHAIN} certificates`)
  if (certBlocks.some((b) => b.label !== "CERTIFICATE"))
    fail("certificate_pem must contain only CERTIFICATE blocks (the key goes in private_key_pem)")
  const certs = certBlocks.map((b, i) => {
    try {
      return new X509Certificate(b.pem)
    } catch {
      return fail(`certificate ${i + 1} of certificate_pem is not a valid X.509 certificate`)
    }
  })
  const keyBlocks =
    pemBlocks(input.privateKeyPem) ?? fail("private_key_pem must be one PEM private key block and nothing else")
  if (keyBlocks.length !== 1 || !/^(|RSA |EC )PRIVATE KEY$/.test(keyBlocks[0]!.label))
    fail("private_key_pem must be exactly one PEM PRIVATE KEY (PKCS#8), RSA PRIVATE KEY or EC PRIVATE KEY block")
  let key: KeyObject
  try {
    key = createPrivateKey(keyBlocks[0]!.pem)
  } catch {
    return fail("private_key_pem is not a valid private key")
  }
  const leaf = certs[0]!
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" })
  if (!spki(leaf.publicKey).equals(spki(createPublicKey(key))))
    fail("the private key does not match the certificate (the first certificate of the chain must be the leaf)")
  for (let i = 0; i + 1 < certs.length; i++) {
    const [cert, issuer] = [certs[i]!, certs[i + 1]!]
    if (cert.issuer !== issuer.subject || !cert.verify(issuer.publicKey))
      fail(
        `certificate ${i + 1} is not issued by certificate ${i + 2}: the chain must be in order, leaf first, each certificate followed by its issuer`,
      )
  }
  const notBefore = new Date(leaf.validFrom)
  const notAfter = new Date(leaf.validTo)
  if (notAfter.getTime() <= input.now.getTime()) fail(`the certificate expired on ${notAfter.toISOString()}`)
  if (notBefore.getTime() > input.now.getTime()) fail(`the certificate is not valid before ${notBefore.toISOString()}`)
  // a browser checks every certificate it is sent: an expired intermediate fails the handshake too
  certs.slice(1).forEach((c, i) => {
    const [from, to] = [new Date(c.validFrom), new Date(c.validTo)]
    const what = `certificate ${i + 2} of the chain (${c.subject.replace(/\n/g, ", ")})`
    if (to.getTime() <= input.now.getTime()) fail(`${what} expired on ${to.toISOString()}`)
    if (from.getTime() > input.now.getTime()) fail(`${what} is not valid before ${from.toISOString()}`)
  })
  const names = (leaf.subjectAltName ?? "")
    .split(", ")
    .filter((n) => n.startsWith("DNS:"))
    .map((n) => n.slice(4).toLowerCase())
  if (names.length === 0) fail("the certificate has no DNS subject alternative names")
  if (!names.some((n) => certificateCovers(n, input.hostname)))
    fail(`the certificate does not cover ${input.hostname}; it names ${names.join(", ")}`)
  return {
    certificatePem: certs.map((c) => c.toString()).join(""),
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    subject: leaf.subject.replace(/\n/g, ", "),
    names,
    fingerprint: leaf.fingerprint256,
    notBefore,
    notAfter,
  }
}

class InspectError extends Error {}

/** CertificateInspector with node:crypto. */
export const CertificateInspectorLive = Layer.succeed(CertificateInspector, {
  inspect: (input) =>
    Effect.try({
      try: () => inspectCertificate(input),
      catch: (e) => (e instanceof InspectError ? e.message : `the certificate could not be read: ${String(e)}`),
    }),
})
