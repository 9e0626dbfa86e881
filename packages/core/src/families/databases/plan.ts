import type { DatabaseChangeReport } from "./activities.js"
import type { DatabasePrivileges, DatabaseSpec } from "./domain.js"

// The pure half of a database node: what its MariaDB holds (as read by the manager), what it
// should hold, the changes between them, and each change as one SQL statement. Planning what an
// ensure left behind finds nothing.

/** Every platform account is `'name'@'%'`: with skip-name-resolve it matches TCP and socket logins alike. */
export const ACCOUNT_HOST = "%"

/** The schema-level privilege columns of `mysql.db` (without `Grant_priv`), as MariaDB 10.11 has them. */
export const SCHEMA_PRIVILEGES = [
  "Select",
  "Insert",
  "Update",
  "Delete",
  "Create",
  "Drop",
  "References",
  "Index",
  "Alter",
  "Create_tmp_table",
  "Lock_tables",
  "Create_view",
  "Show_view",
  "Create_routine",
  "Alter_routine",
  "Execute",
  "Event",
  "Trigger",
  "Delete_history",
] as const

/** The privileges each level grants on its own database, as `mysql.db` columns. */
export const PRIVILEGE_COLUMNS: Record<DatabasePrivileges, ReadonlyArray<string>> = {
  all: SCHEMA_PRIVILEGES,
  read_only: ["Select", "Show_view"],
}

/** A platform database as the server holds it. */
export interface ObservedDatabase {
  readonly name: string
  readonly charset: string
  readonly collation: string
}

/** A schema-level grant as `mysql.db` holds it: the database pattern and the `*_priv` columns set. */
export interface ObservedGrant {
  readonly pattern: string
  readonly privileges: ReadonlyArray<string>
  readonly grantOption: boolean
}

/** A platform account as the server holds it. */
export interface ObservedUser {
  readonly name: string
  readonly host: string
  readonly plugin: string
  readonly passwordHash: string
  readonly locked: boolean
  /** Any privilege that is not schema-level: global, table, column, routine or proxy. */
  readonly otherGrants: boolean
  readonly grants: ReadonlyArray<ObservedGrant>
}

/** The platform's part of a server (the `db_*` databases and accounts in some scope). */
export interface ObservedState {
  readonly databases: ReadonlyArray<ObservedDatabase>
  readonly users: ReadonlyArray<ObservedUser>
}

/** One change to a database server. */
export type DatabaseChange =
  | { readonly op: "drop_user"; readonly user: string; readonly host: string }
  | { readonly op: "drop_database"; readonly database: string }
  | { readonly op: "create_database"; readonly database: string; readonly charset: string; readonly collation: string }
  | { readonly op: "alter_database"; readonly database: string; readonly charset: string; readonly collation: string }
  | {
      readonly op: "create_user"
      readonly user: string
      readonly host: string
      readonly passwordHash: string
      readonly locked: boolean
    }
  | { readonly op: "set_password"; readonly user: string; readonly host: string; readonly passwordHash: string }
  | { readonly op: "set_lock"; readonly user: string; readonly host: string; readonly locked: boolean }
  | { readonly op: "revoke_all"; readonly user: string; readonly host: string }
  | {
      readonly op: "grant"
      readonly user: string
      readonly host: string
      readonly database: string
      readonly privileges: DatabasePrivileges
    }

// In GRANT, `_` and `%` in a database name are wildcards: `db_abc` would also let its user create
// `dbXabc`. Grants name the database with both escaped, so they cover exactly that one database.
/** The pattern a grant on exactly this database is stored under in `mysql.db`. */
export const grantPattern = (database: string): string => database.replace(/[_%\\]/g, (c) => `\\${c}`)

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((x) => b.includes(x))

const grantsExactly = (u: ObservedUser, database: string, privileges: DatabasePrivileges) =>
  !u.otherGrants &&
  u.grants.length === 1 &&
  u.grants[0]!.pattern === grantPattern(database) &&
  !u.grants[0]!.grantOption &&
  sameSet(u.grants[0]!.privileges, PRIVILEGE_COLUMNS[privileges])

