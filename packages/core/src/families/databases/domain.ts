import { Schema } from "effect"
import { sha1 } from "./sha1.js"

// Databases on a database node. The control plane reads a database's rows and sends this spec to
// the node; the agent decodes it again (defence in depth). Every string here ends up in SQL as an
// identifier or an account name, so each one is an allow-listed pattern: the manager quotes them as
// well, but nothing outside these alphabets ever reaches it.

/** A database's machine name: `db_` and 10 characters of [a-z0-9] (generated, never chosen). */
export const DatabaseName = Schema.String.pipe(
  Schema.pattern(/^db_[a-z0-9]{10}$/, { message: () => "a database name is db_ followed by 10 of [a-z0-9]" }),
  Schema.annotations({ title: "DatabaseName", description: "`db_` and 10 characters of [a-z0-9]" }),
)
/** A database's machine name. */
export type DatabaseName = typeof DatabaseName.Type

/** MariaDB's limit on the user part of an account name (characters). */
export const DATABASE_USER_MAX_LENGTH = 80

/**
 * A database user's name: the database's name, `_`, then [a-z0-9_] (`db_abc123def4_admin`), at most
 * 80 characters. That it starts with *its own* database's name is checked on the spec.
 */
export const DatabaseUserName = Schema.String.pipe(
  Schema.pattern(/^db_[a-z0-9]{10}_[a-z0-9_]+$/, {
    message: () => "a database user name is the database's name, '_' and [a-z0-9_]",
  }),
  Schema.maxLength(DATABASE_USER_MAX_LENGTH, {
    message: () => `a database user name has at most ${DATABASE_USER_MAX_LENGTH} characters`,
  }),
  Schema.annotations({ title: "DatabaseUserName" }),
)
/** A database user's name. */
export type DatabaseUserName = typeof DatabaseUserName.Type

/**
 * A `mysql_native_password` hash: `*` and 40 upper-case hex digits (SHA1(SHA1(password))). The
 * control plane hashes, so a password's plain text never leaves the API process, and a migration
 * re-creates users on another server with the same hash.
 */
export const MysqlPasswordHash = Schema.String.pipe(
  Schema.pattern(/^\*[0-9A-F]{40}$/, { message: () => "a password hash is '*' and 40 upper-case hex digits" }),
  Schema.annotations({ title: "MysqlPasswordHash" }),
)
/** A `mysql_native_password` hash. */
export type MysqlPasswordHash = typeof MysqlPasswordHash.Type

/** The hash MariaDB's `PASSWORD()` computes for a password: `*` + upper-case hex of SHA1(SHA1(utf-8)). */
export const mysqlNativePasswordHash = (plain: string): MysqlPasswordHash => {
  const twice = sha1(sha1(new TextEncoder().encode(plain)))
  return `*${Array.from(twice, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("")}`
}

/** A character set name as MariaDB spells them (`utf8mb4`); whether the server has it is checked there. */
export const Charset = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]{1,32}$/, { message: () => "a character set is 1-32 of [a-z0-9_]" }),
  Schema.annotations({ title: "Charset" }),
)
/** A collation name (`utf8mb4_unicode_ci`); whether the server has it for the charset is checked there. */
export const Collation = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]{1,64}$/, { message: () => "a collation is 1-64 of [a-z0-9_]" }),
  Schema.annotations({ title: "Collation" }),
)

/** The defaults a new database gets. */
export const DEFAULT_CHARSET = "utf8mb4"
export const DEFAULT_COLLATION = "utf8mb4_unicode_ci"

/** `all`: every privilege on its own database only; `read_only`: SELECT and SHOW VIEW on it. */
export const DatabasePrivileges = Schema.Literal("all", "read_only")
/** What a database user may do on its database. */
export type DatabasePrivileges = typeof DatabasePrivileges.Type

/** One user of a database as a node sees it. */
export const DatabaseUserSpec = Schema.Struct({
  name: DatabaseUserName,
  password_hash: MysqlPasswordHash,
  privileges: DatabasePrivileges,
  /** A suspended tenant's users are locked (ACCOUNT LOCK): logins refused, nothing else lost. */
  locked: Schema.Boolean,
})
/** One user of a database as a node sees it. */
export type DatabaseUserSpec = typeof DatabaseUserSpec.Type

/** Desired state of one database on a database node: the database and exactly these users. */
export const DatabaseSpec = Schema.Struct({
  name: DatabaseName,
  charset: Charset,
  collation: Collation,
  users: Schema.Array(DatabaseUserSpec).pipe(Schema.maxItems(100)),
}).pipe(
  Schema.filter((spec) => {
    const outside = spec.users.find((u) => !u.name.startsWith(`${spec.name}_`))
    if (outside !== undefined) return `user ${outside.name} must start with ${spec.name}_`
    const names = spec.users.map((u) => u.name)
    const twice = names.find((n, i) => names.indexOf(n) !== i)
    return twice === undefined || `user ${twice} is named twice`
  }),
  Schema.annotations({ title: "DatabaseSpec" }),
)
/** Desired state of one database on a database node. */
export type DatabaseSpec = typeof DatabaseSpec.Type

/** A whole node's databases: distinct names. */
export const DatabaseSpecs = Schema.Array(DatabaseSpec).pipe(
  Schema.maxItems(10_000),
  Schema.filter((specs) => {
    const names = specs.map((s) => s.name)
    const twice = names.find((n, i) => names.indexOf(n) !== i)
    return twice === undefined || `database ${twice} is named twice`
  }),
)

/** The database a platform user name belongs to (`db_abc123def4_x` → `db_abc123def4`), if it is one. */
export const databaseOfUser = (user: string): DatabaseName | undefined => /^(db_[a-z0-9]{10})_/.exec(user)?.[1]

/** A GTID position as MariaDB prints it: `domain-server-seq` per domain, comma-separated, or empty. */
export const GtidPosition = Schema.String.pipe(
  Schema.pattern(/^(?:[0-9]{1,10}-[0-9]{1,10}-[0-9]{1,20}(?:,[0-9]{1,10}-[0-9]{1,10}-[0-9]{1,20}){0,63})?$/, {
    message: () => "a GTID position is domain-server-sequence, comma-separated",
  }),
  Schema.annotations({ title: "GtidPosition" }),
)

/**
 * Where a replica reads its primary's binlog: the primary's MariaDB address and its replication
 * account. The password is the primary's own (generated there, root-only): `replicationSource` on
 * the primary gives it to the workflow, which passes it to the replicas' `followPrimary` or
 * `seedFromPrimary`; it lives only in that workflow's history, never stored by the control plane,
 * logged, or shown by the API. Each value ends up in a CHANGE MASTER statement (no placeholders
 * there): allow-listed here, checked and quoted again there.
 */
export const DatabaseReplicationSource = Schema.Struct({
  host: Schema.String.pipe(
    Schema.pattern(/^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F:]{2,39}|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)$/, {
      message: () => "a replication source's host is an IP address or a host name",
    }),
  ),
  port: Schema.Int.pipe(Schema.between(1, 65535)),
  user: Schema.String.pipe(
    Schema.pattern(/^[a-z_][a-z0-9_]{0,79}$/, { message: () => "a replication user is [a-z_][a-z0-9_]*" }),
  ),
  password: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9_.~+/=-]{16,128}$/, {
      message: () => "a replication password is 16-128 of [A-Za-z0-9_.~+/=-]",
    }),
  ),
})
/** Where a replica reads its primary's binlog. */
export type DatabaseReplicationSource = typeof DatabaseReplicationSource.Type
