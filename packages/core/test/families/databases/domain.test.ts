import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { DatabaseSpec, databaseOfUser, mysqlNativePasswordHash } from "../../../src/families/databases/domain.js"
import { changeStatement, grantPattern, quoteAccount, quoteIdentifier } from "../../../src/families/databases/plan.js"

const decode = Schema.decodeUnknownEither(DatabaseSpec)

const valid = {
  name: "db_abc123def4",
  charset: "utf8mb4",
  collation: "utf8mb4_unicode_ci",
  users: [
    {
      name: "db_abc123def4_admin",
      password_hash: "*B69027D44F6E5EDC07F1AEAD1477967B16F28227",
      privileges: "all",
      locked: false,
    },
  ],
}

// Characters that mean something to SQL, a shell, a config file or a terminal.
const HOSTILE = [
  "'",
  '"',
  "`",
  "\\",
  "\0",
  "\n",
  "\r",
  ";",
  " ",
  "%",
  "-",
  "/",
  "*",
  "#",
  "@",
  "(",
  ")",
  "=",
  "$",
  "A",
  "é",
  "\u202e",
]
const hostile = fc
  .tuple(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(...HOSTILE),
    fc.string({ unit: fc.constantFrom(...HOSTILE, "a", "_", "1"), maxLength: 12 }),
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`)

/** The spec with one field replaced by `value`. */
const withField = (field: string, value: string): unknown => {
  const user = valid.users[0]!
  switch (field) {
    case "name":
      return { ...valid, name: value }
    case "charset":
      return { ...valid, charset: value }
    case "collation":
      return { ...valid, collation: value }
    case "user":
      return { ...valid, users: [{ ...user, name: value }] }
    case "user-suffix":
      return { ...valid, users: [{ ...user, name: `db_abc123def4_${value}` }] }
    case "hash":
      return { ...valid, users: [{ ...user, password_hash: value }] }
    default:
      return { ...valid, users: [{ ...user, privileges: value }] }
  }
}

describe("mysqlNativePasswordHash", () => {
  it("is the hash MariaDB's PASSWORD() computes", () => {
    // SELECT PASSWORD('x'), PASSWORD('hunter2') on MariaDB 10.11.19
    expect(mysqlNativePasswordHash("x")).toBe("*B69027D44F6E5EDC07F1AEAD1477967B16F28227")
    expect(mysqlNativePasswordHash("hunter2")).toBe("*58815970BE77B3720276F63DB198B1FA42E5CC02")
  })

  it.prop(
    "its SHA-1 is node:crypto's, for any text (multi-block and multi-byte included)",
    [fc.string({ unit: "binary", maxLength: 300 })],
    ([plain]) => {
      const once = createHash("sha1").update(plain, "utf8").digest()
      const expected = `*${createHash("sha1").update(once).digest("hex").toUpperCase()}`
      expect(mysqlNativePasswordHash(plain)).toBe(expected)
    },
    { fastCheck: { numRuns: 300 } },
  )
})

describe("DatabaseSpec", () => {
  it("accepts a spec of the platform's names", () => {
    expect(Either.isRight(decode(valid))).toBe(true)
  })

  it("refuses a user of another database, a user named twice, a name over 80 characters", () => {
    const user = valid.users[0]!
    expect(decode({ ...valid, users: [{ ...user, name: "db_zzz123def4_admin" }] })).toMatchObject({
      _tag: "Left",
    })
    expect(decode({ ...valid, users: [user, user] })._tag).toBe("Left")
    expect(decode({ ...valid, users: [{ ...user, name: `db_abc123def4_${"a".repeat(67)}` }] })._tag).toBe("Left")
    expect(decode({ ...valid, users: [{ ...user, name: `db_abc123def4_${"a".repeat(66)}` }] })._tag).toBe("Right")
  })

  it.prop(
    "refuses hostile values in every field before anything reaches SQL",
    [fc.constantFrom("name", "charset", "collation", "user", "user-suffix", "hash", "privileges"), hostile],
    ([field, value]) => {
      expect(Either.isLeft(decode(withField(field, value)))).toBe(true)
    },
    { fastCheck: { numRuns: 500 } },
  )

  it.prop(
    "the last line: quoting refuses what the schemas would, and never lets a quote out",
    [hostile],
    ([value]) => {
      expect(() => quoteIdentifier(value)).toThrow(/refusing to put/)
      expect(() => quoteAccount(value, "%")).toThrow(/refusing to put/)
      expect(() =>
        changeStatement({ op: "set_password", user: "db_abc123def4_u", host: "%", passwordHash: value }),
      ).toThrow(/refusing to put/)
    },
    { fastCheck: { numRuns: 300 } },
  )
})

describe("names", () => {
  it("a user belongs to the database its name starts with; grants escape LIKE wildcards", () => {
    expect(databaseOfUser("db_abc123def4_admin")).toBe("db_abc123def4")
    expect(databaseOfUser("db_admin")).toBeUndefined()
    expect(databaseOfUser("root")).toBeUndefined()
    expect(grantPattern("db_abc123def4")).toBe("db\\_abc123def4")
    expect(quoteIdentifier("db_abc123def4")).toBe("`db_abc123def4`")
    expect(quoteAccount("db_abc123def4_u", "%")).toBe("'db_abc123def4_u'@'%'")
  })
})
