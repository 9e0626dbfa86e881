// SSH public keys as tenants submit them: real keys from ssh-keygen are accepted as they are
// printed; anything that is not one key of its stated type (no key bytes, a short RSA modulus,
// options before the type, a second line, a comment beyond user@host) is refused with the reason.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, ParseResult, Schema } from "effect"
import { SshPublicKey, SshPublicKeyLine, sshPublicKeyProblem } from "../../../src/families/ssh-keys/domain.js"

const KINDS = {
  ed25519: ["-t", "ed25519"],
  ecdsa256: ["-t", "ecdsa", "-b", "256"],
  ecdsa384: ["-t", "ecdsa", "-b", "384"],
  ecdsa521: ["-t", "ecdsa", "-b", "521"],
  rsa2048: ["-t", "rsa", "-b", "2048"],
  rsa1024: ["-t", "rsa", "-b", "1024"],
  dsa: ["-t", "dsa"],
} as const
type Kind = keyof typeof KINDS

let dir: string
const keys = {} as Record<Kind, string>

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ssh-key-test-"))
  for (const [kind, args] of Object.entries(KINDS)) {
    const file = join(dir, kind)
    execFileSync("ssh-keygen", ["-q", ...args, "-N", "", "-C", "owner@laptop", "-f", file])
    keys[kind as Kind] = readFileSync(`${file}.pub`, "utf8").trim()
  }
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const decode = (line: string) => Schema.decodeUnknownEither(SshPublicKey)(line)
/** The reason a line is refused, as the API reports it (one message per failing path). */
const refusal = (line: string) => {
  const result = decode(line)
  if (Either.isRight(result)) return "accepted"
  return ParseResult.ArrayFormatter.formatErrorSync(result.left)
    .map((i) => i.message)
    .join("; ")
}

// SSH wire format (RFC 4251 §5): strings with a 4-byte big-endian length
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
const str = (bytes: ArrayLike<number> | string) => {
  const b = typeof bytes === "string" ? Array.from(bytes, (c) => c.charCodeAt(0)) : Array.from(bytes)
  return [...u32(b.length), ...b]
}
const line = (type: string, blob: ReadonlyArray<number>, comment = "") =>
  `${type} ${Buffer.from(blob).toString("base64")}${comment === "" ? "" : ` ${comment}`}`
