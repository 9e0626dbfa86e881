// Defences against hostile requests that need no database: per-address counters, JSON nesting
// depth, NUL in the URL, and Node's own parser errors answered with the error envelope.
import { createHash } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { Duplex } from "node:stream"

/**
 * Counts events per key in fixed windows (one minute by default). Memory is bounded: past
 * `maxKeys` distinct keys in one window the oldest window is dropped whole, which can only let
 * a few more events through, never block a client wrongly.
 */
export class WindowCounter {
  private counts = new Map<string, number>()
  private windowStart: number

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now()
  }

  private roll(): void {
    const t = this.now()
    if (t - this.windowStart >= this.windowMs || this.counts.size >= this.maxKeys) {
      this.counts = new Map()
      this.windowStart = t
    }
  }

  /** Adds one event for `key`; answers whether it is still within the limit. */
  hit(key: string): boolean {
    this.roll()
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    return n <= this.limit
  }

  /** Whether `key` has used up its events in the current window. */
  exhausted(key: string): boolean {
    this.roll()
    return (this.counts.get(key) ?? 0) >= this.limit
  }

  /** Seconds until the current window ends. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000))
  }
}

/** JSON nested deeper than this is refused before it is parsed (a parser's recursion is finite). */
export const MAX_JSON_DEPTH = 64

/** Whether JSON text opens more than `max` arrays/objects inside each other (strings skipped). */
export const jsonDepthExceeds = (text: string, max = MAX_JSON_DEPTH): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

/** A NUL in the path or query, raw or percent-encoded: nothing downstream can hold it. */
export const urlHasNul = (url: string): boolean => url.includes("\u0000") || /%00/i.test(url)

/**
 * What the audit log keeps of a request body: the parsed JSON (redacted later), or for a body
 * that is not JSON only its size and digest — its text could be anything, a private key included.
 */
export const auditableBody = (text: string): unknown => {
  if (text === "") return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return {
      unparsed: {
        bytes: Buffer.byteLength(text),
        sha256: createHash("sha256").update(text).digest("hex"),
      },
    }
  }
}

/** The first characters of a presented key, enough to tell a client which key failed. */
export const keyPrefix = (secret: string): string =>
  secret.length === 0 ? "(none)" : `${secret.slice(0, 8).replace(/[^\x21-\x7e]/g, "?")}…`

const clientErrorResponse = (status: number, reason: string, code: string, message: string): string => {
  const body = JSON.stringify({ error: { code, message } })
  return [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n")
}

/**
 * An HTTP server whose own refusals (a request Node cannot parse: NUL or CR/LF in a header,
 * headers over 16 KiB) carry the same error envelope as every other answer.
 */
export const createEnvelopedServer = (): Server => {
  const server = createServer()
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (err as { code?: string }).code === "ECONNRESET") {
      socket.destroy()
      return
    }
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW"
    socket.end(
      tooLarge
        ? clientErrorResponse(
            431,
            "Request Header Fields Too Large",
            "headers_too_large",
            "the request headers exceed 16 KiB",
          )
        : clientErrorResponse(
            400,
            "Bad Request",
            "invalid_request",
            `the request could not be parsed as HTTP (${err.code ?? "malformed"})`,
          ),
    )
  })
  return server
}
