// Serves the built admin UI (dist/) and reverse-proxies the API paths to HOSTING_API_URL, so the
// browser talks to one origin and the API needs no CORS. Plain node:http, no dependencies.
import { createReadStream, existsSync, statSync } from "node:fs"
import { createServer, request } from "node:http"
import { request as requestTls } from "node:https"
import { extname, join, normalize, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
}
const PROXIED = ["/api/", "/healthz", "/readyz"]

/**
 * Starts the server; resolves once it listens. Options default from the environment:
 * HOSTING_UI_PORT (3001), HOSTING_UI_HOST (127.0.0.1), HOSTING_API_URL (http://127.0.0.1:8080).
 */
export const startUiServer = ({
  port = Number(process.env.HOSTING_UI_PORT ?? 3001),
  host = process.env.HOSTING_UI_HOST ?? "127.0.0.1",
  apiUrl = process.env.HOSTING_API_URL ?? "http://127.0.0.1:8080",
  distDir = fileURLToPath(new URL("../dist", import.meta.url)),
} = {}) => {
  const api = new URL(apiUrl)
  const root = resolve(distDir)
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    if (PROXIED.some((p) => url.pathname === p || url.pathname.startsWith(p.endsWith("/") ? p : `${p}/`))) {
      const send = api.protocol === "https:" ? requestTls : request
      const upstream = send(
        {
          protocol: api.protocol,
          hostname: api.hostname,
          port: api.port,
          method: req.method,
          path: url.pathname + url.search,
          headers: { ...req.headers, host: api.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      upstream.on("error", (e) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: { code: "bad_gateway", message: `API unreachable: ${e.message}` } }))
      })
      req.pipe(upstream)
      return
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end()
      return
    }
    // Only files inside dist/; anything else (client-side routes) gets index.html.
    let file = normalize(join(root, decodeURIComponent(url.pathname)))
    if (!file.startsWith(root + sep) || !existsSync(file) || statSync(file).isDirectory())
      file = join(root, "index.html")
    if (!existsSync(file)) {
      res.writeHead(503, { "content-type": "text/plain" }).end("the UI is not built: run `npx vite build` in hosts/ui")
      return
    }
    const immutable = file.includes(`${join(root, "assets")}`)
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    })
    if (req.method === "HEAD") res.end()
    else createReadStream(file).pipe(res)
  })
  return new Promise((resolveListen, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => resolveListen(server))
  })
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startUiServer()
  const address = server.address()
  console.log(
    `admin UI on http://${address.address}:${address.port} (API: ${process.env.HOSTING_API_URL ?? "http://127.0.0.1:8080"})`,
  )
  // keep-alive connections would hold close() open; the launcher's grace is 10 s
  const stop = () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}
