// Databases as configuration: a tenant's MariaDB databases and their users.
import { CreateDatabase, CreateDatabaseUser } from "@hosting/sdk"
import { fromGroup } from "./calls"
import { literalsOf } from "./schema-options"
import type { Column, ResourceConfig } from "./types"

const created: Column = { key: "created_at", label: "Created" }
const status: Column = { key: "status", label: "Status" }

/** Databases of a tenant: the answer says where an application connects. */
export const databases: ResourceConfig = {
  key: "databases",
  label: "Databases",
  singular: "database",
  parent: "tenants",
  columns: [
    { key: "name", label: "Name" },
    { key: "host", label: "Host" },
    { key: "port", label: "Port" },
    { key: "charset", label: "Charset" },
    status,
    created,
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    { name: "charset", label: "Charset", kind: "select", options: literalsOf(CreateDatabase, "charset") },
    { name: "collation", label: "Collation", kind: "select", options: literalsOf(CreateDatabase, "collation") },
  ],
  editFields: [
    { name: "charset", label: "Charset", kind: "select", options: literalsOf(CreateDatabase, "charset") },
    { name: "collation", label: "Collation", kind: "select", options: literalsOf(CreateDatabase, "collation") },
  ],
  tabs: [{ label: "Users", resource: "database-users" }],
  ...fromGroup("databases"),
}

/** Users of a database; the password is sent, never shown. */
export const databaseUsers: ResourceConfig = {
  key: "database-users",
  label: "Database users",
  singular: "database user",
  parent: "databases",
  columns: [{ key: "username", label: "User" }, { key: "privileges", label: "Privileges" }, status, created],
  titleOf: (r) => String(r["username"]),
  hasDetail: true,
  fields: [
    {
      name: "username",
      label: "User name",
      kind: "text",
      required: true,
      help: "the database's name, '_', then lower-case letters, digits and '_' (at most 32)",
    },
    { name: "password", label: "Password", kind: "password", required: true, help: "12–128 characters" },
    {
      name: "privileges",
      label: "Privileges",
      kind: "select",
      options: literalsOf(CreateDatabaseUser, "privileges"),
    },
  ],
  editFields: [
    { name: "password", label: "New password", kind: "password", help: "12–128 characters; empty keeps it" },
    {
      name: "privileges",
      label: "Privileges",
      kind: "select",
      options: literalsOf(CreateDatabaseUser, "privileges"),
    },
  ],
  ...fromGroup("databaseUsers"),
}
