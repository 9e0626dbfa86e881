import { argon2 } from "node:crypto"
import { promisify } from "node:util"
import { MailPasswordHasher } from "@hosting/core"
import { Layer } from "effect"

const argon2Async = promisify(argon2)

/** Mailbox passwords hashed with node:crypto's Argon2id (Node 24.7+), in the API process. */
export const MailPasswordHasherLive = Layer.succeed(MailPasswordHasher, {
  argon2id: async (params) => new Uint8Array(await argon2Async("argon2id", params)),
})
