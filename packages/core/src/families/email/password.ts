import { argon2, randomBytes } from "node:crypto"
import { Effect } from "effect"

/** Argon2id costs: OWASP's first recommendation (19 MiB, 2 passes, 1 lane), cheap enough for IMAP logins. */
export const ARGON2ID_COST = { memory: 19_456, passes: 2, parallelism: 1 } as const

const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "")

/**
 * A mailbox password hashed the way Dovecot's `ARGON2ID` scheme reads it (PHC string, unpadded
 * base64, `{ARGON2ID}` prefix), with a fresh 16-byte salt. The control plane hashes; nodes only
 * ever see the hash.
 */
export const hashMailPassword = (password: string, cost: typeof ARGON2ID_COST = ARGON2ID_COST) =>
  Effect.async<string, Error>((resume) => {
    const nonce = randomBytes(16)
    argon2(
      "argon2id",
      {
        message: password,
        nonce,
        tagLength: 32,
        memory: cost.memory,
        passes: cost.passes,
        parallelism: cost.parallelism,
      },
      (err, tag) =>
        resume(
          err
            ? Effect.fail(err)
            : Effect.succeed(
                `{ARGON2ID}$argon2id$v=19$m=${cost.memory},t=${cost.passes},p=${cost.parallelism}$${b64(nonce)}$${b64(tag)}`,
              ),
        ),
    )
  })
