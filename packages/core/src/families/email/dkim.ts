import { Effect } from "effect"

/** The selector of the platform's DKIM keys (`hp1._domainkey.<domain>`); a rotation would take the next. */
export const DKIM_SELECTOR = "hp1"

const base64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)))

/**
 * A fresh 2048-bit RSA DKIM key: the private key as PKCS#8 PEM (64-character lines, what
 * OpenDKIM reads) and the public key as base64 SubjectPublicKeyInfo (the `p=` of the TXT
 * record). Web Crypto, so core loads no Node builtin.
 */
export const generateDkimKey = Effect.promise(async () => {
  const pair = await globalThis.crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )
  const pkcs8 = base64(await globalThis.crypto.subtle.exportKey("pkcs8", pair.privateKey))
  const lines = pkcs8.match(/.{1,64}/g) ?? []
  return {
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`,
    publicKey: base64(await globalThis.crypto.subtle.exportKey("spki", pair.publicKey)),
  }
})
