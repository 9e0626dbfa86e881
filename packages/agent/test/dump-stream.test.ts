import { randomBytes } from "node:crypto"
import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { DumpStreamRejected, framed, verified } from "../src/database/dump-stream.js"

const KEY = Buffer.alloc(32, 7)

async function* of(chunks: ReadonlyArray<Buffer>): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c
}
const collect = async (it: AsyncIterable<Buffer>) => {
  const out: Array<Buffer> = []
  for await (const c of it) out.push(c)
  return Buffer.concat(out)
}
/** The source's framed bytes, as one buffer. */
const wire = (chunks: ReadonlyArray<Buffer>, finished: Promise<void> = Promise.resolve()) =>
  collect(framed(of(chunks), KEY, finished))
/** Cuts a buffer into pieces at the given offsets (how the network may deliver it). */
const cut = (b: Buffer, at: ReadonlyArray<number>) => {
  const points = [...new Set(at.map((x) => x % (b.length + 1)))].sort((x, y) => x - y)
  const parts: Array<Buffer> = []
  let from = 0
  for (const p of [...points, b.length]) {
    parts.push(b.subarray(from, p))
    from = p
  }
  return parts
}
/** What the target loads, or why it refused, and what it had let through by then. */
const receive = async (pieces: ReadonlyArray<Buffer>, key = KEY) => {
  const passed: Array<Buffer> = []
  try {
    for await (const p of verified(of(pieces), key)) passed.push(p)
    return { ok: true as const, passed: Buffer.concat(passed) }
  } catch (e) {
    return { ok: false as const, error: e as Error, passed: Buffer.concat(passed) }
  }
}

describe("a migration's dump stream", () => {
  it("arrives whole however the source writes it and the network cuts it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (chunks, at) => {
          const data = chunks.map((c) => Buffer.from(c))
          const got = await receive(cut(await wire(data), at))
          expect(got).toEqual({ ok: true, passed: Buffer.concat(data) })
        },
      ),
      { seed: 1405, numRuns: 200 },
    )
  })

  it("never lets a changed byte through, and nothing after it", async () => {
    const data = [randomBytes(1000), randomBytes(1000), randomBytes(1000)]
    const bytes = await wire(data)
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, flip) => {
        const tampered = Buffer.from(bytes)
        tampered[at] = tampered[at]! ^ flip
        const got = await receive([tampered])
        expect(got.ok).toBe(false)
        // what passed is exactly what the source sent, up to a frame before the change
        expect(Buffer.concat(data).subarray(0, got.passed.length)).toEqual(got.passed)
        expect(got.passed.length).toBeLessThanOrEqual(at)
      }),
      { seed: 1405, numRuns: 300 },
    )
  })

  it("refuses another key, a stream cut short, frames reordered or repeated", async () => {
    const data = [Buffer.from("CREATE TABLE t (id INT);\n"), Buffer.from("INSERT INTO t VALUES (1);\n")]
    const bytes = await wire(data)
    const frameLength = 37 + data[0]!.length
    const [first, second, rest] = [
      bytes.subarray(0, frameLength),
      bytes.subarray(frameLength, frameLength + 37 + data[1]!.length),
      bytes.subarray(frameLength + 37 + data[1]!.length),
    ]
    const other = await receive([bytes], Buffer.alloc(32, 8))
    expect(other).toMatchObject({ ok: false, passed: Buffer.alloc(0) })
    expect(other.ok || other.error.message).toBe("database dump stream: frame 0 failed its integrity check")
    for (const [what, pieces, passed] of [
      ["cut before its end frame", [first, second], Buffer.concat(data)],
      ["cut at a frame boundary", [first], data[0]!],
      ["reordered", [second, first, rest], Buffer.alloc(0)],
      ["repeated", [first, first, second, rest], data[0]!],
      ["end frame alone", [rest], Buffer.alloc(0)],
    ] as const) {
      const got = await receive(pieces)
      expect(got.ok, what).toBe(false)
      expect(got.ok || got.error instanceof DumpStreamRejected, what).toBe(true)
      expect(got.passed, what).toEqual(passed)
    }
  })

  it("carries the source's failure as its message", async () => {
    const failed = Promise.reject(new Error("mariadb-dump failed (2): Got error: 1049: Unknown database"))
    const got = await receive([await wire([Buffer.from("-- start\n")], failed)])
    expect(got.ok || got.error.message).toBe(
      "the source's dump failed: mariadb-dump failed (2): Got error: 1049: Unknown database",
    )
    expect(got.passed.toString()).toBe("-- start\n")
  })

  it("refuses a frame claiming more than a source ever sends before waiting for it", async () => {
    const huge = Buffer.alloc(37)
    huge.writeUInt32BE(0x7fffffff, 1)
    const got = await receive([huge])
    expect(got.ok || got.error.message).toBe("database dump stream: frame 0 is too large")
  })
})
