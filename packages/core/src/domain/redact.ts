/** Keys whose values are secrets wherever they appear in a request body. */
const SECRET_KEY = /pass(word|phrase)?|secret|token|(^|_)key$|^key$|private|credential/i

/**
 * Secrets recognised by their shape in any string, whatever the field is called: PEM blocks (a
 * private key pasted into a "description" is still a private key; certificates are public but
 * large and never needed in an audit trail) and API-key secrets (`hpk_` and 40 characters).
 */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(-----END [A-Z0-9 ]{1,64}-----|$)/g
const API_KEY_SHAPE = /hpk_[A-Za-z0-9]{40}/g

/**
 * Characters PostgreSQL text and jsonb cannot hold (NUL) and UTF-16 halves without their pair
 * (jsonb refuses the escape): written out as visible `\uXXXX` text so the entry can be stored and
 * still shows what was sent.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this finds
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** How much of a body the audit log keeps; past these the rest is replaced by a marker. */
export const REDACTION_LIMITS = {
  depth: 16,
  arrayItems: 100,
  objectKeys: 100,
  keyLength: 128,
  stringLength: 2048,
  /** characters of keys and strings in the whole copy */
  total: 32_768,
} as const

const TRUNCATED = "[TRUNCATED]"

/** A string as the audit log may keep it: secrets by shape removed, unstorable characters escaped. */
const cleanString = (s: string): string =>
  s
    .replace(PEM_BLOCK, "[REDACTED PEM]")
    .replace(API_KEY_SHAPE, "[REDACTED KEY]")
    .replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * The audit log's copy of a request body: secrets replaced (by field name and by shape),
 * structure kept, every dimension bounded — depth, array length, keys per object, key length,
 * string length and the total — so neither a hostile body nor a NUL can break or bloat the entry.
 */
export const redactSecrets = (value: unknown): unknown => {
  let budget: number = REDACTION_LIMITS.total
  const take = (s: string, max: number): string => {
    const kept = s.length > max ? `${s.slice(0, max)}…${TRUNCATED}` : s
    budget -= kept.length
    return kept
  }
  const walk = (v: unknown, depth: number): unknown => {
    if (budget <= 0 || depth > REDACTION_LIMITS.depth) return TRUNCATED
    if (Array.isArray(v)) {
      const out = v.slice(0, REDACTION_LIMITS.arrayItems).map((x) => walk(x, depth + 1))
      if (v.length > REDACTION_LIMITS.arrayItems)
        out.push(`${TRUNCATED} ${v.length - REDACTION_LIMITS.arrayItems} more`)
      return out
    }
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {}
      const entries = Object.entries(v as Record<string, unknown>)
      for (const [k, x] of entries.slice(0, REDACTION_LIMITS.objectKeys)) {
        if (budget <= 0) break
        const key = take(cleanString(k), REDACTION_LIMITS.keyLength)
        out[key] = SECRET_KEY.test(k) && x !== null && x !== undefined ? "[REDACTED]" : walk(x, depth + 1)
      }
      if (entries.length > REDACTION_LIMITS.objectKeys)
        out[TRUNCATED] = `${entries.length - REDACTION_LIMITS.objectKeys} more keys`
      return out
    }
    if (typeof v === "string") return take(cleanString(v), REDACTION_LIMITS.stringLength)
    return v
  }
  return walk(value, 0)
}
