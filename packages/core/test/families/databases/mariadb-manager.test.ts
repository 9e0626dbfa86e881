import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc, Layer } from "effect"
import type { DatabaseSpec } from "../../../src/families/databases/domain.js"
import { mysqlNativePasswordHash } from "../../../src/families/databases/domain.js"
import { MariaDbManager } from "../../../src/managers/mariadb.js"
import { FakeMariaDb } from "./fake-mariadb.js"

const managerOver = (server: FakeMariaDb) => MariaDbManager.Default.pipe(Layer.provide(server.layer()))

const DBS = ["db_aaaaaaaaaa", "db_bbbbbbbbbb", "db_cccccccccc"] as const
const HASHES = ["one", "two"].map(mysqlNativePasswordHash)

const specArb: fc.Arbitrary<DatabaseSpec> = fc
  .record({
    name: fc.constantFrom(...DBS),
    collation: fc.constantFrom("utf8mb4_unicode_ci", "utf8mb4_bin", "latin1_swedish_ci"),
    users: fc.uniqueArray(
      fc.record({
        suffix: fc.constantFrom("admin", "ro", "app_1"),
        hash: fc.constantFrom(...HASHES),
        privileges: fc.constantFrom("all" as const, "read_only" as const),
        locked: fc.boolean(),
      }),
      { selector: (u) => u.suffix, maxLength: 3 },
    ),
  })
  .map((s) => ({
    name: s.name,
    charset: s.collation.split("_")[0]!,
    collation: s.collation,
    users: s.users.map((u) => ({
      name: `${s.name}_${u.suffix}`,
      password_hash: u.hash,
      privileges: u.privileges,
      locked: u.locked,
    })),
  }))
const specsArb = fc.uniqueArray(specArb, { selector: (s) => s.name, maxLength: 3 })

const spec = (name: string, users: DatabaseSpec["users"] = []): DatabaseSpec => ({
  name,
  charset: "utf8mb4",
  collation: "utf8mb4_unicode_ci",
  users,
})
const user = (name: string, privileges: "all" | "read_only" = "all", locked = false) => ({
  name,
  password_hash: HASHES[0]!,
  privileges,
  locked,
})

