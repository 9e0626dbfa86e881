/** Keys whose values are secrets wherever they appear in a request body. */
const SECRET_KEY = /pass(word|phrase)?|secret|token|(^|_)key$|^key$|private|credential/i

/** The audit log's copy of a request body: secrets replaced, structure kept, size bounded. */
export const redactSecrets = (value: unknown, depth = 0): unknown => {
  if (depth > 20) return "[TRUNCATED]"
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redactSecrets(v, depth + 1))
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? "[REDACTED]" : redactSecrets(v, depth + 1)
    }
    return out
  }
  if (typeof value === "string" && value.length > 4096) return `${value.slice(0, 4096)}…[TRUNCATED]`
  return value
}
