// The API under hostile input, against the real API process and PostgreSQL: the audit log
// cannot be skipped (NUL bodies, an unwritable log) or flooded (unauthenticated bodies), bodies
// have limits, and every refusal — Node's own, a NUL in the URL, deep nesting, a 5xx — carries
// the error envelope.
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { request } from "node:http"
import { connect } from "node:net"
import { join } from "node:path"
import { createClient } from "@hosting/sdk"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { makeTestCa } from "../support/certificates.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

let db: TestDatabase
let stack: Stack
let sql: pg.Client

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_hardening")
  stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

afterAll(async () => {
  await sql?.end()
  await stack?.stop()
  await db?.stop()
})

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly json: any
}

/** One request over node:http (fetch cannot send raw bytes in a chunked body or odd headers). */
const call = (
  method: string,
  path: string,
  options: { body?: string | Buffer; key?: string | null; headers?: Record<string, string>; chunked?: boolean } = {},
  baseUrl = stack.baseUrl,
) =>
  new Promise<Answer>((resolve, reject) => {
    const url = new URL(path, baseUrl)
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers }
    const key = options.key === undefined ? stack.apiKey : options.key
    if (key !== null) headers["x-api-key"] = key
    if (options.body !== undefined && !options.chunked)
      headers["content-length"] = String(Buffer.byteLength(options.body))
    let responded = false
    const req = request(url, { method, headers, agent: false }, (res) => {
      responded = true
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      // "close", not "end": a server that answers and then drops the connection ends no body
      res.on("close", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json })
      })
    })
    // the server may answer (413) and close before a large body is sent: the answer is what counts
    req.on("error", (e: NodeJS.ErrnoException) =>
      e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e),
    )
    req.on("close", () => {
      if (!responded) resolve({ status: 0, headers: {}, json: undefined })
    })
    if (options.body !== undefined) {
      if (options.chunked) {
        const body = Buffer.from(options.body)
        for (let i = 0; i < body.length; i += 65_536) req.write(body.subarray(i, i + 65_536))
      } else req.write(options.body)
    }
    req.end()
  })

/** Sends raw bytes as a whole HTTP request and reads the raw answer. */
const raw = (bytes: string) =>
  new Promise<{ status: number; body: any }>((resolve, reject) => {
    const url = new URL(stack.baseUrl)
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes))
    let text = ""
    socket.on("data", (d) => {
      text += d.toString("latin1")
    })
    socket.on("error", reject)
    socket.on("close", () => {
      const [head, body = ""] = text.split("\r\n\r\n")
      resolve({ status: Number(head?.split(" ")[1]), body: JSON.parse(body) })
    })
  })

const auditRows = async (where = "TRUE") =>
  (await sql.query(`SELECT * FROM audit_logs WHERE ${where} ORDER BY created_at, id`)).rows
const brandRow = async (id: string) => (await sql.query("SELECT name FROM brands WHERE id = $1", [id])).rows[0]
const newBrand = async (name: string) => {
  const res = await call("POST", "/api/v1/brands", { body: JSON.stringify({ name }) })
  expect(res.status).toBe(201)
  return res.json.id as string
}

