import { createReadStream, createWriteStream } from "node:fs"
import { rm } from "node:fs/promises"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { createGunzip, createGzip } from "node:zlib"
import type { DatabaseReplicaSeed } from "@hosting/core/node"
import { GtidPosition } from "@hosting/core/node"
import { Schema } from "effect"
import type { DatabaseNodeConfig } from "./config.js"
import { databasePaths } from "./daemon.js"
import { both, child, type DatabaseTransfer } from "./transfer.js"

// A replica's seed: the primary's platform databases in one consistent dump, with the GTID
// position that snapshot corresponds to, and the platform's accounts after them. It travels as a
// migration's dump does (offered on the transfer listener by token, checked by SHA-256).

/** A seed offer as it arrives from the control plane: checked before anything is downloaded. */
export const DatabaseReplicaSeedOffer = Schema.Struct({
  url: Schema.String.pipe(Schema.pattern(/^http:\/\/[0-9a-fA-F.:[\]]+:[0-9]{1,5}\/database-dump\/[0-9a-f-]{36}$/)),
  token: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  bytes: Schema.Int.pipe(Schema.nonNegative()),
  gtid_position: GtidPosition,
  databases: Schema.Array(Schema.String.pipe(Schema.pattern(/^db_[a-z0-9]{10}$/))).pipe(Schema.maxItems(10_000)),
})

// mariadb-dump --gtid --master-data=2 writes the position near the top, as a comment
const POSITION = /^(?:-- )?SET GLOBAL gtid_slave_pos='([0-9,-]*)';$/m

/** Passes a stream through, remembering the GTID position it announces in its first 64 KiB. */
const positionSpy = () => {
  let head = ""
  let position: string | undefined
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (position === undefined && head.length < 65_536) {
        head += chunk.toString("utf8")
        position = POSITION.exec(head)?.[1]
      }
      done(null, chunk)
    },
  })
  return { stream, position: () => position }
}

/**
 * Writes this node's seed and offers it. Runs in the node's queue, so no account changes while the
 * accounts are read and the dump taken; applications' writes go on (one --single-transaction
 * snapshot; its GTID position is the binlog's at that snapshot). With no platform database the
 * position is the binlog's own (nothing else the seed carries can change meanwhile).
 */
export const offerReplicaSeed = async (
  config: DatabaseNodeConfig,
  transfer: DatabaseTransfer,
  databases: ReadonlyArray<string>,
  accounts: ReadonlyArray<string>,
  binlogPosition: () => Promise<string>,
): Promise<DatabaseReplicaSeed> => {
  const paths = databasePaths(config.root)
  const { id, file } = await transfer.newOffer()
  const accountsSql = `${accounts.map((a) => `${a};`).join("\n")}\n`
  let position: string | undefined
  try {
    if (databases.length === 0) {
      position = await binlogPosition()
      await pipeline(
        (async function* () {
          yield accountsSql
        })(),
        createGzip(),
        createWriteStream(file, { mode: 0o600 }),
      )
    } else {
      const dump = child(
        config.binaries.dump,
        [
          `--defaults-file=${paths.adminCnf}`,
          "--single-transaction",
          "--gtid",
          "--master-data=2",
          "--quick",
          "--routines",
          "--triggers",
          "--events",
          "--hex-blob",
          "--databases",
          // names checked by the manager (db_ and 10 of [a-z0-9])
          ...databases,
        ],
        "ignore",
      )
      const spy = positionSpy()
      const withAccounts = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) yield chunk
        yield Buffer.from(accountsSql)
      }
      await both(
        pipeline(dump.proc.stdout!, spy.stream, withAccounts, createGzip(), createWriteStream(file, { mode: 0o600 })),
        dump.exited,
      )
      position = spy.position()
      if (position === undefined) throw new Error("mariadb-dump did not write the GTID position (is the binlog on?)")
    }
  } catch (e) {
    await rm(file, { force: true })
    throw e
  }
  return { ...(await transfer.offer(id, file)), gtid_position: position, databases: [...databases] }
}

/** Loads a downloaded seed (its own CREATE DATABASE and USE, then the accounts) into this server. */
export const loadReplicaSeed = async (config: DatabaseNodeConfig, file: string): Promise<void> => {
  const paths = databasePaths(config.root)
  const load = child(
    config.binaries.client,
    // the copy is the source's history, not this server's: nothing of it goes into its binlog
    [`--defaults-file=${paths.adminCnf}`, "--init-command=SET SESSION sql_log_bin=0"],
    "pipe",
  )
  await both(pipeline(createReadStream(file), createGunzip(), load.proc.stdin!), load.exited)
}
