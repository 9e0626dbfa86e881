import { HttpApiBuilder } from "@effect/platform"
import { Databases, DatabaseUsers, HostingApi } from "@hosting/core"
import { Effect } from "effect"
import { asyncChildHandlers, byIdWith, handleWithPrincipal } from "./principal.js"

/** Databases of tenants. */
export const DatabasesLive = HttpApiBuilder.group(HostingApi, "databases", (handlers) =>
  Effect.map(Databases, (databases) =>
    handleWithPrincipal(handlers, { ...asyncChildHandlers(databases), migrate: byIdWith(databases.migrate) }),
  ),
)

/** Users of databases. */
export const DatabaseUsersLive = HttpApiBuilder.group(HostingApi, "databaseUsers", (handlers) =>
  Effect.map(DatabaseUsers, (users) => handleWithPrincipal(handlers, asyncChildHandlers(users))),
)

export const databasesHandlers = [DatabasesLive, DatabaseUsersLive] as const
