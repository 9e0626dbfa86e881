// The node side of databases against real MariaDB servers: DatabaseNode starts (or adopts) a
// private mariadbd and core's MariaDbManager makes databases, accounts and grants exactly their
// specs, as the agent's database activities drive it. Logins are made as applications make them
// (mysql2 over TCP). Two servers run side by side for a dump on one and an import on the other.
import { adminPassword, type ConfigRejected, DatabaseNode, databasePaths, mariadbPid } from "@hosting/agent"
import { type DatabaseSpec, mysqlNativePasswordHash } from "@hosting/core/node"
import { type Connection, createConnection } from "mysql2/promise"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { errnoOf, login, makeTestDatabaseNode, type TestDatabaseNode } from "../support/database-node.js"

let a: TestDatabaseNode
let b: TestDatabaseNode
let nodeA: DatabaseNode
let nodeB: DatabaseNode
let admin: Connection

const DB1 = "db_one0000001"
const DB2 = "db_two0000002"
const PW = { admin: "correct horse battery", ro: "read only please", other: "another one's secret" }

const spec = (name: string, users: DatabaseSpec["users"]): DatabaseSpec => ({
  name,
  charset: "utf8mb4",
  collation: "utf8mb4_unicode_ci",
  users,
})
const user = (name: string, password: string, privileges: "all" | "read_only" = "all", locked = false) => ({
  name,
  password_hash: mysqlNativePasswordHash(password),
  privileges,
  locked,
})
const db1 = (over: Partial<DatabaseSpec["users"][number]> = {}) =>
  spec(DB1, [{ ...user(`${DB1}_admin`, PW.admin), ...over }, user(`${DB1}_ro`, PW.ro, "read_only")])

/** The admin's own connection over the node's socket, to look at what the server holds. */
const adminConnection = async (root: string) =>
  createConnection({
    socketPath: databasePaths(root).socket,
    user: "hosting_admin",
    password: await adminPassword(root),
  })

const rows = async (c: Connection, sql: string, params: Array<string> = []) =>
  (await c.query(sql, params))[0] as Array<Record<string, unknown>>

beforeAll(async () => {
  ;[a, b] = await Promise.all([makeTestDatabaseNode(), makeTestDatabaseNode()])
  nodeA = new DatabaseNode(a.config)
  nodeB = new DatabaseNode(b.config)
  const started = Date.now()
  const [first] = await Promise.all([nodeA.start(), nodeB.start()])
  console.log(`two mariadbd initialised and started in ${Date.now() - started} ms`)
  expect(first.started).toBe(true)
  admin = await adminConnection(a.root)
}, 120_000)

afterAll(async () => {
  await admin?.end()
  await nodeA?.close()
  await nodeB?.close()
  await a?.cleanup()
  await b?.cleanup()
})

