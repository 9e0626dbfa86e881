// Fresh PostgreSQL databases per suite on the shared server (unique names, dropped afterwards).
import pg from "pg"

/** Admin connection URL of the test PostgreSQL server (trust auth on loopback by default). */
export const postgresAdminUrl = (): string =>
  process.env["HOSTING_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

const withAdmin = async <A>(adminUrl: string, f: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

/** Whether the server answers. */
export const postgresReachable = (): Promise<boolean> =>
  withAdmin(postgresAdminUrl(), async (c) => (await c.query("SELECT 1")).rowCount === 1).catch(() => false)

/** Creates an empty database and returns its URL and a function that drops it. */
export const createTestDatabase = async (
  adminUrl: string,
  prefix: string,
): Promise<{ readonly url: string; drop(): Promise<void> }> => {
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_")
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  }
}
