// The database every control-plane suite runs against: a fresh database on the real PostgreSQL
// server. (PGlite was a second kind until its socket server proved unsafe for more than one
// connection: electric-sql/pglite#1046.)
import { createTestDatabase } from "./postgres.js"

export interface TestDatabase {
  readonly url: string
  stop(): Promise<void>
}

export const postgresDatabase = async (adminUrl: string, prefix: string): Promise<TestDatabase> => {
  const db = await createTestDatabase(adminUrl, prefix)
  return { url: db.url, stop: db.drop }
}

/** The kinds of database the suites run on, for `describe.each`. */
export const DATABASES = [
  ["PostgreSQL", (adminUrl: string, prefix: string) => postgresDatabase(adminUrl, prefix)],
] as const
