// An in-memory MariaDB for manager tests: it understands exactly the statements MariaDbManager
// sends (its reads of information_schema and the mysql tables, and the account and database
// statements of plan.ts) and dies loudly on anything else, so a new statement shape shows up as a
// failing test. tests/integration/database-node.test.ts runs the same manager against the real server.
import { Effect, Layer } from "effect"
import { SCHEMA_PRIVILEGES } from "../../../src/families/databases/plan.js"
import { SqlFailure, SqlPort, type SqlValue } from "../../../src/managers/mariadb.js"

interface Account {
  name: string
  host: string
  plugin: string
  hash: string
  locked: boolean
  /** Global privilege bits (non-zero: some global privilege). */
  access: number
}

interface Grant {
  name: string
  host: string
  pattern: string
  privileges: Set<string>
  grantOption: boolean
}

type Row = Record<string, unknown>

const fail = (errno: number, message: string) => new SqlFailure({ errno, message })

/** SQL LIKE with `\` escapes, as a RegExp. */
const likeRe = (pattern: string) => {
  let re = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "\\") re += (pattern[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    else if (c === "%") re += ".*"
    else if (c === "_") re += "."
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  }
  return new RegExp(`^${re}$`, "s")
}

const ACCOUNT = "'([a-z0-9_]+)'@'([^']+)'"
const IDENT = "`([a-z0-9_]+)`"

/** What START SLAVE leads to on the fake: the source accepts, refuses the position (1236), or does not answer. */
export type FakeStart = "accept" | "diverged" | "unreachable"

/** The fake's replication state (a primary when `source` is undefined). */
export interface FakeReplication {
  serverId: number
  readOnly: boolean
  binlogPos: string
  slavePos: string
  source: { host: string; port: number; user: string; password: string } | undefined
  io: "Yes" | "No" | "Connecting"
  sql: "Yes" | "No"
  ioError: { errno: number; message: string } | undefined
  sqlError: { errno: number; message: string } | undefined
  secondsBehind: number | null
  ioPos: string
  masterLogFile: string
  onStart: FakeStart
  /** Positions the SQL thread reaches, one per status read (a replica catching up). */
  applying: Array<string>
  /** Platform users' statements that run: a write among them holds `SET GLOBAL read_only` up (1205). */
  running: Array<{ id: number; user: string; write: boolean; killable: boolean }>
}

/** The fake server: its state is public so tests can seed drift and look at the result. */
export class FakeMariaDb {
  readonly databases = new Map<string, { charset: string; collation: string }>([
    ["information_schema", { charset: "utf8mb3", collation: "utf8mb3_general_ci" }],
    ["mysql", { charset: "latin1", collation: "latin1_swedish_ci" }],
    ["performance_schema", { charset: "utf8mb3", collation: "utf8mb3_general_ci" }],
    ["sys", { charset: "utf8mb3", collation: "utf8mb3_general_ci" }],
  ])
  readonly accounts = new Map<string, Account>()
  readonly grants: Array<Grant> = []
  /** `name@host` of accounts with table, column, routine, proxy or role privileges. */
  readonly otherPrivileges = new Set<string>()
  readonly collations: ReadonlyArray<readonly [string, string, boolean]> = [
    ["latin1", "latin1_bin", false],
    ["latin1", "latin1_swedish_ci", true],
    ["utf8mb4", "utf8mb4_bin", false],
    ["utf8mb4", "utf8mb4_general_ci", true],
    ["utf8mb4", "utf8mb4_unicode_ci", false],
  ]
  readonly replication: FakeReplication = {
    serverId: 7,
    readOnly: false,
    binlogPos: "",
    slavePos: "",
    source: undefined,
    io: "No",
    sql: "No",
    ioError: undefined,
    sqlError: undefined,
    secondsBehind: null,
    ioPos: "",
    masterLogFile: "",
    onStart: "accept",
    applying: [],
    running: [],
  }
  /** Every statement that changed something, in order. */
  readonly writes: Array<string> = []
  /** How many statements were read-only. */
  reads = 0

  /** Seeds an account as a hand edit (or an earlier platform) left it. */
  account(a: Partial<Account> & { name: string }): this {
    const full = { host: "%", plugin: "mysql_native_password", hash: "", locked: false, access: 0, ...a }
    this.accounts.set(`${full.name}@${full.host}`, full)
    return this
  }

  /** Seeds a schema-level grant. */
  grant(name: string, host: string, pattern: string, privileges: ReadonlyArray<string>, grantOption = false): this {
    this.grants.push({ name, host, pattern, privileges: new Set(privileges), grantOption })
    return this
  }

