/** Runtime-API requests for HAProxy's admin socket, grouped below the size it reads at once. */

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
