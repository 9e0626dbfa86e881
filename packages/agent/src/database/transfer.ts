import { spawn } from "node:child_process"
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { get, type IncomingMessage, type ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { DatabaseDump } from "@hosting/core/node"
import { Schema } from "effect"
import { FileOffers } from "../transfer.js"
import type { DatabaseNodeConfig } from "./config.js"
import { databasePaths } from "./daemon.js"
import { framed, verified } from "./dump-stream.js"

/** A dump offer as it arrives from another node: checked before anything is requested. */
export const DatabaseDumpOffer = Schema.Struct({
  database: Schema.String.pipe(Schema.pattern(/^db_[a-z0-9]{10}$/)),
  url: Schema.String.pipe(Schema.pattern(/^http:\/\/[0-9a-fA-F.:[\]]+:[0-9]{1,5}\/database-stream\/[0-9a-f-]{36}$/)),
  token: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  key: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
})

// What a failed client said, as a user should read it: the server's own verdict ("ERROR 1153
// (08S01) at line 40: Got a packet bigger than…") comes last, after the client's echo of the
// statement that failed, which can be megabytes of a customer's rows and is left out.
const verdictOf = (stderrTail: string): string => {
  const errors = stderrTail.split("\n").filter((l) => /^ERROR \d+/.test(l))
  return (errors.length > 0 ? errors.join("\n") : stderrTail.slice(-2000)).trim()
}

// Runs a program whose stdout (or stdin) is one end of a stream pipeline; rejects with its stderr.
export const child = (command: string, args: ReadonlyArray<string>, stdin: "pipe" | "ignore") => {
  const proc = spawn(command, [...args], { stdio: [stdin, "pipe", "pipe"] })
  let stderr = ""
  proc.stderr!.setEncoding("utf8")
  proc.stderr!.on("data", (d: string) => {
    stderr = (stderr + d).slice(-8000)
  })
  const exited = new Promise<void>((resolve, reject) => {
    proc.on("error", reject)
    proc.on("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code ?? signal}): ${verdictOf(stderr)}`)),
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

/** A dump offered for streaming: which database, to whom (token), authenticated with what (key). */
interface DumpOffer {
  readonly database: string
  readonly token: string
  readonly key: Buffer
  readonly expires: number
}

const DUMP_ROUTE = /^\/database-stream\/([0-9a-f-]{36})$/

/**
 * Moves a database between nodes for a migration, streamed: the source offers its dump under
 * a random id, token and key for an hour; each request the target makes runs `mariadb-dump
 * --single-transaction` (one consistent snapshot, writes go on meanwhile) and streams its output
 * in authenticated frames (dump-stream.ts), which the target checks one by one and pipes into
 * `mariadb --one-database` as they arrive. So dump, transfer and load overlap, as a hand-made
 * `mariadb-dump | mariadb` does, and no byte runs unchecked: a stream that fails its check is
 * refused, and the migration removes what a refused or broken stream left. The dump carries no
 * CREATE DATABASE or USE: it can only land in the database the target names. (A replica's seed,
 * seed.ts, is still a file offered on the same listener.)
 *
 * Measured on a 200 MiB database (bench/database/migrate.ts): a gzip'd file dumped, then
 * downloaded, then loaded took 1.6× to 2.4× the hand-made pipe; gzip alone cost 4 to 7 s of
 * CPU at any level, and each stage waited for the one before.
 */
export class DatabaseTransfer extends FileOffers {
  private readonly paths: ReturnType<typeof databasePaths>
  private readonly dumps = new Map<string, DumpOffer>()

  constructor(private readonly config: DatabaseNodeConfig) {
    super(databasePaths(config.root).transfer, config.transfer.host, config.transfer.port, {
      route: "database-dump",
      suffix: ".sql.gz",
      what: "database dump",
    })
    this.paths = databasePaths(config.root)
  }

  /** Offers one database's dump for streaming, for an hour. */
  offerDump(database: string): DatabaseDump {
    for (const [id, o] of this.dumps) if (o.expires < Date.now()) this.dumps.delete(id)
    const id = randomUUID()
    const token = randomBytes(32).toString("hex")
    const key = randomBytes(32)
    this.dumps.set(id, { database, token, key, expires: Date.now() + 3600_000 })
    const host = this.config.transfer.host.includes(":") ? `[${this.config.transfer.host}]` : this.config.transfer.host
    return {
      database,
      url: `http://${host}:${this.listeningPort()}/database-stream/${id}`,
      token,
      key: key.toString("hex"),
    }
  }

  protected override serveOther(req: IncomingMessage, res: ServerResponse): boolean {
    const id = DUMP_ROUTE.exec(req.url ?? "")?.[1]
    if (id === undefined) return false
    const offer = this.dumps.get(id)
    const given = Buffer.from(req.headers.authorization ?? "")
    const wanted = Buffer.from(`Bearer ${offer?.token ?? ""}`)
    if (
      offer === undefined ||
      offer.expires < Date.now() ||
      given.length !== wanted.length ||
      !timingSafeEqual(given, wanted)
    ) {
      res.writeHead(404).end()
      return true
    }
    res.writeHead(200, { "content-type": "application/octet-stream" })
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
        offer.database,
      ],
      "ignore",
    )
    // its failure travels to the target as an error frame
    dump.exited.catch(() => undefined)
    pipeline(Readable.from(framed(dump.proc.stdout!, offer.key, dump.exited)), res).catch(() => {
      // the target went away: so does the dump
      dump.proc.kill()
    })
    return true
  }

  /** Streams another node's dump into `database` (which must exist), checking every frame before it is loaded. */
  async load(dump: DatabaseDump, database: string): Promise<void> {
    const res = await request(dump)
    // --one-database: statements for any other database than this one are skipped
    const load = child(
      this.config.binaries.client,
      [`--defaults-file=${this.paths.adminCnf}`, "--one-database", "--", database],
      "pipe",
    )
    const key = Buffer.from(dump.key, "hex")
    const stream = pipeline(res, (source: AsyncIterable<Buffer>) => verified(source, key), load.proc.stdin!).catch(
      (e: NodeJS.ErrnoException) => {
        // a refused or broken stream: nothing more runs, not even the statement its last frame began
        if (e.code !== "EPIPE") load.proc.kill("SIGKILL")
        throw e
      },
    )
    const [s, e] = await Promise.allSettled([stream, load.exited])
    // the client's own error explains a broken pipe into it; anything else is the stream's
    if (s.status === "rejected" && (s.reason as NodeJS.ErrnoException).code !== "EPIPE") throw s.reason
    if (e.status === "rejected") throw e.reason
    if (s.status === "rejected") throw s.reason
  }
}

/** The source's answer to a dump request (404 when the offer is unknown, expired or not this token's). */
const request = (dump: DatabaseDump) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(dump.url, { headers: { authorization: `Bearer ${dump.token}` } }, (res) => {
      if (res.statusCode === 200) resolve(res)
      else {
        res.resume()
        reject(new Error(`download of the database dump: HTTP ${res.statusCode}`))
      }
    })
    // a source that sends nothing for this long is gone (mariadb-dump writes as it reads)
    req.setTimeout(10 * 60_000, () => req.destroy(new Error("the database dump stream stalled")))
    req.on("error", reject)
  })
