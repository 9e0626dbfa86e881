import { createHmac, timingSafeEqual } from "node:crypto"

/**
 * A migration's dump as an authenticated stream of frames, so the target loads it while the
 * source still dumps and yet runs no byte it has not checked. The key (32 random bytes) reaches
 * the target only through the workflow, never over the transfer connection (which carries the
 * token and the data in the clear), so whoever sits on that connection can read but not forge.
 *
 * A frame: type (1 byte: data, end or error), payload length (4 bytes, big-endian), HMAC-SHA256
 * over the frame's sequence number (8 bytes), type, length and payload, then the payload. The
 * sequence number orders frames and ties them to this stream; the end frame carries the number
 * of payload bytes sent, so a stream cut at a frame boundary is refused too; an error frame
 * carries the source's message (mariadb-dump failed).
 */

const DATA = 0
const END = 1
const ERROR = 2
const HEADER = 1 + 4 + 32
// the source frames what mariadb-dump writes at a time (64 KiB); anything far larger is not its
const MAX_PAYLOAD = 16 << 20

/** A frame's MAC. */
const macOf = (key: Buffer, seq: bigint, type: number, payload: Buffer): Buffer => {
  const head = Buffer.alloc(13)
  head.writeBigUInt64BE(seq, 0)
  head.writeUInt8(type, 8)
  head.writeUInt32BE(payload.length, 9)
  return createHmac("sha256", key).update(head).update(payload).digest()
}

const frame = (key: Buffer, seq: bigint, type: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5)
  header.writeUInt8(type, 0)
  header.writeUInt32BE(payload.length, 1)
  return Buffer.concat([header, macOf(key, seq, type, payload), payload])
}

/** A stream the target refused (a frame that is not the source's, or a stream cut short). */
export class DumpStreamRejected extends Error {}

/**
 * The source's side: frames what `source` yields, then an end frame once `finished` resolves,
 * or an error frame with its message when it rejects.
 */
export async function* framed(
  source: AsyncIterable<Buffer>,
  key: Buffer,
  finished: Promise<void>,
): AsyncGenerator<Buffer> {
  let seq = 0n
  let total = 0n
  try {
    for await (const chunk of source) {
      total += BigInt(chunk.length)
      yield frame(key, seq++, DATA, chunk)
    }
    await finished
  } catch (e) {
    yield frame(key, seq, ERROR, Buffer.from(e instanceof Error ? e.message : String(e)))
    return
  }
  const size = Buffer.alloc(8)
  size.writeBigUInt64BE(total)
  yield frame(key, seq, END, size)
}

/**
 * The target's side: yields each data frame's payload only after checking its MAC; throws
 * DumpStreamRejected for a frame that fails it, or a stream that ends without its end frame,
 * and the source's message for an error frame.
 */
export async function* verified(source: AsyncIterable<Buffer>, key: Buffer): AsyncGenerator<Buffer> {
  let seq = 0n
  let total = 0n
  let pending: Array<Buffer> = []
  let pendingBytes = 0
  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = all.length > n ? [all.subarray(n)] : []
    pendingBytes = all.length - n
    return all.subarray(0, n)
  }
  const peek = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = [all]
    return all.subarray(0, n)
  }
  for await (const chunk of source) {
    pending.push(chunk)
    pendingBytes += chunk.length
    while (pendingBytes >= HEADER) {
      const head = peek(HEADER)
      const type = head.readUInt8(0)
      const length = head.readUInt32BE(1)
      if (length > MAX_PAYLOAD) throw new DumpStreamRejected(`database dump stream: frame ${seq} is too large`)
      if (pendingBytes < HEADER + length) break
      const mac = Buffer.from(take(HEADER).subarray(5))
      const payload = take(length)
      if (!timingSafeEqual(mac, macOf(key, seq, type, payload))) {
        throw new DumpStreamRejected(`database dump stream: frame ${seq} failed its integrity check`)
      }
      seq++
      if (type === DATA) {
        total += BigInt(length)
        yield payload
      } else if (type === END) {
        if (length !== 8 || payload.readBigUInt64BE() !== total)
          throw new DumpStreamRejected("database dump stream: its end does not match what was sent")
        return
      } else if (type === ERROR) {
        throw new Error(`the source's dump failed: ${payload.toString("utf8")}`)
      } else {
        throw new DumpStreamRejected(`database dump stream: frame ${seq - 1n} has an unknown type`)
      }
    }
  }
  throw new DumpStreamRejected("database dump stream: ended before its end frame")
}
