import { HttpApiGroup } from "@effect/platform"
import { asyncChildResource } from "../../api/async-resource.js"
import { InvalidInputError } from "../../api/errors.js"
import { Authorization, Destructive, ToolDomain } from "../../api/security.js"
import { TenantId } from "../../domain/ids.js"
import {
  CreateDatabase,
  CreateDatabaseUser,
  Database,
  DatabaseId,
  DatabaseUser,
  DatabaseUserId,
  MigrateDatabase,
  UpdateDatabase,
  UpdateDatabaseUser,
} from "./domain-resource.js"

/**
 * Databases of tenants (MariaDB on database shards) and their users. Every change the database
 * nodes must apply answers 202 with the resource `pending` (or `deleting`); the database's sync
 * makes it `active` or `failed`, and removes deleted rows.
 */

const database = asyncChildResource({
  name: "database",
  scope: "databases",
  schema: Database,
  collection: "/tenants/:id/databases",
  parent: TenantId,
  path: "/databases/:id",
  id: DatabaseId,
})

const databaseUser = asyncChildResource({
  name: "database user",
  scope: "database-users",
  schema: DatabaseUser,
  collection: "/databases/:id/users",
  parent: DatabaseId,
  path: "/database-users/:id",
  id: DatabaseUserId,
})

/** MySQL-compatible databases of tenants; the answer says how an application connects (host, port, name). */
export class DatabasesGroup extends HttpApiGroup.make("databases")
  .annotate(ToolDomain, "databases")
  .add(database.list({ summary: "List the databases of a tenant", sort: ["name", "created_at"] }))
  .add(
    database.create({
      summary: "Create a database on a database shard of the tenant's brand (async, 202)",
      payload: CreateDatabase,
      invalidInput: true,
    }),
  )
  .add(database.get())
  .add(
    database.update({
      summary: "Change a database's default charset and collation (async, 202)",
      payload: UpdateDatabase,
      async: true,
    }),
  )
  .add(database.delete("Drop a database and its users (async, 202)"))
  .add(database.retry())
  .add(
    database
      .action(
        "migrate",
        "/migrate",
        "Move a database with its users to another database shard (async, 202); writes made while it runs are lost",
      )
      .setPayload(MigrateDatabase)
      .addError(InvalidInputError)
      .annotate(Destructive, true),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}

/** Users of a database: each reaches only its own database, with all privileges or read-only. */
export class DatabaseUsersGroup extends HttpApiGroup.make("databaseUsers")
  .annotate(ToolDomain, "databases")
  .add(databaseUser.list({ summary: "List the users of a database", sort: ["username", "created_at"] }))
  .add(
    databaseUser.create({
      summary: "Add a user to a database (async, 202); its password is never returned",
      payload: CreateDatabaseUser,
      invalidInput: true,
    }),
  )
  .add(databaseUser.get())
  .add(
    databaseUser.update({
      summary: "Change a database user's password or privileges (async, 202)",
      payload: UpdateDatabaseUser,
      async: true,
    }),
  )
  .add(databaseUser.delete("Remove a database user (async, 202)"))
  .add(databaseUser.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

export const databasesGroups = [DatabasesGroup, DatabaseUsersGroup] as const

export * from "./domain.js"
export * from "./domain-replication.js"
export * from "./domain-resource.js"
