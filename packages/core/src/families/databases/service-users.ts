import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { Conflict, InvalidInput } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { ChildUsername } from "../../domain/names.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { getScoped, type ScopedSpec } from "../tenancy/service-rows.js"
import { mysqlNativePasswordHash } from "./domain.js"
import {
  type CreateDatabaseUser,
  type DatabaseId,
  DatabaseUser,
  type DatabaseUserId,
  type UpdateDatabaseUser,
} from "./domain-resource.js"
import { databaseSpec } from "./service-databases.js"
import { markDatabaseRow } from "./service-rows.js"

const spec: ScopedSpec = {
  from: "database_users t JOIN databases d ON d.id = t.database_id JOIN tenants tn ON tn.id = d.tenant_id",
  select: "t.*, d.status AS database_status",
  sortColumns: { username: "t.username", created_at: "t.created_at" },
  defaultSort: "username",
  searchColumns: ["t.username"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

/** The most users a database has (a node's spec carries them all). */
export const DATABASE_USERS_MAX = 100

const databaseBeingDeleted = () => new Conflict({ message: "the database is being deleted" })

/**
 * Users of databases. Only the mysql_native_password hash of a password is stored and sent to
 * nodes; the password itself stays in this request. Writes mark rows for the database's sync.
 */
export class DatabaseUsers extends Effect.Service<DatabaseUsers>()("@hosting/DatabaseUsers", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(DatabaseUser)
    const withDatabase = (row: unknown) =>
      Effect.map(decode(row), (user) => ({
        user,
        databaseStatus: String((row as { database_status: unknown }).database_status),
      }))
    const current = (principal: Principal, id: DatabaseUserId) =>
      getScoped(sql, spec, principal, id, "database user", withDatabase)
    const visibleDatabase = (principal: Principal, id: DatabaseId) =>
      getScoped(sql, databaseSpec, principal, id, "database", (row) =>
        Effect.succeed(row as { readonly name: string; readonly status: string }),
      )

    const get = Effect.fn("DatabaseUsers.get")(function* (principal: Principal, id: DatabaseUserId) {
      return yield* getScoped(sql, spec, principal, id, "database user", decode)
    })

    const list = Effect.fn("DatabaseUsers.list")(function* (
      principal: Principal,
      databaseId: DatabaseId,
      query: ListQuery,
    ) {
      yield* visibleDatabase(principal, databaseId)
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.database_id = ${databaseId}`, brandFilter(sql, spec.brandColumn, principal)),
        decode,
      )
    })

    const create = Effect.fn("DatabaseUsers.create")(function* (
      principal: Principal,
      databaseId: DatabaseId,
      input: typeof CreateDatabaseUser.Type,
    ) {
      const database = yield* visibleDatabase(principal, databaseId)
      if (database.status === "deleting") return yield* Effect.fail(databaseBeingDeleted())
      // a user reaches only its own database, and its name says which (the rule of names.ts)
      if (!Schema.is(ChildUsername(database.name))(input.username)) {
        return yield* Effect.fail(
          new InvalidInput({
            message: `username ${input.username} must start with its database's name and '_': ${database.name}_`,
            details: { username: input.username },
          }),
        )
      }
      const id = randomUuid()
      const hash = mysqlNativePasswordHash(input.password)
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // a database's delete marks its users under this lock: this one is refused or marked
            const locked = yield* sql<{ status: string }>`SELECT status FROM databases
              WHERE id = ${databaseId} FOR SHARE`
            if (locked[0] === undefined || locked[0].status === "deleting") {
              return yield* Effect.fail(databaseBeingDeleted())
            }
            const [{ n }] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM database_users
              WHERE database_id = ${databaseId}`
            if (n >= DATABASE_USERS_MAX) {
              return yield* Effect.fail(
                new InvalidInput({ message: `a database has at most ${DATABASE_USERS_MAX} users` }),
              )
            }
            yield* sql`INSERT INTO database_users (id, database_id, username, password_hash, privileges, status)
              VALUES (${id}, ${databaseId}, ${input.username}, ${hash}, ${input.privileges ?? "all"}, 'pending')`
          }),
        )
        .pipe(
          onConstraint({
            unique: () =>
              new Conflict({ message: `user name ${input.username} is taken`, details: { username: input.username } }),
          }),
        )
      const answer = yield* get(principal, id as DatabaseUserId)
      yield* reactions.changed({ kind: "database.changed", databaseId, written: [["database_users", [id]]] })
      return answer
    })

    const update = Effect.fn("DatabaseUsers.update")(function* (
      principal: Principal,
      id: DatabaseUserId,
      patch: typeof UpdateDatabaseUser.Type,
    ) {
      const { user, databaseStatus } = yield* current(principal, id)
      if (databaseStatus === "deleting") return yield* Effect.fail(databaseBeingDeleted())
      const hash = patch.password === undefined ? null : mysqlNativePasswordHash(patch.password)
      const rows = yield* sql`UPDATE database_users SET password_hash = COALESCE(${hash}, password_hash),
          privileges = ${patch.privileges ?? user.privileges}, ${markDatabaseRow(sql, "pending")}
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(new Conflict({ message: "the database user is being deleted" }))
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "database.changed",
        databaseId: user.database_id,
        written: [["database_users", [id]]],
      })
      return answer
    })

    const remove = Effect.fn("DatabaseUsers.remove")(function* (principal: Principal, id: DatabaseUserId) {
      const { user, databaseStatus } = yield* current(principal, id)
      // deleting again sends the delete again; a user of a database being deleted goes with it
      if (user.status !== "deleting" && databaseStatus === "deleting") return yield* Effect.fail(databaseBeingDeleted())
      yield* sql`UPDATE database_users SET ${markDatabaseRow(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "database.changed",
        databaseId: user.database_id,
        written: [["database_users", [id]]],
      })
      return answer
    })

    const retry = Effect.fn("DatabaseUsers.retry")(function* (principal: Principal, id: DatabaseUserId) {
      const { user, databaseStatus } = yield* current(principal, id)
      if (databaseStatus === "deleting") return yield* Effect.fail(databaseBeingDeleted())
      const rows = yield* sql`UPDATE database_users SET ${markDatabaseRow(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed database user can be retried; this one is ${user.status}` }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "database.changed",
        databaseId: user.database_id,
        written: [["database_users", [id]]],
      })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
