import { Context, Data, Effect } from "effect"
import type { DatabaseChangeReport, DatabaseServerInfo } from "../families/databases/activities.js"
import { type DatabaseName, type DatabaseSpec, databaseOfUser } from "../families/databases/domain.js"
import {
  changeStatement,
  type DatabaseChange,
  type ObservedGrant,
  type ObservedState,
  type ObservedUser,
  planDatabases,
  reportChange,
  SCHEMA_PRIVILEGES,
} from "../families/databases/plan.js"

/** A statement failed: the server's error number and message, or none when it could not be reached. */
export class SqlFailure extends Data.TaggedError("SqlFailure")<{
  readonly message: string
  /** The server's error number (1045, 1064, ...); absent when the connection itself failed. */
  readonly errno?: number
}> {}

/** A value a statement's `?` placeholder takes. */
export type SqlValue = string | number | null

/**
 * Narrow port to one MariaDB server, connected as the platform's admin account. Values always
 * travel as parameters; the only text the manager builds is identifiers it has checked and quoted.
 * The live implementation (mysql2) is the agent's; tests may use an in-memory server.
 */
export class SqlPort extends Context.Tag("@hosting/SqlPort")<
  SqlPort,
  {
    /** Runs one statement; the rows it answers (none for a statement that returns no rows). */
    readonly query: (
      sql: string,
      params?: ReadonlyArray<SqlValue>,
    ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlFailure>
  }
>() {}

/** The server could not be reached, or failed in a way a retry may cure (a lock wait, a restart). */
export class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{ readonly message: string }> {}

/** The server (or the manager's own check) refused the data; the same request will be refused again. */
export class DatabaseRejected extends Data.TaggedError("DatabaseRejected")<{ readonly message: string }> {}

// Errors of the moment: lock wait timeout, deadlock, too many connections, shutdown in progress,
// connection lost. Every other server error is a refusal of the statement itself.
const TRANSIENT = new Set([1205, 1213, 1040, 1053, 2002, 2003, 2006, 2013])

/** A statement's failure as the manager's error: unavailable (retry) or rejected (do not). */
export const classifySqlFailure = (e: SqlFailure): DatabaseUnavailable | DatabaseRejected =>
  e.errno === undefined || TRANSIENT.has(e.errno)
    ? new DatabaseUnavailable({ message: e.message })
    : new DatabaseRejected({ message: e.message })

/** Which platform databases a plan covers: one database (and its users), or every `db_*` one. */
export type DatabaseScope = DatabaseName | "all"

const like = (scope: DatabaseScope) => ({
  // `_` is a LIKE wildcard: escaped, so the prefix is matched literally
  users: scope === "all" ? "db\\_%" : `${scope.replace(/_/g, "\\_")}\\_%`,
  databases: scope === "all" ? "db\\_%" : scope.replace(/_/g, "\\_"),
})

const PLATFORM_DATABASE = /^db_[a-z0-9]{10}$/

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v))

/** A report of changes. */
const report = (changes: ReadonlyArray<DatabaseChange>): DatabaseChangeReport => ({
  changes: changes.map(reportChange),
})

/**
 * Makes a MariaDB server's platform databases and accounts exactly their specs: reads what the
 * server holds in a scope (one database and its users, or every `db_*` one), plans the changes
 * with the pure planner and runs them, one statement each. Planning right after an ensure finds
 * nothing. Only names of the platform's shape (`db_` + 10, and users under them) are ever read,
 * so nothing else on the server (`mysql`, the admin account, a hand-made schema) is ever dropped.
 */
