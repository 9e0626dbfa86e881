import { mkdir, rm } from "node:fs/promises"
import type { TenantArchive } from "@hosting/core/node"
import { FileOffers } from "../transfer.js"
import { run } from "./exec.js"

/**
 * Moves a tenant's files between nodes for a migration: the source packs them and offers the
 * archive on its transfer listener under a random id and token; the target downloads, checks the
 * SHA-256 and unpacks. Archives expire after an hour.
 */
export class TenantTransfer extends FileOffers {
  constructor(dir: string, host: string, wantedPort: number) {
    super(dir, host, wantedPort, { route: "transfer", suffix: ".tar.gz", what: "tenant archive" })
  }

  override async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await super.start()
  }

  /** Packs `dir` (a tenant's webroots) and offers it. */
  async export(sourceDir: string): Promise<TenantArchive> {
    const { id, file } = await this.newOffer()
    await run("tar", ["-C", sourceDir, "-czf", file, "."], { timeoutMs: 30 * 60_000 })
    return this.offer(id, file)
  }

  /** Downloads an archive, checks it and unpacks it into `targetDir`, owned by `owner`. */
  async import(archive: TenantArchive, targetDir: string, owner: string): Promise<void> {
    const file = await this.download(archive)
    try {
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