describe("MariaDbManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; the plan named exactly what ensure did, one statement each",
    [specsArb, specsArb],
    ([before, after]) => {
      const server = new FakeMariaDb()
      return Effect.gen(function* () {
        const m = yield* MariaDbManager
        yield* m.ensure(before, "all")
        server.writes.length = 0
        const planned = yield* m.plan(after, "all")
        expect(server.writes).toEqual([])
        const done = yield* m.ensure(after, "all")
        expect(done).toEqual(planned)
        expect(server.writes.length).toBe(done.changes.length)
        expect(yield* m.plan(after, "all")).toEqual({ changes: [] })
        // what is left is exactly the specs, next to the server's own schemas
        expect([...server.databases.keys()].filter((d) => d.startsWith("db_")).sort()).toEqual(
          after.map((s) => s.name).sort(),
        )
        expect([...server.accounts.keys()].sort()).toEqual(
          after.flatMap((s) => s.users.map((u) => `${u.name}@%`)).sort(),
        )
      }).pipe(Effect.provide(managerOver(server)))
    },
    { fastCheck: { numRuns: 80 } },
  )

  it.effect("heals drift: wrong grants, a hand-made host, global privileges, a changed password, a lock", () => {
    const server = new FakeMariaDb()
      .account({ name: "db_aaaaaaaaaa_admin", hash: HASHES[1]!, locked: true })
      .grant("db_aaaaaaaaaa_admin", "%", "db_aaaaaaaaaa", ["Select"]) // unescaped: a wildcard grant
      .grant("db_aaaaaaaaaa_admin", "%", "db\\_bbbbbbbbbb", ["Select"])
      .account({ name: "db_aaaaaaaaaa_admin", host: "localhost", hash: HASHES[0]! })
      .account({ name: "db_aaaaaaaaaa_ro", access: 1 })
    server.databases.set("db_aaaaaaaaaa", { charset: "latin1", collation: "latin1_swedish_ci" })
    return Effect.gen(function* () {
      const m = yield* MariaDbManager
      const desired = [spec("db_aaaaaaaaaa", [user("db_aaaaaaaaaa_admin"), user("db_aaaaaaaaaa_ro", "read_only")])]
      const done = yield* m.ensure(desired, "db_aaaaaaaaaa")
      expect(done.changes).toEqual([
        { action: "delete", kind: "database_user", target: "db_aaaaaaaaaa_admin@localhost" },
        { action: "update", kind: "database_charset", target: "db_aaaaaaaaaa", detail: "utf8mb4 utf8mb4_unicode_ci" },
        { action: "update", kind: "database_password", target: "db_aaaaaaaaaa_admin@%" },
        { action: "update", kind: "database_lock", target: "db_aaaaaaaaaa_admin@%", detail: "unlocked" },
        { action: "delete", kind: "database_grant", target: "db_aaaaaaaaaa_admin@%", detail: "every privilege" },
        { action: "create", kind: "database_grant", target: "db_aaaaaaaaaa_admin@%", detail: "all on db_aaaaaaaaaa" },
        // global privileges: the account is made anew
        { action: "delete", kind: "database_user", target: "db_aaaaaaaaaa_ro@%" },
        { action: "create", kind: "database_user", target: "db_aaaaaaaaaa_ro@%" },
        {
          action: "create",
          kind: "database_grant",
          target: "db_aaaaaaaaaa_ro@%",
          detail: "read_only on db_aaaaaaaaaa",
        },
      ])
      expect(server.writes).toEqual([
        "DROP USER IF EXISTS 'db_aaaaaaaaaa_admin'@'localhost'",
        "ALTER DATABASE `db_aaaaaaaaaa` CHARACTER SET `utf8mb4` COLLATE `utf8mb4_unicode_ci`",
        `ALTER USER 'db_aaaaaaaaaa_admin'@'%' IDENTIFIED BY PASSWORD '${HASHES[0]}'`,
        "ALTER USER 'db_aaaaaaaaaa_admin'@'%' ACCOUNT UNLOCK",
        "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'db_aaaaaaaaaa_admin'@'%'",
        "GRANT ALL PRIVILEGES ON `db\\_aaaaaaaaaa`.* TO 'db_aaaaaaaaaa_admin'@'%'",
        "DROP USER IF EXISTS 'db_aaaaaaaaaa_ro'@'%'",
        `CREATE USER 'db_aaaaaaaaaa_ro'@'%' IDENTIFIED BY PASSWORD '${HASHES[0]}' ACCOUNT UNLOCK`,
        "GRANT SELECT, SHOW VIEW ON `db\\_aaaaaaaaaa`.* TO 'db_aaaaaaaaaa_ro'@'%'",
      ])
      expect(yield* m.plan(desired, "db_aaaaaaaaaa")).toEqual({ changes: [] })
    }).pipe(Effect.provide(managerOver(server)))
  })

  it.effect("one database's scope leaves the others alone; the whole scope drops only db_ names", () => {
    const server = new FakeMariaDb().account({ name: "hosting_admin", host: "localhost" }).account({ name: "db_admin" })
    server.databases.set("db_handmade", { charset: "utf8mb4", collation: "utf8mb4_bin" })
    server.databases.set("shop", { charset: "utf8mb4", collation: "utf8mb4_bin" })
    return Effect.gen(function* () {
      const m = yield* MariaDbManager
      yield* m.ensure([spec("db_aaaaaaaaaa", [user("db_aaaaaaaaaa_u")])], "db_aaaaaaaaaa")
      yield* m.ensure([spec("db_bbbbbbbbbb", [user("db_bbbbbbbbbb_u")])], "db_bbbbbbbbbb")
      // removing one database drops it and its users only
      expect((yield* m.ensure([], "db_aaaaaaaaaa")).changes).toEqual([
        { action: "delete", kind: "database_user", target: "db_aaaaaaaaaa_u@%" },
        { action: "delete", kind: "database", target: "db_aaaaaaaaaa" },
      ])
      expect(server.databases.has("db_bbbbbbbbbb")).toBe(true)
      // converging to nothing drops every platform database, never mysql, a hand-made schema or account
      yield* m.ensure([], "all")
      expect([...server.databases.keys()].sort()).toEqual([
        "db_handmade",
        "information_schema",
        "mysql",
        "performance_schema",
        "shop",
        "sys",
      ])
      expect([...server.accounts.keys()].sort()).toEqual(["db_admin@%", "hosting_admin@localhost"])
    }).pipe(Effect.provide(managerOver(server)))
  })

  it.effect("a charset or collation the server lacks is refused by name, before any change", () => {
    const server = new FakeMariaDb()
    return Effect.gen(function* () {
      const m = yield* MariaDbManager
      const bad = yield* Effect.exit(m.ensure([{ ...spec("db_aaaaaaaaaa"), charset: "klingon" }], "all"))
      expect(bad).toEqual(
        Exit.fail(
          expect.objectContaining({
            _tag: "DatabaseRejected",
            message: "db_aaaaaaaaaa: character set klingon is not supported by this server",
          }),
        ),
      )
      const mismatch = yield* Effect.exit(m.ensure([{ ...spec("db_aaaaaaaaaa"), collation: "latin1_bin" }], "all"))
      expect(Exit.isFailure(mismatch) && JSON.stringify(mismatch.cause)).toContain(
        "collation latin1_bin is not a collation of utf8mb4 on this server",
      )
      expect(server.writes).toEqual([])
    }).pipe(Effect.provide(managerOver(server)))
  })

  it.effect("describes the server's charsets with their default collation", () => {
    const server = new FakeMariaDb()
    return Effect.gen(function* () {
      const info = yield* (yield* MariaDbManager).describe()
      expect(info).toEqual({
        version: "10.11.0-FakeMariaDB",
        charsets: [
          { name: "latin1", default_collation: "latin1_swedish_ci", collations: ["latin1_bin", "latin1_swedish_ci"] },
          {
            name: "utf8mb4",
            default_collation: "utf8mb4_general_ci",
            collations: ["utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci"],
          },
        ],
      })
    }).pipe(Effect.provide(managerOver(server)))
  })
})