export class MariaDbManager extends Effect.Service<MariaDbManager>()("@hosting/MariaDbManager", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlPort
    const q = (statement: string, params: ReadonlyArray<SqlValue> = []) =>
      sql.query(statement, params).pipe(Effect.mapError(classifySqlFailure))

    /** What the server holds of the platform's in a scope. */
    const observe = Effect.fn("MariaDbManager.observe")(function* (scope: DatabaseScope) {
      const p = like(scope)
      const dbs = yield* q(
        "SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?",
        [p.databases],
      )
      const accounts = yield* q(
        "SELECT User AS name, Host AS host, JSON_VALUE(Priv, '$.plugin') AS plugin, JSON_VALUE(Priv, '$.authentication_string') AS hash, JSON_VALUE(Priv, '$.account_locked') AS locked, JSON_VALUE(Priv, '$.access') AS access FROM mysql.global_priv WHERE User LIKE ?",
        [p.users],
      )
      const schemaGrants = yield* q(
        `SELECT User AS name, Host AS host, Db AS pattern, Grant_priv, ${SCHEMA_PRIVILEGES.map((c) => `${c}_priv`).join(", ")} FROM mysql.db WHERE User LIKE ?`,
        [p.users],
      )
      // privileges on tables, columns, routines, proxies or roles: an account holding any is re-created
      const others = yield* q(
        ["tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping"]
          .map((t) => `SELECT User AS name, Host AS host FROM mysql.${t} WHERE User LIKE ?`)
          .join(" UNION "),
        Array(5).fill(p.users),
      )
      const owned = (name: string) => databaseOfUser(name) !== undefined
      const key = (r: Record<string, unknown>) => `${str(r.name)}@${str(r.host)}`
      const other = new Set(others.map(key))
      const users = accounts
        .filter((r) => owned(str(r.name)))
        .map((r): ObservedUser => {
          const grants = schemaGrants
            .filter((g) => key(g) === key(r))
            .map(
              (g): ObservedGrant => ({
                pattern: str(g.pattern),
                privileges: SCHEMA_PRIVILEGES.filter((c) => g[`${c}_priv`] === "Y"),
                grantOption: g.Grant_priv === "Y",
              }),
            )
          return {
            name: str(r.name),
            host: str(r.host),
            plugin: str(r.plugin),
            passwordHash: str(r.hash),
            // JSON_VALUE answers a JSON boolean as 1/0; no key at all until an account was first locked
            locked: str(r.locked) === "1" || str(r.locked) === "true",
            otherGrants: Number(str(r.access) || "0") !== 0 || other.has(key(r)),
            grants,
          }
        })
      return {
        databases: dbs
          .filter((r) => PLATFORM_DATABASE.test(str(r.name)))
          .map((r) => ({ name: str(r.name), charset: str(r.charset), collation: str(r.collation) })),
        users,
      } satisfies ObservedState
    })

    const COLLATIONS =
      "SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, IS_DEFAULT AS is_default FROM information_schema.COLLATIONS ORDER BY CHARACTER_SET_NAME, COLLATION_NAME"
    let collations: ReadonlyArray<readonly [string, string]> | undefined
    /** The server's (charset, collation) pairs; read once, they change only with the server binary. */
    const serverCollations = Effect.suspend(() =>
      collations !== undefined
        ? Effect.succeed(collations)
        : q(COLLATIONS).pipe(
            Effect.map((rows) => rows.map((r) => [str(r.charset), str(r.collation)] as const)),
            Effect.tap((pairs) => {
              collations = pairs
            }),
          ),
    )

    /** Refuses a spec whose charset or collation this server does not have, naming the value. */
    const checkCharsets = (desired: ReadonlyArray<DatabaseSpec>) =>
      Effect.gen(function* () {
        if (desired.length === 0) return
        const pairs = yield* serverCollations
        for (const d of desired) {
          if (!pairs.some(([cs]) => cs === d.charset))
            return yield* new DatabaseRejected({
              message: `${d.name}: character set ${d.charset} is not supported by this server`,
            })
          if (!pairs.some(([cs, co]) => cs === d.charset && co === d.collation))
            return yield* new DatabaseRejected({
              message: `${d.name}: collation ${d.collation} is not a collation of ${d.charset} on this server`,
            })
        }
      })

    /** What ensure would change in the scope, without changing it. */
    const plan = Effect.fn("MariaDbManager.plan")(function* (
      desired: ReadonlyArray<DatabaseSpec>,
      scope: DatabaseScope,
    ) {
      yield* checkCharsets(desired)
      return report(planDatabases(desired, yield* observe(scope)))
    })

    /** Makes the scope exactly `desired` (every spec must lie in the scope). */
    const ensure = Effect.fn("MariaDbManager.ensure")(function* (
      desired: ReadonlyArray<DatabaseSpec>,
      scope: DatabaseScope,
    ) {
      if (scope !== "all" && desired.some((d) => d.name !== scope))
        return yield* Effect.dieMessage("MariaDbManager.ensure: a spec outside its scope")
      yield* checkCharsets(desired)
      const changes = planDatabases(desired, yield* observe(scope))
      for (const c of changes) yield* q(changeStatement(c))
      return report(changes)
    })

    /** The server's version and the charsets (with their collations) a database may use. */
    const describe = Effect.fn("MariaDbManager.describe")(function* () {
      const [v] = yield* q("SELECT VERSION() AS version")
      const rows = yield* q(COLLATIONS)
      const charsets = new Map<string, { default_collation: string; collations: Array<string> }>()
      for (const r of rows) {
        const cs = charsets.get(str(r.charset)) ?? { default_collation: "", collations: [] }
        cs.collations.push(str(r.collation))
        if (str(r.is_default) === "Yes") cs.default_collation = str(r.collation)
        charsets.set(str(r.charset), cs)
      }
      return {
        version: str(v?.version),
        charsets: [...charsets].map(([name, c]) => ({ name, ...c })),
      } satisfies DatabaseServerInfo
    })

    return { observe, plan, ensure, describe } as const
  }),
}) {}
