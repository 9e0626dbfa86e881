import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, rm, stat } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { join } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { TenantArchive } from "@hosting/core/node"
import { run } from "./exec.js"

const sha256File = async (file: string): Promise<string> => {
  const hash = createHash("sha256")
  await pipeline(createReadStream(file), hash)
  return hash.digest("hex")
}

interface Offer {
  readonly file: string
  readonly token: string
  readonly expires: number
}

/**
 * Moves a tenant's files between nodes for a migration: the source packs them and offers the
 * archive on its transfer listener under a random id and token; the target downloads, checks the
 * SHA-256 and unpacks. Archives expire after an hour.
 */
export class TenantTransfer {
  private readonly offers = new Map<string, Offer>()
  private server: Server | undefined
  private port = 0

  constructor(
    private readonly dir: string,
    private readonly host: string,
    private readonly wantedPort: number,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    this.server = createServer((req, res) => {
      const id = /^\/transfer\/([0-9a-f-]{36})$/.exec(req.url ?? "")?.[1]
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
      this.server!.listen(this.wantedPort, this.host, resolve)
    })
    this.port = (this.server.address() as { port: number }).port
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server?.close(r) ?? r(undefined))
  }

  /** Packs `dir` (a tenant's webroots) and offers it. */
  async export(sourceDir: string): Promise<TenantArchive> {
    for (const [id, o] of this.offers)
      if (o.expires < Date.now()) {
        this.offers.delete(id)
        await rm(o.file, { force: true })
      }
    const id = randomUUID()
    const file = join(this.dir, `${id}.tar.gz`)
    await run("tar", ["-C", sourceDir, "-czf", file, "."], { timeoutMs: 30 * 60_000 })
    const token = randomBytes(32).toString("hex")
    this.offers.set(id, { file, token, expires: Date.now() + 3600_000 })
    const host = this.host.includes(":") ? `[${this.host}]` : this.host
    return {
      url: `http://${host}:${this.port}/transfer/${id}`,
      token,
      sha256: await sha256File(file),
      bytes: (await stat(file)).size,
    }
  }

  /** Downloads an archive, checks it and unpacks it into `targetDir`, owned by `owner`. */
  async import(archive: TenantArchive, targetDir: string, owner: string): Promise<void> {
    const file = join(this.dir, `in-${randomUUID()}.tar.gz`)
    try {
      const res = await fetch(archive.url, {
        headers: { authorization: `Bearer ${archive.token}` },
        signal: AbortSignal.timeout(30 * 60_000),
      })
      if (!res.ok || res.body === null) throw new Error(`download of the tenant archive: HTTP ${res.status}`)
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file, { mode: 0o600 }))
      const sum = await sha256File(file)
      if (sum !== archive.sha256) throw new Error(`tenant archive checksum mismatch (${sum} ≠ ${archive.sha256})`)
      // GNU tar refuses members with `..`; ownership is set to the tenant here, never taken from the archive
      await run("tar", ["-C", targetDir, "-xzf", file, "--no-same-owner", "--no-overwrite-dir"], {
        timeoutMs: 30 * 60_000,
      })
      await run("chown", ["-R", `${owner}:${owner}`, targetDir])
    } finally {
      await rm(file, { force: true })
    }
  }
}
