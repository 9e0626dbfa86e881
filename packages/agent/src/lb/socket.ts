import { createConnection } from "node:net"

/**
 * One exchange with HAProxy's runtime API on its admin socket: sends `text` (one line of
 * `;`-separated commands, or one command with a `<<` payload ending in an empty line) and reads
 * the answer until HAProxy closes the connection, as it does after a non-interactive command.
 */
export const haproxyCli = (socket: string, text: string, timeoutMs = 30_000): Promise<string> =>
  new Promise((resolve, reject) => {
    const conn = createConnection(socket)
    const chunks: Array<Buffer> = []
    conn.setTimeout(timeoutMs, () =>
      conn.destroy(new Error(`HAProxy's admin socket did not answer in ${timeoutMs} ms`)),
    )
    conn.on("connect", () => conn.end(text.endsWith("\n") ? text : `${text}\n`))
    conn.on("data", (d: Buffer) => chunks.push(d))
    conn.on("error", reject)
    conn.on("close", (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"))
    })
  })

// A CLI line and a payload are read into one buffer (tune.bufsize, 16 kB by default); beyond it
// HAProxy drops the command without an answer. Stay well below.
const MAX_REQUEST_BYTES = 8_000

/** Groups commands into `;`-separated lines below the CLI's buffer size. */
export const commandLines = (commands: ReadonlyArray<string>): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const c of commands) {
    if (line !== "" && line.length + c.length + 1 > MAX_REQUEST_BYTES) {
      lines.push(line)
      line = ""
    }
    line = line === "" ? c : `${line};${c}`
  }
  if (line !== "") lines.push(line)
  return lines
}

/** `<head> <<` payload requests (one `key value` per line) below the CLI's buffer size. */
export const payloadRequests = (head: string, rows: ReadonlyArray<string>): ReadonlyArray<string> => {
  const requests: Array<string> = []
  let body = ""
  for (const r of rows) {
    if (body !== "" && head.length + body.length + r.length + 8 > MAX_REQUEST_BYTES) {
      requests.push(`${head} <<\n${body}\n`)
      body = ""
    }
    body += `${r}\n`
  }
  if (body !== "") requests.push(`${head} <<\n${body}\n`)
  return requests
}