const byName = <A extends { readonly name: string }>(xs: ReadonlyArray<A>) =>
  [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/**
 * The changes that make `observed` exactly `desired`: every observed database and account that
 * no spec wants is dropped (so `observed` must hold only what the caller owns: the platform's
 * `db_*` names, in its scope), every wanted one created or corrected. Drops come first, so a
 * re-created account never meets its old grants.
 */
export const planDatabases = (
  desired: ReadonlyArray<DatabaseSpec>,
  observed: ObservedState,
): ReadonlyArray<DatabaseChange> => {
  const wantedDbs = new Set(desired.map((d) => d.name))
  const wantedUsers = new Set(desired.flatMap((d) => d.users.map((u) => u.name)))
  const changes: Array<DatabaseChange> = []
  for (const u of observed.users)
    if (!(wantedUsers.has(u.name) && u.host === ACCOUNT_HOST))
      changes.push({ op: "drop_user", user: u.name, host: u.host })
  for (const d of byName(observed.databases))
    if (!wantedDbs.has(d.name)) changes.push({ op: "drop_database", database: d.name })
  for (const spec of byName(desired)) {
    const db = observed.databases.find((d) => d.name === spec.name)
    const wanted = { database: spec.name, charset: spec.charset, collation: spec.collation }
    if (db === undefined) changes.push({ op: "create_database", ...wanted })
    else if (db.charset !== spec.charset || db.collation !== spec.collation)
      changes.push({ op: "alter_database", ...wanted })
    for (const user of byName(spec.users)) {
      const account = { user: user.name, host: ACCOUNT_HOST }
      const grant = { op: "grant", ...account, database: spec.name, privileges: user.privileges } as const
      const u = observed.users.find((o) => o.name === user.name && o.host === ACCOUNT_HOST)
      // an account holding privileges a revoke of schema grants would not reach is made anew
      if (u === undefined || u.otherGrants) {
        if (u !== undefined) changes.push({ op: "drop_user", ...account })
        changes.push({ op: "create_user", ...account, passwordHash: user.password_hash, locked: user.locked }, grant)
        continue
      }
      if (u.plugin !== "mysql_native_password" || u.passwordHash !== user.password_hash)
        changes.push({ op: "set_password", ...account, passwordHash: user.password_hash })
      if (u.locked !== user.locked) changes.push({ op: "set_lock", ...account, locked: user.locked })
      if (!grantsExactly(u, spec.name, user.privileges)) {
        if (u.grants.length > 0) changes.push({ op: "revoke_all", ...account })
        changes.push(grant)
      }
    }
  }
  return changes
}

// Identifiers and account names are validated by the domain schemas before they get here; these
// checks are the last line, so a name that slipped past them is a defect, never SQL.
const IDENTIFIER = /^[a-z0-9_]{1,80}$/
const HOST = /^[A-Za-z0-9.%_:-]{1,255}$/
const HASH = /^\*[0-9A-F]{40}$/

const checked = (value: string, re: RegExp, what: string): string => {
  if (!re.test(value)) throw new Error(`refusing to put ${what} ${JSON.stringify(value)} into SQL`)
  return value
}

/** An identifier quoted with backticks (a backtick inside doubled). */
export const quoteIdentifier = (name: string): string =>
  `\`${checked(name, IDENTIFIER, "the identifier").replace(/`/g, "``")}\``

/** A string literal (a quote doubled, a backslash escaped). */
const quoteString = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`

/** An account name, `'user'@'host'`. */
export const quoteAccount = (user: string, host: string): string =>
  `${quoteString(checked(user, IDENTIFIER, "the user name"))}@${quoteString(checked(host, HOST, "the host"))}`

const hashLiteral = (hash: string) => quoteString(checked(hash, HASH, "the password hash"))

const grantTarget = (database: string) => `\`${grantPattern(checked(database, IDENTIFIER, "the database"))}\`.*`

/**
 * One change as one SQL statement. MariaDB takes no placeholders in account-management
 * statements, so nothing here is a value from outside: names are checked and quoted, hashes
 * checked to be `*` and 40 hex digits.
 */
export const changeStatement = (c: DatabaseChange): string => {
  switch (c.op) {
    case "drop_user":
      return `DROP USER IF EXISTS ${quoteAccount(c.user, c.host)}`
    case "drop_database":
      return `DROP DATABASE IF EXISTS ${quoteIdentifier(c.database)}`
    case "create_database":
      return `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(c.database)} CHARACTER SET ${quoteIdentifier(c.charset)} COLLATE ${quoteIdentifier(c.collation)}`
    case "alter_database":
      return `ALTER DATABASE ${quoteIdentifier(c.database)} CHARACTER SET ${quoteIdentifier(c.charset)} COLLATE ${quoteIdentifier(c.collation)}`
    case "create_user":
      return `CREATE USER ${quoteAccount(c.user, c.host)} IDENTIFIED BY PASSWORD ${hashLiteral(c.passwordHash)} ACCOUNT ${c.locked ? "LOCK" : "UNLOCK"}`
    case "set_password":
      return `ALTER USER ${quoteAccount(c.user, c.host)} IDENTIFIED BY PASSWORD ${hashLiteral(c.passwordHash)}`
    case "set_lock":
      return `ALTER USER ${quoteAccount(c.user, c.host)} ACCOUNT ${c.locked ? "LOCK" : "UNLOCK"}`
    case "revoke_all":
      return `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${quoteAccount(c.user, c.host)}`
    case "grant":
      return c.privileges === "all"
        ? `GRANT ALL PRIVILEGES ON ${grantTarget(c.database)} TO ${quoteAccount(c.user, c.host)}`
        : `GRANT SELECT, SHOW VIEW ON ${grantTarget(c.database)} TO ${quoteAccount(c.user, c.host)}`
  }
}

/** One change as a report line (never a password hash). */
export const reportChange = (c: DatabaseChange): DatabaseChangeReport["changes"][number] => {
  switch (c.op) {
    case "drop_user":
      return { action: "delete", kind: "database_user", target: `${c.user}@${c.host}` }
    case "drop_database":
      return { action: "delete", kind: "database", target: c.database }
    case "create_database":
      return { action: "create", kind: "database", target: c.database, detail: `${c.charset} ${c.collation}` }
    case "alter_database":
      return { action: "update", kind: "database_charset", target: c.database, detail: `${c.charset} ${c.collation}` }
    case "create_user":
      return { action: "create", kind: "database_user", target: `${c.user}@${c.host}` }
    case "set_password":
      return { action: "update", kind: "database_password", target: `${c.user}@${c.host}` }
    case "set_lock":
      return {
        action: "update",
        kind: "database_lock",
        target: `${c.user}@${c.host}`,
        detail: c.locked ? "locked" : "unlocked",
      }
    case "revoke_all":
      return { action: "delete", kind: "database_grant", target: `${c.user}@${c.host}`, detail: "every privilege" }
    case "grant":
      return {
        action: "create",
        kind: "database_grant",
        target: `${c.user}@${c.host}`,
        detail: `${c.privileges} on ${c.database}`,
      }
  }
}
