import { spawn } from "node:child_process"
import { createReadStream, createWriteStream } from "node:fs"
import { rm } from "node:fs/promises"
import { pipeline } from "node:stream/promises"
import { createGunzip, createGzip } from "node:zlib"
import type { DatabaseDump } from "@hosting/core/node"
import { Schema } from "effect"
import { FileOffers } from "../transfer.js"
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

/**
 * Moves a database between nodes for a migration: the source dumps it (one consistent
 * snapshot with --single-transaction, writes go on meanwhile), gzips it and offers the file on
 * its own listener under a random id and token, for an hour; the target downloads it,
 * checks the SHA-256 and loads it into a database of the same name. The dump carries no
 * CREATE DATABASE or USE: it can only land in the database the target names.
 */
export class DatabaseTransfer extends FileOffers {
  private readonly paths: ReturnType<typeof databasePaths>

  constructor(private readonly config: DatabaseNodeConfig) {
    super(databasePaths(config.root).transfer, config.transfer.host, config.transfer.port, {
      route: "database-dump",
      suffix: ".sql.gz",
      what: "database dump",
    })
    this.paths = databasePaths(config.root)
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
