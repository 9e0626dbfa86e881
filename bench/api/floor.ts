// The floor of bench/api: the two brand reads the API serves, with nothing but node:http and pg
// (no auth, no schemas, no framework). Run as its own process by run.ts, like the API.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import pg from "pg"

const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const port = Number(required("BENCH_FLOOR_PORT"))
const pool = new pg.Pool({
  connectionString: required("BENCH_DATABASE_URL"),
  max: Number(required("BENCH_POOL_SIZE")),
})

const send = (res: ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  res.end(json)
}

const brandPath = /^\/brands\/([^/]+)$/

const handle = async (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1")
  const one = brandPath.exec(url.pathname)
  if (req.method === "GET" && one !== null) {
    const { rows } = await pool.query("SELECT * FROM brands WHERE id = $1", [one[1]])
    return rows[0] === undefined ? send(res, 404, { error: { code: "not_found" } }) : send(res, 200, rows[0])
  }
  if (req.method === "GET" && url.pathname === "/brands") {
    const limit = Number(url.searchParams.get("limit") ?? "50")
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return send(res, 400, { error: { code: "bad_limit" } })
    // One row more than the page tells whether there is a next page, as the API does.
    const { rows } = await pool.query("SELECT * FROM brands ORDER BY name, id LIMIT $1", [limit + 1])
    return send(res, 200, { items: rows.slice(0, limit), has_more: rows.length > limit })
  }
  send(res, 404, { error: { code: "not_found" } })
}

const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => send(res, 500, { error: { code: "internal", message: String(e) } }))
})

server.listen(port, "127.0.0.1")

process.once("SIGTERM", () => {
  server.close()
  server.closeAllConnections()
  void pool.end().finally(() => process.exit(0))
})