describe("a database node", () => {
  it("hashes passwords as the server's PASSWORD() does", async () => {
    for (const pw of ["x", "p'a\"s`s\\w;o%r_d", "pässwörd ✓", " spaces "]) {
      const [r] = await rows(admin, "SELECT PASSWORD(?) AS h", [pw])
      expect(mysqlNativePasswordHash(pw)).toBe(r!.h)
    }
  })

  it("keeps the admin password root-only", async () => {
    const { statSync } = await import("node:fs")
    const st = statSync(databasePaths(a.root).adminCnf)
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600])
  })

  it("creates a database whose all user writes and whose read_only user only reads", async () => {
    const started = Date.now()
    const report = await nodeA.ensureDatabase(db1())
    console.log(`ensure of a database with two users: ${Date.now() - started} ms`)
    expect(report.changes.map((c) => `${c.action} ${c.kind} ${c.target}`)).toEqual([
      `create database ${DB1}`,
      `create database_user ${DB1}_admin@%`,
      `create database_grant ${DB1}_admin@%`,
      `create database_user ${DB1}_ro@%`,
      `create database_grant ${DB1}_ro@%`,
    ])
    const app = await login(a.port, `${DB1}_admin`, PW.admin, DB1)
    await app.query("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
    await app.query("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    // the grant is on exactly this database: no creating a look-alike through the `_` wildcard
    expect(await errnoOf(app.query("CREATE DATABASE dbXone0000001"))).toBe(1044)
    await app.end()
    const ro = await login(a.port, `${DB1}_ro`, PW.ro, DB1)
    expect(await rows(ro, "SELECT COUNT(*) AS n FROM t")).toEqual([{ n: 3 }])
    expect(await errnoOf(ro.query("INSERT INTO t VALUES (4, 'four')"))).toBe(1142)
    await ro.end()
    // the same account over the socket (skip-name-resolve: '%' covers it)
    const local = await createConnection({
      socketPath: databasePaths(a.root).socket,
      user: `${DB1}_ro`,
      password: PW.ro,
    })
    expect(await rows(local, "SELECT CURRENT_USER() AS u")).toEqual([{ u: `${DB1}_ro@%` }])
    await local.end()
    expect(await nodeA.convergeDatabases([db1()], true)).toEqual({ changes: [] })
  })

  it("refuses another database's user (1044) and a wrong password (1045)", async () => {
    await nodeA.ensureDatabase(spec(DB2, [user(`${DB2}_app`, PW.other)]))
    expect(await errnoOf(login(a.port, `${DB2}_app`, PW.other, DB1))).toBe(1044)
    expect(await errnoOf(login(a.port, `${DB1}_admin`, "wrong", DB1))).toBe(1045)
    expect(await errnoOf(login(a.port, `${DB2}_app`, PW.other, DB2))).toBe("ok")
  })

  it("locks and unlocks a user, and changes a password", async () => {
    await nodeA.ensureDatabase(db1({ locked: true }))
    expect(await errnoOf(login(a.port, `${DB1}_admin`, PW.admin, DB1))).toBe(4151)
    await nodeA.ensureDatabase(db1())
    expect(await errnoOf(login(a.port, `${DB1}_admin`, PW.admin, DB1))).toBe("ok")
    const report = await nodeA.ensureDatabase(db1({ password_hash: mysqlNativePasswordHash("a new one") }))
    expect(report.changes).toEqual([{ action: "update", kind: "database_password", target: `${DB1}_admin@%` }])
    expect(await errnoOf(login(a.port, `${DB1}_admin`, PW.admin, DB1))).toBe(1045)
    expect(await errnoOf(login(a.port, `${DB1}_admin`, "a new one", DB1))).toBe("ok")
    await nodeA.ensureDatabase(db1())
  })

  it("refuses a charset or collation the server lacks, naming it, and changes nothing", async () => {
    const bad = nodeA.ensureDatabase({ ...spec("db_bad0000000", []), collation: "utf8mb4_klingon_ci" })
    await expect(bad).rejects.toThrow("db_bad0000000: collation utf8mb4_klingon_ci is not a collation of utf8mb4")
    await expect(bad).rejects.toSatisfy((e) => (e as ConfigRejected).constructor.name === "ConfigRejected")
    expect(await rows(admin, "SHOW DATABASES LIKE 'db\\_bad%'")).toEqual([])
  })

  it("removes a database with its users and grants", async () => {
    const report = await nodeA.removeDatabase(DB2)
    expect(report.changes.map((c) => `${c.action} ${c.kind} ${c.target}`)).toEqual([
      `delete database_user ${DB2}_app@%`,
      `delete database ${DB2}`,
    ])
    expect(await rows(admin, "SHOW DATABASES LIKE ?", [DB2])).toEqual([])
    expect(await rows(admin, "SELECT User FROM mysql.global_priv WHERE User LIKE ?", [`${DB2}%`])).toEqual([])
    expect(await rows(admin, "SELECT User FROM mysql.db WHERE User LIKE ?", [`${DB2}%`])).toEqual([])
    expect(await nodeA.removeDatabase(DB2)).toEqual({ changes: [] })
  })

  it("converges to exactly its databases: an orphan db_ database goes, other schemas stay", async () => {
    await admin.query("CREATE DATABASE db_orphan0001")
    await admin.query("CREATE DATABASE db_handmade")
    await admin.query("CREATE DATABASE shop")
    const report = await nodeA.convergeDatabases([db1()], false)
    expect(report.changes).toEqual([{ action: "delete", kind: "database", target: "db_orphan0001" }])
    const left = (await rows(admin, "SHOW DATABASES")).map((r) => r.Database).sort()
    expect(left).toEqual(["db_handmade", DB1, "information_schema", "mysql", "performance_schema", "shop", "sys"])
    await admin.query("DROP DATABASE db_handmade")
    await admin.query("DROP DATABASE shop")
  })

  it("is adopted by a restarted agent: same mariadbd, same data", async () => {
    const pid = mariadbPid(a.root)
    await nodeA.close()
    nodeA = new DatabaseNode(a.config)
    expect(await nodeA.start()).toEqual({ pid, started: false })
    const app = await login(a.port, `${DB1}_admin`, PW.admin, DB1)
    expect(await rows(app, "SELECT COUNT(*) AS n FROM t")).toEqual([{ n: 3 }])
    await app.end()
  })

  it("moves a database to another server: dump on one, import on the other, same rows and logins", async () => {
    const app = await login(a.port, `${DB1}_admin`, PW.admin, DB1)
    await app.query("CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, b BLOB, s TEXT)")
    await app.query(
      "INSERT INTO big (b, s) SELECT RANDOM_BYTES(64), CONCAT('row ', seq, ' \\'quoted\\' \\\\ ; DROP TABLE t; --') FROM seq_1_to_2000",
    )
    const checksum = async (c: Connection) =>
      (await rows(c, "CHECKSUM TABLE t, big")).map((r) => `${r.Table} ${r.Checksum}`)
    const before = await checksum(app)
    await app.end()
    const started = Date.now()
    const dump = await nodeA.dumpDatabase(DB1)
    await nodeB.importDatabase(db1(), dump)
    console.log(`dump streamed and imported: ${Date.now() - started} ms`)
    const moved = await login(b.port, `${DB1}_admin`, PW.admin, DB1)
    expect(await checksum(moved)).toEqual(before)
    expect(await rows(moved, "SELECT COUNT(*) AS n FROM big")).toEqual([{ n: 2000 }])
    await moved.end()
    expect(await errnoOf(login(b.port, `${DB1}_ro`, PW.ro, DB1))).toBe("ok")
    // the offer is for whoever holds the token
    expect((await fetch(dump.url)).status).toBe(404)
    // a stream whose frames are not its source's (checked with another key) is never loaded
    await nodeB.removeDatabase(DB1)
    await expect(nodeB.importDatabase(db1(), { ...dump, key: "0".repeat(64) })).rejects.toThrow(
      "database dump stream: frame 0 failed its integrity check",
    )
    const adminB = await adminConnection(b.root)
    const tables = "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
    expect(await rows(adminB, tables, [DB1])).toEqual([{ n: 0 }])
    await adminB.end()
    await expect(nodeB.dumpDatabase("db_nothing000")).rejects.toThrow("does not exist")
  })

  it("reports its server and replication state", async () => {
    const info = await nodeA.describe()
    expect(info.version).toMatch(/^10\.11\.\d+-MariaDB/)
    expect(info.charsets.find((c) => c.name === "utf8mb4")?.collations).toContain("utf8mb4_unicode_ci")
    expect(await nodeA.replicationStatus()).toMatchObject({ read_only: false, replica: null })
  })
})
