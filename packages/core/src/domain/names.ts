import { Schema } from "effect"

/** Name prefixes of resources that need a machine identifier. */
export const NAME_PREFIXES = {
  tenant: "t_",
  webroot: "web_",
  database: "db_",
  valkey: "kv_",
  s3: "s3_",
  cron: "cron_",
} as const

/** Resource kinds that have generated short names. */
export type NamedKind = keyof typeof NAME_PREFIXES

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

/** `{prefix}{10 random [a-z0-9]}`: ~51.7 bits, short enough for Linux user and MySQL names. */
export const generateName = (kind: NamedKind): string => {
  const out: Array<string> = []
  while (out.length < 10) {
    for (const b of globalThis.crypto.getRandomValues(new Uint8Array(16))) {
      // 252 = 7 × 36: reject the rest so every character is equally likely
      if (b < 252 && out.length < 10) out.push(ALPHABET[b % 36] as string)
    }
  }
  return NAME_PREFIXES[kind] + out.join("")
}

/** A generated name of the given kind. */
export const GeneratedName = (kind: NamedKind) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^${NAME_PREFIXES[kind]}[a-z0-9]{10}$`)))

/** A child username must start with its parent's name (`db_abc123xyz0_admin`). */
export const ChildUsername = (parentName: string) =>
  Schema.String.pipe(
    Schema.pattern(/^[a-z][a-z0-9_]{0,31}$/),
    Schema.filter((s) => s.startsWith(`${parentName}_`) || `must start with ${parentName}_`),
  )
