import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { rm, stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { join } from "node:path"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"

export const sha256File = async (file: string): Promise<string> => {
  const hash = createHash("sha256")
  await pipeline(createReadStream(file), hash)
  return hash.digest("hex")
}

/** A pass-through stage that hashes what flows by: a file is hashed as it is written, not read again after. */
export const sha256Tap = () => {
  const hash = createHash("sha256")
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(null, chunk)
    },
  })
  return { stream, digest: () => hash.digest("hex") }
}

interface Offer {
  readonly file: string
  readonly token: string
  readonly expires: number
}

/** What a node moves to another: under which URL path, with which file suffix, named how in errors. */
export interface OfferKind {
  /** The URL path's first segment: offers are served at `/<route>/<id>`. */
  readonly route: string
  /** The files' suffix, e.g. `.tar.gz`. */
  readonly suffix: string
  /** Its name in error messages, e.g. "tenant archive". */
  readonly what: string
}

/**
 * Files one node offers another for a migration: each written under `dir`, served gzip'd on the
 * node's transfer listener under a random id and a token for an hour; the other node downloads
 * it and checks its SHA-256 before using it.
 */
export class FileOffers {
  private readonly offers = new Map<string, Offer>()
  private server: Server | undefined
  private port = 0

  constructor(
    protected readonly dir: string,
    private readonly host: string,
    private readonly wantedPort: number,
    private readonly kind: OfferKind,
  ) {}

  async start(): Promise<void> {
    const route = new RegExp(`^/${this.kind.route}/([0-9a-f-]{36})$`)
    this.server = createServer((req, res) => {
      if (this.serveOther(req, res)) return
      const id = route.exec(req.url ?? "")?.[1]
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

  /** The port the listener took (the configured one, or the one the system gave). */
  protected listeningPort(): number {
    return this.port
  }

  /** Answers a request for something other than a file offer, if it is one (true when answered). */
  protected serveOther(_req: IncomingMessage, _res: ServerResponse): boolean {
    return false
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server?.close(r) ?? r(undefined))
  }

  /** A new offer's id and the file it will be written to (expired offers' files are removed first). */
  async newOffer(): Promise<{ id: string; file: string }> {
    for (const [id, o] of this.offers)
      if (o.expires < Date.now()) {
        this.offers.delete(id)
        await rm(o.file, { force: true })
      }
    const id = randomUUID()
    return { id, file: join(this.dir, `${id}${this.kind.suffix}`) }
  }

  /** Offers a written file for an hour under its id and a new token. */
  async offer(id: string, file: string): Promise<{ url: string; token: string; sha256: string; bytes: number }> {
    const token = randomBytes(32).toString("hex")
    this.offers.set(id, { file, token, expires: Date.now() + 3600_000 })
    const host = this.host.includes(":") ? `[${this.host}]` : this.host
    return {
      url: `http://${host}:${this.port}/${this.kind.route}/${id}`,
      token,
      sha256: await sha256File(file),
      bytes: (await stat(file)).size,
    }
  }

  /** Downloads another node's offer into a root-only file and checks its SHA-256; the caller removes it. */
  async download(offer: { readonly url: string; readonly token: string; readonly sha256: string }): Promise<string> {
    const file = join(this.dir, `in-${randomUUID()}${this.kind.suffix}`)
    try {
      const res = await fetch(offer.url, {
        headers: { authorization: `Bearer ${offer.token}` },
        signal: AbortSignal.timeout(30 * 60_000),
      })
      if (!res.ok || res.body === null) throw new Error(`download of the ${this.kind.what}: HTTP ${res.status}`)
      const tap = sha256Tap()
      await pipeline(Readable.fromWeb(res.body as never), tap.stream, createWriteStream(file, { mode: 0o600 }))
      const sum = tap.digest()
      if (sum !== offer.sha256) throw new Error(`${this.kind.what} checksum mismatch (${sum} ≠ ${offer.sha256})`)
      return file
    } catch (e) {
      await rm(file, { force: true })
      throw e
    }
  }
}
