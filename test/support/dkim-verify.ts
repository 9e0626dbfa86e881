// A small DKIM verifier (RFC 6376, rsa-sha256, relaxed/relaxed, which the node's OpenDKIM uses)
// against a known public key: the check a receiver does with the key from the TXT record.
import { createHash, createVerify, type KeyObject } from "node:crypto"

const splitMessage = (raw: string) => {
  const text = raw.replace(/\r?\n/g, "\r\n")
  const at = text.indexOf("\r\n\r\n")
  const head = text.slice(0, at + 2)
  const body = text.slice(at + 4)
  const headers: Array<string> = []
  for (const line of head.split("\r\n").slice(0, -1))
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += `\r\n${line}`
    else headers.push(line)
  return { headers, body }
}

const relaxedHeader = (h: string) => {
  const colon = h.indexOf(":")
  const value = h
    .slice(colon + 1)
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .trim()
  return `${h.slice(0, colon).trim().toLowerCase()}:${value}`
}

const relaxedBody = (body: string) => {
  const lines = body.split("\r\n").map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""))
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  return lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`
}

/** The DKIM-Signature's tags, and whether the signature verifies with `publicKey`. */
export const verifyDkim = (raw: string, publicKey: KeyObject) => {
  const { headers, body } = splitMessage(raw)
  const sig = headers.find((h) => /^dkim-signature:/i.test(h))
  if (sig === undefined) return { tags: {} as Record<string, string>, bodyHashOk: false, signatureOk: false }
  const tags = Object.fromEntries(
    sig
      .slice(sig.indexOf(":") + 1)
      .replace(/\s+/g, "")
      .split(";")
      .filter((t) => t !== "")
      .map((t) => [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)]),
  ) as Record<string, string>
  const bodyHashOk = createHash("sha256").update(relaxedBody(body)).digest("base64") === tags.bh
  // each name in h= takes the next instance from the bottom; names with no instance left sign as empty
  const used = new Set<number>()
  const signed = (tags.h ?? "").split(":").flatMap((name) => {
    for (let i = headers.length - 1; i >= 0; i--)
      if (!used.has(i) && headers[i]!.toLowerCase().startsWith(`${name.toLowerCase()}:`)) {
        used.add(i)
        return [`${relaxedHeader(headers[i]!)}\r\n`]
      }
    return []
  })
  const unsigned = relaxedHeader(sig).replace(/(^|;)(\s*b=)[^;]*/, "$1$2")
  const verifier = createVerify("RSA-SHA256")
  verifier.update(signed.join("") + unsigned)
  return { tags, bodyHashOk, signatureOk: verifier.verify(publicKey, tags.b ?? "", "base64") }
}
