import { MariaDbManager, MariaDbReplication, SqlFailure, SqlPort } from "@hosting/core/node"
import { Effect, Layer } from "effect"
import { createPool, type Pool } from "mysql2/promise"
import type { DatabaseNodeConfig } from "./config.js"
import { ADMIN_USER, adminPassword, databasePaths } from "./daemon.js"

interface MysqlError {
  readonly message: string
  readonly errno?: number
  readonly sqlState?: string
  readonly fatal?: boolean
}

// A server error carries an SQLSTATE; a failed or lost connection does not (or is fatal), and
// gets no errno, so the manager treats it as "unavailable" and the activity is retried.
const failure = (e: unknown): SqlFailure => {
  const err = e as MysqlError
  return err.sqlState !== undefined && err.fatal !== true && typeof err.errno === "number"
    ? new SqlFailure({ message: err.message, errno: err.errno })
    : new SqlFailure({ message: `MariaDB could not be reached: ${err.message}` })
}

/**
 * The SqlPort over mysql2: a small pool on the node's socket, logged in as the platform's admin
 * account. Statements with parameters are server-side prepared (values never become SQL text);
 * the pool is made at the first statement (the role's start creates the admin's password) and
 * made again after a refused login (the password was re-generated).
 */
export const mysqlSqlPort = (config: DatabaseNodeConfig): Layer.Layer<SqlPort> =>
  Layer.scoped(
    SqlPort,
    Effect.gen(function* () {
      let pool: Promise<Pool> | undefined
      const connect = () => {
        pool ??= adminPassword(config.root).then((password) =>
          createPool({
            socketPath: databasePaths(config.root).socket,
            user: ADMIN_USER,
            password,
            connectionLimit: 4,
            // one statement per call, whatever a string holds
            multipleStatements: false,
            dateStrings: true,
            supportBigNumbers: true,
            bigNumberStrings: true,
          }),
        )
        pool.catch(() => {
          pool = undefined
        })
        return pool
      }
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          const p = pool
          pool = undefined
          if (p !== undefined) await (await p.catch(() => undefined))?.end()
        }),
      )
      return SqlPort.of({
        query: (sql, params = []) =>
          Effect.tryPromise({
            try: async () => {
              const p = await connect()
              const [rows] = params.length > 0 ? await p.execute(sql, [...params]) : await p.query(sql)
              return Array.isArray(rows) ? (rows as ReadonlyArray<Record<string, unknown>>) : []
            },
            catch: (e) => {
              // a refused login: the password may have been re-generated since the pool was made
              if ((e as MysqlError).errno === 1045) {
                const p = pool
                pool = undefined
                void p?.then((x) => x.end()).catch(() => {})
              }
              return failure(e)
            },
          }),
      })
    }),
  )

/** The managers a database node drives: core's MariaDbManager and MariaDbReplication over this node's MariaDB. */
export type DatabaseManagers = MariaDbManager | MariaDbReplication

/** Core's MariaDbManager and MariaDbReplication over this node's MariaDB (one pool for both). */
export const databaseManagersLayer = (config: DatabaseNodeConfig): Layer.Layer<DatabaseManagers> =>
  Layer.mergeAll(MariaDbManager.Default, MariaDbReplication.Default).pipe(Layer.provide(mysqlSqlPort(config)))