describe("the audit log cannot be skipped", () => {
  it("a mutation whose body holds a NUL (escaped or raw) is carried out and audited with the NUL written out", async () => {
    const id = await newBrand("nul target")
    // escaped in JSON, on an update
    const renamed = await call("PUT", `/api/v1/brands/${id}`, { body: '{"name":"renamed","zz":"a\\u0000b"}' })
    expect(renamed.status).toBe(400) // the unknown field is refused — but the attempt is on record
    const ok = await call("PUT", `/api/v1/brands/${id}`, { body: '{"name":"renamed"}' })
    expect(ok.status).toBe(200)
    // raw NUL bytes in a DELETE's body, which the handler ignores: not JSON (a control character
    // inside a string), so kept as size and digest
    const deleted = await call("DELETE", `/api/v1/brands/${id}`, { body: Buffer.from('{"note":"x\u0000y"}') })
    expect(deleted.status).toBe(204)
    const rows = await auditRows(`resource_id = '${id}' AND action <> 'brands.create'`)
    expect(rows.map((r) => [r.action, r.status_code])).toEqual([
      ["brands.update", 400],
      ["brands.update", 200],
      ["brands.delete", 204],
    ])
    expect(rows[0].request_body).toEqual({ name: "renamed", zz: "a\\u0000b" })
    expect(rows[2].request_body).toEqual({
      unparsed: { bytes: 14, sha256: createHash("sha256").update('{"note":"x\u0000y"}').digest("hex") },
    })
  })

  it("an unpaired surrogate (refused as a name) is stored as text, not lost", async () => {
    const res = await call("POST", "/api/v1/brands", { body: '{"name":"half \\ud800 pair"}' })
    expect(res.status).toBe(400)
    const rows = await auditRows(
      `action = 'brands.create' AND status_code = 400 AND request_body->>'name' LIKE 'half%'`,
    )
    expect(rows.map((r) => r.request_body)).toEqual([{ name: "half \\ud800 pair" }])
  })

  it("when the audit entry cannot be written, the mutation is refused with 503 and nothing changes", async () => {
    const id = await newBrand("audit outage")
    await sql.query(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$`)
    await sql.query(
      "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    )
    try {
      const update = await call("PUT", `/api/v1/brands/${id}`, { body: '{"name":"unaudited"}' })
      expect(update.status).toBe(503)
      expect(update.json.error).toMatchObject({
        code: "unavailable",
        message: expect.stringContaining("nothing was changed"),
      })
      const del = await call("DELETE", `/api/v1/brands/${id}`)
      expect(del.status).toBe(503)
      expect(await brandRow(id)).toEqual({ name: "audit outage" })
    } finally {
      await sql.query("DROP TRIGGER refuse_audit ON audit_logs")
      await sql.query("DROP FUNCTION refuse_audit()")
    }
  })
})

describe("bodies have limits and the audit log cannot be flooded", () => {
  it("an unauthenticated 1.2 MB body is refused without being stored: the entry has the address and the key's prefix", async () => {
    const path = `/api/v1/brands?probe=${Date.now()}`
    const res = await call("POST", path, {
      key: "hpk_notarealkey0000",
      body: JSON.stringify({ name: "x".repeat(1_200_000) }),
    })
    expect(res.status).toBe(401)
    const [row] = await auditRows(`action = 'auth.refused' AND path = '/api/v1/brands' AND reason LIKE '%hpk_nota%'`)
    expect(row).toMatchObject({
      key_id: null,
      brands: [],
      status_code: 401,
      request_body: null,
      client_address: expect.stringMatching(/127\.0\.0\.1$/),
      reason: "unknown or revoked API key hpk_nota…",
    })
  })

  it("refused unauthenticated attempts are recorded at most 10 a minute per address; the rest are counted", async () => {
    const before = (await auditRows("action = 'auth.refused'")).length
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call("DELETE", "/api/v1/brands/00000000-0000-4000-8000-000000000000", { key: null }),
      ),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(401))
    const after = (await auditRows("action = 'auth.refused'")).length
    // the earlier test of this file used one of this minute's ten (the window may also roll over)
    expect(after - before).toBeGreaterThanOrEqual(9)
    expect(after - before).toBeLessThanOrEqual(19)
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text()
    const unrecorded = Number(/^hosting_audit_refusals_unrecorded_total (\d+)$/m.exec(metrics)?.[1])
    expect(unrecorded + (after - before)).toBeGreaterThanOrEqual(30)
  })

  it("a body over 1 MiB is refused while it streams in: 413 with the envelope when declared, the connection closed when chunked; nothing changes", async () => {
    const id = await newBrand("big bodies")
    const body = JSON.stringify({ name: "y".repeat(2 * 1024 * 1024) })
    const declared = await call("PUT", `/api/v1/brands/${id}`, { body })
    expect(declared.status).toBe(413)
    expect(declared.json.error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 1048576 } })
    // a chunked body is cut off at the limit: the server stops reading and drops the connection
    const chunked = await call("PUT", `/api/v1/brands/${id}`, { body, chunked: true })
    expect([0, 413]).toContain(chunked.status)
    expect(await brandRow(id)).toEqual({ name: "big bodies" })
    // the dropped connection reaches the client before the server has recorded the attempt
    const attempts = async () =>
      (await auditRows(`resource_id = '${id}' AND action = 'brands.update'`)).map((r) => [
        r.status_code,
        r.request_body,
      ])
    await expect.poll(attempts, { timeout: 5_000 }).toEqual([
      [413, null],
      [413, null],
    ])
  })

  it("a certificate upload has its own limit: two 64 KiB PEMs, escaped, and their framing", async () => {
    const res = await call("POST", "/api/v1/fqdns/00000000-0000-4000-8000-000000000000/certificates", {
      body: JSON.stringify({ certificate_pem: "\n".repeat(140_000), private_key_pem: "k" }),
    })
    expect(res.status).toBe(413)
    expect(res.json.error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 4 * 65536 + 4096 } })
  })

  it("a body that is not JSON is kept as its size and digest, never its text (a private key stays out)", async () => {
    const ca = makeTestCa("Audit CA")
    const leaf = ca.leaf(["audit.example.test"])
    ca.cleanup()
    const text = `certificate_pem=${leaf.certificatePem}&private_key_pem=${leaf.keyPem}`
    const res = await call("POST", "/api/v1/fqdns/00000000-0000-4000-8000-000000000000/certificates", { body: text })
    expect(res.status).toBe(400)
    const [row] = await auditRows("action = 'certificates.upload' AND status_code = 400")
    expect(row.request_body).toEqual({
      unparsed: {
        bytes: Buffer.byteLength(text),
        sha256: createHash("sha256").update(text).digest("hex"),
      },
    })
    expect(JSON.stringify(row)).not.toContain("PRIVATE KEY")
  })

  it("a PEM block or an API key in any field is redacted from the audit copy", async () => {
    const pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB0=\n-----END EC PRIVATE KEY-----"
    const res = await call("POST", "/api/v1/brands", {
      body: JSON.stringify({ name: "redact me", zz_note: `${pem}\n and hpk_${"A".repeat(40)}` }),
    })
    expect(res.status).toBe(400)
    const [row] = await auditRows("action = 'brands.create' AND status_code = 400 AND request_body ? 'zz_note'")
    expect(row.request_body).toEqual({ name: "redact me", zz_note: "[REDACTED PEM]\n and [REDACTED KEY]" })
  })
})

describe("every refusal carries the envelope", () => {
  it("a NUL in search, q or resource_id is a 400, not a 500", async () => {
    for (const path of ["/api/v1/brands?search=a%00b", "/api/v1/search?q=%00", "/api/v1/audit-logs?resource_id=x%00"]) {
      const res = await call("GET", path)
      expect(res.status, path).toBe(400)
      expect(res.json.error, path).toEqual({ code: "invalid_request", message: "the URL contains a NUL character" })
    }
  })

  it("JSON nested 10,000 deep is a 400 naming the limit", async () => {
    const res = await call("POST", "/api/v1/brands", { body: `${"[".repeat(10_000)}${"]".repeat(10_000)}` })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({
      code: "invalid_request",
      message: "the JSON body is nested deeper than 64 levels",
    })
  })

  it("Node's own refusals (NUL or CR in a header, headers over 16 KiB) have the envelope", async () => {
    const nul = await raw(`GET /api/v1/brands HTTP/1.1\r\nHost: x\r\nX-Api-Key: a\u0000b\r\n\r\n`)
    expect(nul.status).toBe(400)
    expect(nul.body.error.code).toBe("invalid_request")
    const cr = await raw(`GET /api/v1/brands HTTP/1.1\r\nHost: x\r\nX-Note: a\rb\r\n\r\n`)
    expect(cr.status).toBe(400)
    expect(cr.body.error.code).toBe("invalid_request")
    const big = await raw(`GET /api/v1/brands HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`)
    expect(big).toEqual({
      status: 431,
      body: { error: { code: "headers_too_large", message: "the request headers exceed 16 KiB" } },
    })
  })

  it("a 500 has the envelope and a request id that the API's log names with the cause", async () => {
    await sql.query("ALTER TABLE brands RENAME TO brands_away")
    let res: Answer
    try {
      res = await call("GET", "/api/v1/brands")
    } finally {
      await sql.query("ALTER TABLE brands_away RENAME TO brands")
    }
    expect(res.status).toBe(500)
    const requestId = res.headers["x-request-id"] as string
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.json).toEqual({
      error: { code: "internal", message: `internal error (request ${requestId})`, details: { request_id: requestId } },
    })
    const log = () => readFileSync(join(stack.logDir, "api.log"), "utf8")
    await expect.poll(log, { timeout: 5_000 }).toContain(`answered 500 (request ${requestId})`)
    expect(log()).toContain('relation "brands" does not exist')
  })

  it("every answer has an X-Request-Id, errors encoded by the contract too", async () => {
    const res = await call("GET", "/api/v1/brands/00000000-0000-4000-8000-000000000000")
    expect(res.status).toBe(404)
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe("failed keys and /metrics, with their limits set", () => {
  let limited: Stack
  let limitedDb: TestDatabase
  beforeAll(async () => {
    limitedDb = await postgresDatabase(inject("postgresAdminUrl"), "hp_limits")
    limited = await startStack({
      databaseUrl: limitedDb.url,
      temporalAddress: inject("temporalAddress"),
      env: {
        HOSTING_AUTH_FAILURES_PER_MINUTE: "5",
        HOSTING_METRICS_ALLOW: "192.0.2.0/24",
        HOSTING_METRICS_TOKEN: "metrics-secret-token",
      },
    })
  })
  afterAll(async () => {
    await limited?.stop()
    await limitedDb?.stop()
  })

  it("after 5 failed keys from one address it answers 429 with the envelope and when to retry", async () => {
    const bad = () => call("GET", "/api/v1/brands", { key: "hpk_wrong" }, limited.baseUrl)
    const statuses: Array<number> = []
    for (let i = 0; i < 5; i++) statuses.push((await bad()).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401])
    const blocked = await bad()
    expect(blocked.status).toBe(429)
    expect(blocked.json.error).toMatchObject({
      code: "too_many_requests",
      details: { retry_after_seconds: expect.any(Number) },
    })
    expect(blocked.json.error.details.retry_after_seconds).toBeGreaterThanOrEqual(1)
    expect(blocked.json.error.details.retry_after_seconds).toBeLessThanOrEqual(60)
  })

  it("/metrics answers only the allowed networks or the token's holder", async () => {
    const plain = await fetch(`${limited.baseUrl}/metrics`)
    expect(plain.status).toBe(403)
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe("forbidden")
    const wrong = await fetch(`${limited.baseUrl}/metrics`, { headers: { authorization: "Bearer nope" } })
    expect(wrong.status).toBe(403)
    const withToken = await fetch(`${limited.baseUrl}/metrics`, {
      headers: { authorization: "Bearer metrics-secret-token" },
    })
    expect(withToken.status).toBe(200)
    expect(await withToken.text()).toContain("# TYPE hosting_http_requests_total counter")
  })

  it("within the window the address waits even with a valid key, as a lockout must (the SDK sees TooManyRequests)", async () => {
    // the failures above came from 127.0.0.1: a valid key proves nothing about the other requests
    const admin = createClient({ baseUrl: limited.baseUrl, apiKey: limited.apiKey })
    await expect(admin.brands.list({ urlParams: {} })).rejects.toMatchObject({ _tag: "TooManyRequests" })
  })
})
