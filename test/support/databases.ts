// The two databases every control-plane suite runs against: a fresh database on the real
// PostgreSQL server, and embedded PGlite served over its socket (as `npm run dev` uses it).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, startEmbeddedPostgres } from "@hosting/api/dev"
import { createTestDatabase } from "./postgres.js"

export interface TestDatabase {
  readonly url: string
  stop(): Promise<void>
}

export const postgresDatabase = async (adminUrl: string, prefix: string): Promise<TestDatabase> => {
  const db = await createTestDatabase(adminUrl, prefix)
  return { url: db.url, stop: db.drop }
}

export const pgliteDatabase = async (): Promise<TestDatabase> => {
  const dir = mkdtempSync(join(tmpdir(), "hosting-pglite-"))
  // the API and the worker each keep a pool of up to 4 connections
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), maxConnections: 16 })
  return {
    url: pg.url,
    stop: async () => {
      await pg.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Both kinds, for `describe.each`. */
export const DATABASES = [
  ["PostgreSQL", (adminUrl: string, prefix: string) => postgresDatabase(adminUrl, prefix)],
  ["PGlite", () => pgliteDatabase()],
] as const
