import { spawn } from "node:child_process"
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { rm, stat } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { join } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { createGunzip, createGzip } from "node:zlib"
import type { DatabaseDump } from "@hosting/core/node"
import { Schema } from "effect"
import type { DatabaseNodeConfig } from "./config.js"
import { databasePaths } from "./daemon.js"

/** A dump offer as it arrives from another node: checked before anything is downloaded. */
export const DatabaseDumpOffer = Schema.Struct({
  database: Schema.String.pipe(Schema.pattern(/^db_[a-z0-9]{10}$/)),
  url: Schema.String.pipe(Schema.pattern(/^http:\/\/[0-9a-fA-F.:[\]]+:[0-9]{1,5}\/database-dump\/[0-9a-f-]{36}$/)),
  token: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  bytes: Schema.Int.pipe(Schema.nonNegative()),
})

interface Offer {
  readonly file: string
  readonly token: string
  readonly expires: number
}

// Runs a program whose stdout (or stdin) is one end of a stream pipeline; rejects with its stderr.
export const child = (command: string, args: ReadonlyArray<string>, stdin: "pipe" | "ignore") => {
  const proc = spawn(command, [...args], { stdio: [stdin, "pipe", "pipe"] })
  let stderr = ""
  proc.stderr!.on("data", (d) => {
    if (stderr.length < 4000) stderr += d
  })
  const exited = new Promise<void>((resolve, reject) => {
    proc.on("error", reject)
    proc.on("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code ?? signal}): ${stderr.trim()}`)),
    )
  })
  return { proc, exited }
}

// A program that fails part-way also breaks the pipe into or out of it: its own message (stderr)
// is the one worth reporting, not the EPIPE.
export const both = async (stream: Promise<void>, exited: Promise<void>): Promise<void> => {
  const [s, e] = await Promise.allSettled([stream, exited])
  if (e.status === "rejected") throw e.reason
  if (s.status === "rejected") throw s.reason
}

const sha256File = async (file: string): Promise<string> => {
  const hash = createHash("sha256")
  await pipeline(createReadStream(file), hash)
  return hash.digest("hex")
}

/**
 * Moves a database between nodes for a migration: the source dumps it (one consistent
 * snapshot with --single-transaction, writes go on meanwhile), gzips it and offers the file on
 * its own listener under a random id and token, for an hour; the target downloads it,
 * checks the SHA-256 and loads it into a database of the same name. The dump carries no
 * CREATE DATABASE or USE: it can only land in the database the target names.
 */
export class DatabaseTransfer {
  private readonly offers = new Map<string, Offer>()
  private server: Server | undefined
  private port = 0
  private readonly paths: ReturnType<typeof databasePaths>

  constructor(private readonly config: DatabaseNodeConfig) {
    this.paths = databasePaths(config.root)
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const id = /^\/database-dump\/([0-9a-f-]{36})$/.exec(req.url ?? "")?.[1]
      const offer = id === undefined ? undefined : this.offers.get(id)
      const given = Buffer.from(req.headers.authorization ?? "")
      const wanted = Buffer.from(`Bearer ${offer?.token ?? ""}`)
      if (
        offer === undefined ||
        offer.expires < Date.now() ||
        given.length !== wanted.length ||
        !timingSafeEqual(given, wanted)
      ) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, { "content-type": "application/gzip" })
      createReadStream(offer.file).pipe(res)
    })
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject)
      this.server!.listen(this.config.transfer.port, this.config.transfer.host, resolve)
    })
    this.port = (this.server.address() as { port: number }).port
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server?.close(r) ?? r(undefined))
  }

  /** Dumps one database into a gzip'd file and offers it. */
  async dump(database: string): Promise<DatabaseDump> {
    const { id, file } = await this.newOffer()
    const dump = child(
      this.config.binaries.dump,
      [
        `--defaults-file=${this.paths.adminCnf}`,
        "--single-transaction",
        "--quick",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--skip-comments",
        // the name is checked by the role (db_ and 10 of [a-z0-9]); `--` ends the options anyway
        "--",
        database,
      ],
      "ignore",
    )
    try {
      await both(pipeline(dump.proc.stdout!, createGzip(), createWriteStream(file, { mode: 0o600 })), dump.exited)
    } catch (e) {
      await rm(file, { force: true })
      throw e
    }
    return { database, ...(await this.offer(id, file)) }
  }

  /** A new offer's id and the file it will be written to (expired offers' files are removed first). */
  async newOffer(): Promise<{ id: string; file: string }> {
    for (const [id, o] of this.offers)
      if (o.expires < Date.now()) {
        this.offers.delete(id)
        await rm(o.file, { force: true })
      }
    const id = randomUUID()
    return { id, file: join(this.paths.transfer, `${id}.sql.gz`) }
  }

  /** Offers a written file for an hour under its id and a new token. */
  async offer(id: string, file: string): Promise<{ url: string; token: string; sha256: string; bytes: number }> {
    const token = randomBytes(32).toString("hex")
    this.offers.set(id, { file, token, expires: Date.now() + 3600_000 })
    const host = this.config.transfer.host.includes(":") ? `[${this.config.transfer.host}]` : this.config.transfer.host
    return {
      url: `http://${host}:${this.port}/database-dump/${id}`,
      token,
      sha256: await sha256File(file),
      bytes: (await stat(file)).size,
    }
  }

  /** Downloads another node's offer into a root-only file and checks its SHA-256; the caller removes it. */
  async download(offer: { readonly url: string; readonly token: string; readonly sha256: string }): Promise<string> {
    const file = join(this.paths.transfer, `in-${randomUUID()}.sql.gz`)
    try {
      const res = await fetch(offer.url, {
        headers: { authorization: `Bearer ${offer.token}` },
        signal: AbortSignal.timeout(30 * 60_000),
      })
      if (!res.ok || res.body === null) throw new Error(`download of the database dump: HTTP ${res.status}`)
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file, { mode: 0o600 }))
      const sum = await sha256File(file)
      if (sum !== offer.sha256) throw new Error(`database dump checksum mismatch (${sum} ≠ ${offer.sha256})`)
      return file
    } catch (e) {
      await rm(file, { force: true })
      throw e
    }
  }

  /** Downloads a dump, checks it and loads it into `database` (which must exist). */
  async load(dump: DatabaseDump, database: string): Promise<void> {
    const file = await this.download(dump)
    try {
      // --one-database: statements for any other database than this one are skipped
      const load = child(
        this.config.binaries.client,
        [`--defaults-file=${this.paths.adminCnf}`, "--one-database", "--", database],
        "pipe",
      )
      await both(pipeline(createReadStream(file), createGunzip(), load.proc.stdin!), load.exited)
    } finally {
      await rm(file, { force: true })
    }
  }
}
