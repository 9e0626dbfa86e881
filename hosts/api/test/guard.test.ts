import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { auditableBody, jsonDepthExceeds, keyPrefix, urlHasNul, WindowCounter } from "../src/guard.js"

describe("WindowCounter", () => {
  it("allows `limit` events per key and window, then refuses until the window ends", () => {
    let now = 1_000
    const c = new WindowCounter(3, 60_000, 100, () => now)
    expect([c.hit("a"), c.hit("a"), c.hit("a"), c.hit("a")]).toEqual([true, true, true, false])
    expect(c.exhausted("a")).toBe(true)
    expect(c.exhausted("b")).toBe(false)
    now += 59_000
    expect(c.retryAfterSeconds()).toBe(1)
    now += 1_000
    expect(c.exhausted("a")).toBe(false)
    expect(c.hit("a")).toBe(true)
  })

  it("keeps at most maxKeys addresses: a full table starts a new window", () => {
    const c = new WindowCounter(1, 60_000, 2, () => 0)
    c.hit("a")
    c.hit("b")
    expect(c.exhausted("a")).toBe(false) // rolled over: the table was full
  })
})

describe("jsonDepthExceeds", () => {
  it.prop(
    "agrees with the real nesting depth of any JSON value",
    [fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 })],
    ([v, max]) => {
      const depth = (x: unknown): number =>
        Array.isArray(x)
          ? 1 + Math.max(0, ...x.map(depth))
          : x !== null && typeof x === "object"
            ? 1 + Math.max(0, ...Object.values(x).map(depth))
            : 0
      expect(jsonDepthExceeds(JSON.stringify(v), max)).toBe(depth(v) > max)
    },
  )

  it("skips brackets inside strings, escaped quotes included", () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '[[[[\\"[[[[' }), 1)).toBe(false)
    expect(jsonDepthExceeds("[".repeat(65))).toBe(true)
    expect(jsonDepthExceeds("[".repeat(64))).toBe(false)
  })
})

describe("request guards", () => {
  it("finds a NUL raw or percent-encoded in either case", () => {
    expect(["/a?q=%00", "/a?q=%00x", "/a%00", "/a\u0000"].map(urlHasNul)).toEqual([true, true, true, true])
    expect(["/a?q=%2500", "/a?q=00", "/a"].map(urlHasNul)).toEqual([false, false, false])
  })

  it("keeps a non-JSON body as its size and SHA-256 only", () => {
    expect(auditableBody("")).toBeUndefined()
    expect(auditableBody('{"a":1}')).toEqual({ a: 1 })
    expect(auditableBody("héllo")).toEqual({
      unparsed: { bytes: 6, sha256: "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179" },
    })
  })

  it("shows a key's first 8 printable characters only", () => {
    expect(keyPrefix("hpk_abcdefgh1234")).toBe("hpk_abcd…")
    expect(keyPrefix("")).toBe("(none)")
    expect(keyPrefix("a\nb\u0000cdefgh")).toBe("a?b?cdef…")
  })
})