  layer(): Layer.Layer<SqlPort> {
    return Layer.succeed(
      SqlPort,
      SqlPort.of({ query: (sql, params = []) => Effect.suspend(() => this.run(sql, params)) }),
    )
  }

  private run(sql: string, params: ReadonlyArray<SqlValue>): Effect.Effect<ReadonlyArray<Row>, SqlFailure> {
    const read = this.read(sql, params)
    if (read !== undefined) {
      this.reads++
      return Effect.succeed(read)
    }
    if (params.length > 0) return Effect.die(new Error(`FakeMariaDb: a write with parameters: ${sql}`))
    const failure = this.write(sql)
    if (failure instanceof SqlFailure) return Effect.fail(failure)
    this.writes.push(sql)
    return Effect.succeed([])
  }

  private read(sql: string, params: ReadonlyArray<SqlValue>): ReadonlyArray<Row> | undefined {
    const like = likeRe(String(params[0] ?? ""))
    if (sql.startsWith("SELECT SCHEMA_NAME AS name,"))
      return [...this.databases].filter(([n]) => like.test(n)).map(([name, d]) => ({ name, ...d }))
    if (sql.startsWith("SELECT User AS name, Host AS host, JSON_VALUE("))
      return [...this.accounts.values()]
        .filter((a) => like.test(a.name))
        .map((a) => ({
          name: a.name,
          host: a.host,
          plugin: a.plugin,
          hash: a.hash,
          // MariaDB has no account_locked key until an account was locked once
          locked: a.locked ? "1" : null,
          access: String(a.access),
        }))
    if (sql.startsWith("SELECT User AS name, Host AS host, Db AS pattern,"))
      return this.grants
        .filter((g) => like.test(g.name))
        .map((g) => ({
          name: g.name,
          host: g.host,
          pattern: g.pattern,
          Grant_priv: g.grantOption ? "Y" : "N",
          ...Object.fromEntries(SCHEMA_PRIVILEGES.map((p) => [`${p}_priv`, g.privileges.has(p) ? "Y" : "N"])),
        }))
    if (sql.startsWith("SELECT User AS name, Host AS host FROM mysql.tables_priv"))
      return [...this.otherPrivileges]
        .map((k) => ({ name: k.slice(0, k.indexOf("@")), host: k.slice(k.indexOf("@") + 1) }))
        .filter((r) => like.test(r.name))
    if (sql.startsWith("SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation"))
      return this.collations.map(([charset, collation, d]) => ({ charset, collation, is_default: d ? "Yes" : "" }))
    if (sql === "SELECT VERSION() AS version") return [{ version: "10.11.0-FakeMariaDB" }]
    const r = this.replication
    if (sql.startsWith("SELECT @@server_id AS server_id, @@read_only AS read_only")) {
      const next = r.sql === "Yes" ? r.applying.shift() : undefined
      if (next !== undefined) r.slavePos = next
      return [
        {
          server_id: r.serverId,
          read_only: r.readOnly ? 1 : 0,
          // as MariaDB: per domain, the binlog's position when its last GTID is this server's own
          gtid_current_pos:
            r.binlogPos !== "" && r.binlogPos.split("-")[1] === String(r.serverId)
              ? r.binlogPos
              : r.slavePos || r.binlogPos,
          gtid_binlog_pos: r.binlogPos,
          gtid_slave_pos: r.slavePos,
        },
      ]
    }
    if (
      sql ===
      "SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND USER LIKE ?"
    )
      return r.running.filter((t) => like.test(t.user)).map((t) => ({ id: t.id, user: t.user }))
    if (sql === "SHOW SLAVE STATUS")
      return r.source === undefined
        ? []
        : [
            {
              Master_Host: r.source.host,
              Master_Port: r.source.port,
              Master_User: r.source.user,
              Master_Log_File: r.masterLogFile,
              Slave_IO_Running: r.io,
              Slave_SQL_Running: r.sql,
              Seconds_Behind_Master: r.io === "Yes" && r.sql === "Yes" ? r.secondsBehind : null,
              Last_IO_Errno: r.ioError?.errno ?? 0,
              Last_IO_Error: r.ioError?.message ?? "",
              Last_SQL_Errno: r.sqlError?.errno ?? 0,
              Last_SQL_Error: r.sqlError?.message ?? "",
              Gtid_IO_Pos: r.ioPos,
            },
          ]
    if (sql === "SELECT User AS name, Host AS host FROM mysql.global_priv WHERE User LIKE ?")
      return [...this.accounts.values()].filter((a) => like.test(a.name)).map((a) => ({ name: a.name, host: a.host }))
    const show = new RegExp(`^SHOW (CREATE USER|GRANTS FOR) ${ACCOUNT}$`).exec(sql)
    if (show !== null) {
      const [, what, name, host] = show
      const a = this.accounts.get(`${name}@${host}`)
      if (a === undefined) return undefined
      const who = `\`${name}\`@\`${host}\``
      if (what === "CREATE USER")
        return [
          {
            [`CREATE USER for ${name}@${host}`]: `CREATE USER ${who} IDENTIFIED BY PASSWORD '${a.hash}'${a.locked ? " ACCOUNT LOCK" : ""}`,
          },
        ]
      return [
        { [`Grants for ${name}@${host}`]: `GRANT USAGE ON *.* TO ${who} IDENTIFIED BY PASSWORD '${a.hash}'` },
        ...this.grants
          .filter((g) => g.name === name && g.host === host)
          .map((g) => ({
            [`Grants for ${name}@${host}`]: `GRANT ${g.privileges.size === SCHEMA_PRIVILEGES.length ? "ALL PRIVILEGES" : "SELECT, SHOW VIEW"} ON \`${g.pattern}\`.* TO ${who}`,
          })),
      ]
    }
    return undefined
  }

