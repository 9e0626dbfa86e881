import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { REDACTION_LIMITS, redactSecrets } from "../src/domain/redact.js"

describe("redactSecrets beyond field names", () => {
  it("removes PEM blocks (terminated or not) and API-key-shaped strings from any string", () => {
    const key = `hpk_${"a1B2".repeat(10)}`
    expect(
      redactSecrets({
        note: "before -----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY----- after",
        cut: "x -----BEGIN RSA PRIVATE KEY-----\nMIIB",
        list: [`use ${key} here`],
      }),
    ).toEqual({ note: "before [REDACTED PEM] after", cut: "x [REDACTED PEM]", list: ["use [REDACTED KEY] here"] })
  })

  it("writes NUL and unpaired surrogates out as text, and keeps a paired surrogate as it is", () => {
    expect(redactSecrets({ "k\u0000": "a\u0000b\ud800c\udc00d😀" })).toEqual({
      "k\\u0000": "a\\u0000b\\ud800c\\udc00d😀",
    })
  })

  it("bounds keys per object, key length, arrays, depth and the whole copy", () => {
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]))
    const out = redactSecrets(wide) as Record<string, unknown>
    expect(Object.keys(out)).toHaveLength(REDACTION_LIMITS.objectKeys + 1)
    expect(out["[TRUNCATED]"]).toBe("50 more keys")
    const longKey = redactSecrets({ ["k".repeat(1000)]: 1 }) as Record<string, unknown>
    expect(Object.keys(longKey)[0]).toBe(`${"k".repeat(128)}…[TRUNCATED]`)
    expect((redactSecrets(Array.from({ length: 101 }, () => 0)) as Array<unknown>).at(-1)).toBe("[TRUNCATED] 1 more")
    let deep: unknown = "bottom"
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(JSON.stringify(redactSecrets(deep))).toContain('"[TRUNCATED]"')
  })

  it.prop(
    "no copy is much larger than the total budget, whatever the body",
    [fc.anything({ maxDepth: 6, maxKeys: 200, withObjectString: true })],
    ([body]) => {
      const size = JSON.stringify(redactSecrets(body) ?? null).length
      // the budget counts keys and strings; structure adds a bounded overhead per kept item
      expect(size).toBeLessThan(REDACTION_LIMITS.total + REDACTION_LIMITS.stringLength + 20_000)
    },
  )

  it("a huge body is cut to the total budget", () => {
    const body = { items: Array.from({ length: 100 }, () => "z".repeat(2000)) }
    const out = JSON.stringify(redactSecrets(body))
    expect(out.length).toBeLessThan(REDACTION_LIMITS.total + 3_000)
    expect(out).toContain("[TRUNCATED]")
  })
})
