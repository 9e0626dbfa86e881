import { type FastCheck, Schema } from "effect"
import { TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { DisplayName, strict } from "../../domain/validation.js"

/**
 * SSH keys of tenants: one OpenSSH public key each, allowed to log in (SFTP and SSH) as the
 * tenant. A child family riding its tenant's sync: its rows are in the tenant's snapshot and its
 * lines in the tenant's spec (authorized_keys), so it has no serializer, states or node activity
 * of its own.
 */

/** UUID of an SSH key. */
export const SshKeyId = uuidId("SshKeyId", "an SSH key")
/** Branded SSH key id. */
export type SshKeyId = typeof SshKeyId.Type

const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const
type SshKeyType = (typeof SSH_KEY_TYPES)[number]

// `type base64 [comment]`, nothing before the type: authorized_keys reads options (command=,
// from=, …) only there, so a line that starts with a type can never carry any. The comment is
// allow-listed to what ssh-keygen writes (user@host), so nothing else reaches the file.
const KEY_LINE = new RegExp(
  `^(${SSH_KEY_TYPES.map((t) => t.replace(/[.@]/g, (c) => `\\${c}`)).join("|")}) ([A-Za-z0-9+/]+={0,2})( [A-Za-z0-9@._+-]{1,100})?$`,
)
const KEY_LINE_MESSAGE =
  "must be one OpenSSH public key, `type base64 [comment]`: no options before the type; comment: up to 100 letters, digits and @._+-"

const decodeBase64 = (b64: string): Uint8Array | undefined => {
  try {
    const bin = atob(b64)
    return Uint8Array.from(bin, (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** Reads the length-prefixed strings (RFC 4251 §5) an OpenSSH public-key blob is made of. */
const wireStrings = (blob: Uint8Array): Array<Uint8Array> | undefined => {
  const out: Array<Uint8Array> = []
  let at = 0
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined
    const len = ((blob[at]! << 24) | (blob[at + 1]! << 16) | (blob[at + 2]! << 8) | blob[at + 3]!) >>> 0
    if (at + 4 + len > blob.length) return undefined
    out.push(blob.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  return out
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? "" : String.fromCharCode(...bytes))

/** Bits of a positive mpint (RFC 4251 §5), or undefined when it is negative or not minimal. */
const mpintBits = (m: Uint8Array): number | undefined => {
  if (m.length === 0 || m[0]! >= 0x80) return undefined
  if (m[0] === 0 && (m.length === 1 || m[1]! < 0x80)) return undefined
  const digits = m[0] === 0 ? m.subarray(1) : m
  return (digits.length - 1) * 8 + digits[0]!.toString(2).length
}

const CURVES: Record<string, { readonly name: string; readonly point: number }> = {
  "ecdsa-sha2-nistp256": { name: "nistp256", point: 65 },
  "ecdsa-sha2-nistp384": { name: "nistp384", point: 97 },
  "ecdsa-sha2-nistp521": { name: "nistp521", point: 133 },
  "sk-ecdsa-sha2-nistp256@openssh.com": { name: "nistp256", point: 65 },
}

/** Smallest RSA modulus accepted: shorter keys can be factored (NIST SP 800-131A); OpenSSH caps at 16384. */
export const SSH_RSA_MIN_BITS = 2048
const SSH_RSA_MAX_BITS = 16384

// A security key's application string ("ssh:" by default; OpenSSH requires the prefix).
const skApplication = (app: Uint8Array | undefined) =>
  app !== undefined && app.length <= 255 && /^ssh:[\x21-\x7e]*$/.test(text(app))

/** Why a public-key blob is not a key of its stated type (RFC 4253 §6.6, RFC 5656 §3.1, OpenSSH PROTOCOL.u2f). */
const blobProblem = (type: SshKeyType, blob: Uint8Array): string | undefined => {
  const parts = wireStrings(blob)
  const bad = `the key data is not a ${type} key`
  if (parts === undefined || text(parts[0]) !== type) return `${bad}: it does not start with its type`
  const [, a, b, c] = parts
  switch (type) {
    case "ssh-ed25519":
      return parts.length === 2 && a!.length === 32 ? undefined : `${bad}: it must hold one 32-byte public key`
    case "sk-ssh-ed25519@openssh.com":
      return parts.length === 3 && a!.length === 32 && skApplication(b)
        ? undefined
        : `${bad}: it must hold a 32-byte public key and an ssh: application`
    case "ssh-rsa": {
      const e = a === undefined ? undefined : mpintBits(a)
      const bits = b === undefined ? undefined : mpintBits(b)
      if (parts.length !== 3 || e === undefined || bits === undefined || e < 2 || (a![a!.length - 1]! & 1) === 0)
        return `${bad}: it must hold an odd public exponent and a modulus`
      if (bits < SSH_RSA_MIN_BITS) return `the ssh-rsa key has ${bits} bits; at least ${SSH_RSA_MIN_BITS} are required`
      return bits > SSH_RSA_MAX_BITS
        ? `the ssh-rsa key has ${bits} bits; at most ${SSH_RSA_MAX_BITS} are accepted`
        : undefined
    }
    default: {
      // ECDSA: the curve's name, then the point uncompressed (0x04 ‖ x ‖ y); security keys add the application
      const curve = CURVES[type]!
      const sk = type.startsWith("sk-")
      return parts.length === (sk ? 4 : 3) &&
        text(a) === curve.name &&
        b!.length === curve.point &&
        b![0] === 0x04 &&
        (!sk || skApplication(c))
        ? undefined
        : `${bad}: it must hold the curve ${curve.name} and an uncompressed ${curve.point}-byte point`
    }
  }
}

/** Why a line is not a usable OpenSSH public key, or undefined when it is one. */
export const sshPublicKeyProblem = (line: string): string | undefined => {
  const m = KEY_LINE.exec(line)
  if (m === null) return KEY_LINE_MESSAGE
  const blob = decodeBase64(m[2]!)
  // canonical base64 only: what is stored is exactly what ssh-keygen prints
  if (blob === undefined || btoa(String.fromCharCode(...blob)) !== m[2]) return "the key data is not valid base64"
  return blobProblem(m[1] as SshKeyType, blob)
}

// valid ed25519 keys from random 32-byte strings: the pattern-then-filter default never finds one
const sshKeyArbitrary = (fc: typeof FastCheck) =>
  fc
    .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.option(fc.stringMatching(/^[a-z0-9@._+-]{1,20}$/)))
    .map(([point, comment]) => {
      const type = "ssh-ed25519"
      const blob = [0, 0, 0, type.length, ...Array.from(type, (c) => c.charCodeAt(0)), 0, 0, 0, 32, ...point]
      return `${type} ${btoa(String.fromCharCode(...blob))}${comment === null ? "" : ` ${comment}`}`
    })

/**
 * The shape of an authorized_keys line the platform writes: one line, a key type first (so no
 * options), base64, an optional allow-listed comment. What nodes check; the API checks more
 * (SshPublicKey), so a key stored under older rules still reaches its nodes.
 */
export const SshPublicKeyLine = Schema.String.pipe(
  Schema.maxLength(16_384),
  Schema.pattern(KEY_LINE, { message: () => KEY_LINE_MESSAGE }),
  Schema.annotations({ title: "SshPublicKeyLine", arbitrary: () => sshKeyArbitrary }),
)

/**
 * One OpenSSH public key as a caller submits it, `type base64 [comment]`: no options
 * (`command=`, `from=`) before the type, no line break, and key data that parses as a key of
 * the stated type — ed25519, ECDSA on its curve, RSA of 2048 bits or more, or their
 * security-key (sk-) variants.
 */
export const SshPublicKey = Schema.Trim.pipe(
  Schema.maxLength(16_384),
  Schema.filter((line) => sshPublicKeyProblem(line) ?? true),
  Schema.annotations({
    title: "SshPublicKey",
    description:
      "one OpenSSH public key, `type base64 [comment]` (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of at least 2048 bits, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com); no options; comment: up to 100 letters, digits and @._+-",
    arbitrary: () => sshKeyArbitrary,
  }),
)

/** SHA256 fingerprint as `ssh-keygen -l` prints it. */
export const sshFingerprint = async (publicKey: string): Promise<string> => {
  const blob = decodeBase64(publicKey.split(" ")[1] ?? "") ?? new Uint8Array()
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", blob))
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, "")}`
}

/** An SSH public key allowed to log in (SFTP and SSH) as the tenant. */
export class SshKey extends Schema.Class<SshKey>("SshKey")({
  id: SshKeyId,
  tenant_id: TenantId,
  name: DisplayName,
  public_key: Schema.String,
  fingerprint: Schema.String,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /tenants/{id}/ssh-keys. */
export const CreateSshKey = strict(Schema.Struct({ name: DisplayName, public_key: SshPublicKey }))

/** Body of PUT /ssh-keys/{id}: only the label; a different key is a new key. */
export const UpdateSshKey = strict(Schema.Struct({ name: DisplayName }))