  /** The statements the manager writes, each with what it does to the state. */
  private readonly statements: ReadonlyArray<readonly [RegExp, (m: ReadonlyArray<string>) => SqlFailure | undefined]> =
    [
      [
        new RegExp(`^DROP USER IF EXISTS ${ACCOUNT}$`),
        ([, name, host]) => {
          this.accounts.delete(`${name}@${host}`)
          this.otherPrivileges.delete(`${name}@${host}`)
          this.revoke(name!, host!)
          return undefined
        },
      ],
      [
        new RegExp(`^DROP DATABASE IF EXISTS ${IDENT}$`),
        ([, db]) => {
          this.databases.delete(db!)
          return undefined
        },
      ],
      [
        new RegExp(`^(CREATE DATABASE IF NOT EXISTS|ALTER DATABASE) ${IDENT} CHARACTER SET ${IDENT} COLLATE ${IDENT}$`),
        ([, verb, db, charset, collation]) => {
          if (!this.collations.some(([cs, co]) => cs === charset && co === collation))
            return fail(1253, `COLLATION '${collation}' is not valid for CHARACTER SET '${charset}'`)
          const alter = verb!.startsWith("ALTER")
          if (alter && !this.databases.has(db!)) return fail(1049, `Unknown database '${db}'`)
          if (alter || !this.databases.has(db!)) this.databases.set(db!, { charset: charset!, collation: collation! })
          return undefined
        },
      ],
      [
        new RegExp(`^CREATE USER ${ACCOUNT} IDENTIFIED BY PASSWORD '(\\*[0-9A-F]{40})' ACCOUNT (LOCK|UNLOCK)$`),
        ([, name, host, hash, lock]) => {
          if (this.accounts.has(`${name}@${host}`))
            return fail(1396, `Operation CREATE USER failed for '${name}'@'${host}'`)
          this.account({ name: name!, host: host!, hash: hash!, locked: lock === "LOCK" })
          return undefined
        },
      ],
      [
        new RegExp(`^ALTER USER ${ACCOUNT} IDENTIFIED BY PASSWORD '(\\*[0-9A-F]{40})'$`),
        ([, name, host, hash]) => this.alter(name!, host!, { hash: hash!, plugin: "mysql_native_password" }),
      ],
      [
        new RegExp(`^ALTER USER ${ACCOUNT} ACCOUNT (LOCK|UNLOCK)$`),
        ([, name, host, lock]) => this.alter(name!, host!, { locked: lock === "LOCK" }),
      ],
      [
        new RegExp(`^REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${ACCOUNT}$`),
        ([, name, host]) => {
          const failed = this.alter(name!, host!, { access: 0 })
          if (failed !== undefined) return failed
          this.otherPrivileges.delete(`${name}@${host}`)
          this.revoke(name!, host!)
          return undefined
        },
      ],
      [
        new RegExp(`^GRANT (ALL PRIVILEGES|SELECT, SHOW VIEW) ON \`((?:[a-z0-9]|\\\\_)+)\`\\.\\* TO ${ACCOUNT}$`),
        ([, what, pattern, name, host]) => {
          if (!this.accounts.has(`${name}@${host}`)) return fail(1133, "Can't find any matching row in the user table")
          const privileges = what === "ALL PRIVILEGES" ? SCHEMA_PRIVILEGES : ["Select", "Show_view"]
          const g = this.grants.find((x) => x.name === name && x.host === host && x.pattern === pattern)
          if (g === undefined) this.grant(name!, host!, pattern!, privileges)
          else for (const p of privileges) g.privileges.add(p)
          return undefined
        },
      ],
    ]