/** The strings a real key's blob is made of. */
const parts = (key: string): Array<Buffer> => {
  const blob = Buffer.from(key.split(" ")[1]!, "base64")
  const out: Array<Buffer> = []
  for (let at = 0; at < blob.length; ) {
    const len = blob.readUInt32BE(at)
    out.push(blob.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  return out
}

describe("SshPublicKey", () => {
  it("accepts keys of every supported type exactly as ssh-keygen prints them", () => {
    for (const kind of ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa2048"] as const) {
      expect(decode(keys[kind]), kind).toEqual(Either.right(keys[kind]))
    }
  })

  it("accepts a key without a comment, and trims the line", () => {
    const bare = keys.ed25519.split(" ").slice(0, 2).join(" ")
    expect(decode(`  ${bare}\n`)).toEqual(Either.right(bare))
  })

  it("refuses a type without key bytes", () => {
    expect(refusal(line("ssh-ed25519", str("ssh-ed25519")))).toBe(
      "the key data is not a ssh-ed25519 key: it must hold one 32-byte public key",
    )
    expect(refusal(line("ssh-rsa", str("ssh-rsa")))).toBe(
      "the key data is not a ssh-rsa key: it must hold an odd public exponent and a modulus",
    )
    expect(refusal(line("ecdsa-sha2-nistp256", str("ecdsa-sha2-nistp256")))).toBe(
      "the key data is not a ecdsa-sha2-nistp256 key: it must hold the curve nistp256 and an uncompressed 65-byte point",
    )
  })

  it("refuses an RSA key shorter than 2048 bits, naming its size", () => {
    expect(refusal(keys.rsa1024)).toBe("the ssh-rsa key has 1024 bits; at least 2048 are required")
  })

  it("refuses key data of another type than the line states", () => {
    const [, data] = keys.ed25519.split(" ")
    expect(refusal(`ssh-rsa ${data}`)).toBe("the key data is not a ssh-rsa key: it does not start with its type")
    const [type, curve, point] = parts(keys.ecdsa384)
    expect(type!.toString()).toBe("ecdsa-sha2-nistp384")
    // a P-384 point declared as P-256
    expect(refusal(line("ecdsa-sha2-nistp256", [...str("ecdsa-sha2-nistp256"), ...str(curve!), ...str(point!)]))).toBe(
      "the key data is not a ecdsa-sha2-nistp256 key: it must hold the curve nistp256 and an uncompressed 65-byte point",
    )
  })

  it("refuses truncated, padded-out and non-canonical key data", () => {
    const [type, pk] = parts(keys.ed25519)
    const blob = [...str(type!), ...str(pk!)]
    expect(refusal(line("ssh-ed25519", blob.slice(0, -1)))).toBe(
      "the key data is not a ssh-ed25519 key: it does not start with its type",
    )
    expect(refusal(line("ssh-ed25519", [...blob, 0, 0, 0, 0]))).toBe(
      "the key data is not a ssh-ed25519 key: it must hold one 32-byte public key",
    )
    const padded = keys.ecdsa256.split(" ")[1]!
    expect(padded).toMatch(/=$/)
    expect(refusal(`ecdsa-sha2-nistp256 ${padded.replace(/=+$/, "")}`)).toBe("the key data is not valid base64")
  })

  it("refuses an even RSA exponent and a compressed ECDSA point", () => {
    const [, , n] = parts(keys.rsa2048)
    expect(refusal(line("ssh-rsa", [...str("ssh-rsa"), ...str([1, 0]), ...str(n!)]))).toBe(
      "the key data is not a ssh-rsa key: it must hold an odd public exponent and a modulus",
    )
    const [, curve, point] = parts(keys.ecdsa256)
    const compressed = [0x02, ...point!.subarray(1, 33)]
    expect(
      refusal(line("ecdsa-sha2-nistp256", [...str("ecdsa-sha2-nistp256"), ...str(curve!), ...str(compressed)])),
    ).toBe(
      "the key data is not a ecdsa-sha2-nistp256 key: it must hold the curve nistp256 and an uncompressed 65-byte point",
    )
  })

  it("accepts security-key variants with an ssh: application, and refuses them without one", () => {
    const [, pk] = parts(keys.ed25519)
    const sk = "sk-ssh-ed25519@openssh.com"
    const good = line(sk, [...str(sk), ...str(pk!), ...str("ssh:")], "yubikey")
    expect(decode(good)).toEqual(Either.right(good))
    expect(refusal(line(sk, [...str(sk), ...str(pk!)]))).toBe(
      `the key data is not a ${sk} key: it must hold a 32-byte public key and an ssh: application`,
    )
    const [, curve, point] = parts(keys.ecdsa256)
    const ske = "sk-ecdsa-sha2-nistp256@openssh.com"
    const goodEcdsa = line(ske, [...str(ske), ...str(curve!), ...str(point!), ...str("ssh:")])
    expect(decode(goodEcdsa)).toEqual(Either.right(goodEcdsa))
  })

  const SHAPE =
    "must be one OpenSSH public key, `type base64 [comment]`: no options before the type; comment: up to 100 letters, digits and @._+-"

  it("refuses options before the type, unsupported types, line breaks and comments beyond user@host", () => {
    const key = keys.ed25519
    for (const bad of [
      `command="/bin/sh -c 'curl evil'" ${key}`,
      `from="*",no-pty ${key}`,
      `restrict ${key}`,
      keys.dsa,
      `${key}\n${keys.ecdsa256}`,
      `${key} a\rb`,
      `${key} tab\there`,
      `${key} nul\u0000`,
      `${key} with spaces`,
      `${key} x; return 200`,
      `${key} ${"c".repeat(101)}`,
      `${key.split(" ").slice(0, 2).join("  ")}`,
      "ssh-ed25519",
      "",
    ]) {
      expect(refusal(bad), JSON.stringify(bad.slice(0, 60))).toBe(SHAPE)
    }
  })

  it.prop(
    "generated keys are accepted, and nodes accept every key the API accepts",
    [Arbitrary.make(SshPublicKey)],
    ([k]) => {
      expect(sshPublicKeyProblem(k)).toBeUndefined()
      expect(Schema.is(SshPublicKeyLine)(k)).toBe(true)
    },
  )

  it("nodes accept the real keys too, and keys stored before the key data was checked", () => {
    for (const k of Object.values(keys).filter((k) => !k.startsWith("ssh-dss")))
      expect(Schema.is(SshPublicKeyLine)(k), k.slice(0, 20)).toBe(true)
    expect(Schema.is(SshPublicKeyLine)(line("ssh-ed25519", str("ssh-ed25519")))).toBe(true)
    expect(Schema.is(SshPublicKeyLine)(`command="sh" ${keys.ed25519}`)).toBe(false)
  })
})
