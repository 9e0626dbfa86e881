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
