import { defineFamily } from "../family.js"
import { databasesMigrations } from "./migrations.js"
import { Databases } from "./service-databases.js"
import { ShardReplications } from "./service-replication.js"
import { DatabaseUsers } from "./service-users.js"

/** Databases of tenants and their users: a family with a serializer of its own (`database:{id}:sync`). */
export const databasesFamily = defineFamily({
  name: "databases",
  services: [Databases.Default, DatabaseUsers.Default, ShardReplications.Default],
  migrations: databasesMigrations,
})

export * from "./contract.js"
export * from "./service-databases.js"
export * from "./service-replication.js"
export * from "./service-users.js"
export * from "./states.js"
export * from "./states-replication.js"
