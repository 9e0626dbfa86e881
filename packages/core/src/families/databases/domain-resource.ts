import { Schema } from "effect"
import { ShardId, TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { strict } from "../../domain/validation.js"
import { DatabaseName, DatabasePrivileges, DEFAULT_CHARSET, DEFAULT_COLLATION } from "./domain.js"

/**
 * Databases and their users as the API shows and takes them. The spec a node receives is in
 * domain.ts (node-safe); these are the rows and payloads of the control plane.
 */

/** UUID of a database. */
export const DatabaseId = uuidId("DatabaseId", "a database")
/** Branded database id. */
export type DatabaseId = typeof DatabaseId.Type

/** UUID of a database user. */
export const DatabaseUserId = uuidId("DatabaseUserId", "a database user")
/** Branded database user id. */
export type DatabaseUserId = typeof DatabaseUserId.Type

/**
 * The character sets and collations a database may be created with: the common ones MariaDB
 * 10.11 ships (a test checks each against the real server). The node refuses anything its server
 * lacks by name; the API refuses everything else before a row exists, naming the value.
 */
export const DATABASE_COLLATIONS = {
  utf8mb4: [
    "utf8mb4_unicode_ci",
    "utf8mb4_general_ci",
    "utf8mb4_bin",
    "utf8mb4_unicode_520_ci",
    "utf8mb4_unicode_nopad_ci",
    "utf8mb4_german2_ci",
    "utf8mb4_swedish_ci",
    "utf8mb4_spanish_ci",
    "utf8mb4_turkish_ci",
    "utf8mb4_polish_ci",
  ],
  utf8mb3: ["utf8mb3_general_ci", "utf8mb3_unicode_ci", "utf8mb3_bin"],
  latin1: ["latin1_swedish_ci", "latin1_general_ci", "latin1_german1_ci", "latin1_bin"],
  ascii: ["ascii_general_ci", "ascii_bin"],
  binary: ["binary"],
} as const satisfies Record<string, ReadonlyArray<string>>

/** A character set a database may use. */
export type DatabaseCharset = keyof typeof DATABASE_COLLATIONS
const CHARSETS = Object.keys(DATABASE_COLLATIONS) as ReadonlyArray<DatabaseCharset>
const COLLATIONS = Object.values(DATABASE_COLLATIONS).flat()

/** The collation a charset gets when none is given: the platform's default for utf8mb4, the first listed otherwise. */
export const defaultCollationOf = (charset: DatabaseCharset): string =>
  charset === DEFAULT_CHARSET ? DEFAULT_COLLATION : DATABASE_COLLATIONS[charset][0]

/** An allow-listed charset (400 naming the value otherwise). */
export const DatabaseCharsetName = Schema.Literal(
  ...(CHARSETS as [DatabaseCharset, ...Array<DatabaseCharset>]),
).annotations({
  title: "DatabaseCharset",
  description: `character set: ${CHARSETS.join(", ")} (default ${DEFAULT_CHARSET})`,
})
/** An allow-listed collation (400 naming the value otherwise). */
export const DatabaseCollationName = Schema.Literal(...(COLLATIONS as [string, ...Array<string>])).annotations({
  title: "DatabaseCollation",
  description: `collation of the charset (default ${DEFAULT_COLLATION} for utf8mb4, else the charset's first)`,
})

/** Whether a collation belongs to a charset (`utf8mb4_bin` to `utf8mb4`). */
export const collationFits = (charset: DatabaseCharset, collation: string): boolean =>
  (DATABASE_COLLATIONS[charset] as ReadonlyArray<string>).includes(collation)

/** The charset a collation belongs to. */
export const charsetOfCollation = (collation: string): DatabaseCharset | undefined =>
  CHARSETS.find((c) => collationFits(c, collation))

/**
 * A database user's password: 12–128 characters, none of them control characters (NUL, line
 * breaks, tabs). Quotes, backslashes and SQL metacharacters are fine: only its
 * mysql_native_password hash is stored and sent, so its text never reaches SQL. The messages
 * name the rule and never the value.
 */
export const DatabasePassword = Schema.String.pipe(
  Schema.filter((p) => {
    const n = [...p].length
    if (n < 12) return `a password has at least 12 characters (this one has ${n})`
    if (n > 128) return `a password has at most 128 characters (this one has ${n})`
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    if (/[\u0000-\u001f\u007f]/.test(p)) return "a password may not contain control characters (NUL, line breaks, tabs)"
    return true
  }),
  Schema.annotations({
    title: "DatabasePassword",
    description: "write-only: 12–128 characters, no control characters; never returned",
    // generated bodies (the every-endpoint suites) carry quotes, backslashes and SQL metacharacters
    arbitrary: () => (fc) => fc.stringMatching(/^[A-Za-z0-9 '"\\;%_-]{12,40}$/),
  }),
)

/** How an application reaches a database. */
export class Database extends Schema.Class<Database>("Database")({
  id: DatabaseId,
  tenant_id: TenantId,
  shard_id: ShardId,
  name: DatabaseName,
  charset: Schema.String,
  collation: Schema.String,
  host: Schema.NullOr(Schema.String).annotations({
    description: "address of the shard's primary node (null while the shard has no node)",
  }),
  port: Schema.Int.annotations({ description: "MariaDB's TCP port on the shard's nodes (the shard's mariadb_port)" }),
  migrate_to: Schema.NullOr(ShardId).annotations({
    description: "the database shard a migration under way moves it to (host and port change when it is done)",
  }),
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

const charsetFields = {
  charset: Schema.optional(DatabaseCharsetName),
  collation: Schema.optional(DatabaseCollationName),
}

// a collation given with another charset is refused before anything is written
const charsetAgrees = (c: {
  readonly charset?: DatabaseCharset | undefined
  readonly collation?: string | undefined
}) =>
  c.charset === undefined ||
  c.collation === undefined ||
  collationFits(c.charset, c.collation) ||
  `collation ${c.collation} is not one of charset ${c.charset}: ${DATABASE_COLLATIONS[c.charset].join(", ")}`

/** Body of POST /tenants/{id}/databases. */
export const CreateDatabase = strict(
  Schema.Struct({
    ...charsetFields,
    shard_id: Schema.optional(ShardId).annotations({
      description: "platform admins: the database shard (else the one with the fewest databases)",
    }),
  }),
).pipe(Schema.filter(charsetAgrees))

/** Body of POST /databases/{id}/migrate. */
export const MigrateDatabase = strict(
  Schema.Struct({
    shard_id: ShardId.annotations({ description: "a database shard of a cluster the tenant's brand may use" }),
  }),
)

/** Body of PUT /databases/{id}: a new default charset and collation (existing tables keep theirs). */
export const UpdateDatabase = strict(Schema.Struct(charsetFields)).pipe(Schema.filter(charsetAgrees))

/** A user of a database; its password is write-only. */
export class DatabaseUser extends Schema.Class<DatabaseUser>("DatabaseUser")({
  id: DatabaseUserId,
  database_id: DatabaseId,
  username: Schema.String,
  privileges: DatabasePrivileges,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** A user name's shape; that it starts with its database's name and `_` is checked against the database. */
export const DatabaseUsername = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_]{0,31}$/, {
    message: () => "a user name is 1–32 of [a-z0-9_], starting with its database's name and '_'",
  }),
  Schema.annotations({ title: "DatabaseUsername", description: "the database's name, '_', then [a-z0-9_]; ≤ 32" }),
)

/** Body of POST /databases/{id}/users. */
export const CreateDatabaseUser = strict(
  Schema.Struct({
    username: DatabaseUsername,
    password: DatabasePassword,
    privileges: Schema.optional(DatabasePrivileges).annotations({ description: "all (default) or read_only" }),
  }),
)

/** Body of PUT /database-users/{id}: a new password, new privileges, or both. */
export const UpdateDatabaseUser = strict(
  Schema.Struct({
    password: Schema.optional(DatabasePassword),
    privileges: Schema.optional(DatabasePrivileges),
  }),
)
