import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"

/**
 * PGlite served over the PostgreSQL wire protocol, for test suites only: the socket server funnels
 * every connection into one PGlite session and interleaves concurrent extended-protocol queries
 * (electric-sql/pglite#1046), so a platform under concurrent load must not run on it; `npm run
 * dev` runs a private PostgreSQL cluster instead (postgres.ts).
 */
export interface EmbeddedPostgres {
  readonly url: string
  stop(): Promise<void>
}

/**
 * Starts PGlite with its data in `dataDir` and serves it on 127.0.0.1:`port`. PGlite runs one
 * query at a time; `maxConnections` only bounds how many clients may hold a connection, and it
 * must cover the pools of every process of the dev stack.
 */
export const startEmbeddedPostgres = async (options: {
  readonly dataDir: string
  readonly port: number
  readonly maxConnections: number
}): Promise<EmbeddedPostgres> => {
  const db = await PGlite.create({ dataDir: options.dataDir })
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port,
    maxConnections: options.maxConnections,
  })
  await server.start()
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      await server.stop()
      await db.close()
    },
  }
}
