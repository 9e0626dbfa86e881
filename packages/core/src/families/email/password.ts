import { Effect } from "effect"

/** Argon2id costs: OWASP's first recommendation (19 MiB, 2 passes, 1 lane), cheap enough for IMAP logins. */
export const ARGON2ID_COST = { memory: 19_456, passes: 2, parallelism: 1 } as const

/**
 * The Argon2id function itself, injected (core loads no Node builtin): in a host,
 * `(p) => promisify(crypto.argon2)("argon2id", p)` from node:crypto.
 */
export type Argon2id = (params: {
  readonly message: string
  readonly nonce: Uint8Array
  readonly tagLength: number
  readonly memory: number
  readonly passes: number
  readonly parallelism: number
}) => Promise<Uint8Array>

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, "")

/**
 * A mailbox password hashed the way Dovecot's `ARGON2ID` scheme reads it (PHC string, unpadded
 * base64, `{ARGON2ID}` prefix), with a fresh 16-byte salt. The control plane hashes; nodes only
 * ever see the hash.
 */
export const hashMailPassword = (password: string, argon2id: Argon2id, cost: typeof ARGON2ID_COST = ARGON2ID_COST) =>
  Effect.gen(function* () {
    const nonce = globalThis.crypto.getRandomValues(new Uint8Array(16))
    const tag = yield* Effect.tryPromise(() => argon2id({ message: password, nonce, tagLength: 32, ...cost }))
    return `{ARGON2ID}$argon2id$v=19$m=${cost.memory},t=${cost.passes},p=${cost.parallelism}$${b64(nonce)}$${b64(tag)}`
  })