  /** Replication statements, each with what it does to the fake's replication state. */
  private readonly replicationStatements: ReadonlyArray<
    readonly [RegExp, (m: ReadonlyArray<string>) => SqlFailure | undefined]
  > = [
    [
      /^SET GLOBAL read_only = (ON|OFF)$/,
      ([, on]) => {
        this.replication.readOnly = on === "ON"
        return undefined
      },
    ],
    [
      /^SET STATEMENT lock_wait_timeout=(\d+) FOR SET GLOBAL read_only = ON$/,
      () => {
        if (this.replication.running.some((t) => t.write))
          return fail(1205, "Lock wait timeout exceeded; try restarting transaction")
        this.replication.readOnly = true
        return undefined
      },
    ],
    [
      /^KILL QUERY (\d+)$/,
      ([, id]) => {
        const r = this.replication
        const t = r.running.find((x) => x.id === Number(id))
        if (t === undefined) return fail(1094, `Unknown thread id: ${id}`)
        if (t.killable) r.running = r.running.filter((x) => x !== t)
        return undefined
      },
    ],
    [
      /^STOP SLAVE( IO_THREAD)?$/,
      ([, ioOnly]) => {
        this.replication.io = "No"
        if (ioOnly === undefined) this.replication.sql = "No"
        return undefined
      },
    ],
    [
      /^RESET SLAVE ALL$/,
      () => {
        if (this.replication.io !== "No" || this.replication.sql !== "No")
          return fail(1198, "This operation cannot be performed as you have a running slave")
        Object.assign(this.replication, {
          source: undefined,
          ioError: undefined,
          sqlError: undefined,
          masterLogFile: "",
          ioPos: "",
        })
        return undefined
      },
    ],
    [
      /^RESET MASTER$/,
      () => {
        this.replication.binlogPos = ""
        return undefined
      },
    ],
    [
      /^SET GLOBAL gtid_slave_pos = (?:@@gtid_current_pos|'([0-9,-]*)')$/,
      ([, pos]) => {
        const r = this.replication
        if (r.io !== "No" || r.sql !== "No")
          return fail(1198, "This operation cannot be performed as you have a running slave")
        r.slavePos = pos ?? (r.binlogPos !== "" ? r.binlogPos : r.slavePos)
        return undefined
      },
    ],
    [
      /^CHANGE MASTER TO MASTER_HOST='([^']*)', MASTER_PORT=(\d+), MASTER_USER='([^']*)', MASTER_PASSWORD='([^']*)', MASTER_CONNECT_RETRY=10, MASTER_USE_GTID=slave_pos$/,
      ([, host, port, user, password]) => {
        const r = this.replication
        if (r.io !== "No" || r.sql !== "No")
          return fail(1198, "This operation cannot be performed as you have a running slave")
        const moved = r.source?.host !== host || r.source?.port !== Number(port)
        r.source = { host: host!, port: Number(port), user: user!, password: password! }
        if (moved) r.masterLogFile = ""
        return undefined
      },
    ],
    [
      /^START SLAVE$/,
      () => {
        const r = this.replication
        if (r.source === undefined) return fail(1200, "Misconfigured slave: MASTER_HOST was not set")
        r.sql = "Yes"
        r.sqlError = undefined
        if (r.onStart === "accept")
          Object.assign(r, {
            io: "Yes",
            ioError: undefined,
            masterLogFile: "mariadb-bin.000001",
            ioPos: r.slavePos,
            secondsBehind: 0,
          })
        else if (r.onStart === "diverged")
          Object.assign(r, {
            io: "No",
            ioError: { errno: 1236, message: "Got fatal error 1236 from master: the slave has diverged" },
          })
        else Object.assign(r, { io: "Connecting", ioError: { errno: 2003, message: "error connecting to master" } })
        return undefined
      },
    ],
  ]

  private write(sql: string): SqlFailure | undefined {
    for (const [re, apply] of this.replicationStatements) {
      const m = re.exec(sql)
      if (m !== null) return apply(m)
    }
    for (const [re, apply] of this.statements) {
      const m = re.exec(sql)
      if (m !== null) return apply(m)
    }
    throw new Error(`FakeMariaDb does not understand: ${sql}`)
  }

  private alter(name: string, host: string, change: Partial<Account>): SqlFailure | undefined {
    const a = this.accounts.get(`${name}@${host}`)
    if (a === undefined) return fail(1396, `Operation ALTER USER failed for '${name}'@'${host}'`)
    Object.assign(a, change)
    return undefined
  }

  private revoke(name: string, host: string) {
    for (let i = this.grants.length - 1; i >= 0; i--)
      if (this.grants[i]!.name === name && this.grants[i]!.host === host) this.grants.splice(i, 1)
  }
}
