import { DatabaseName, DatabaseReplicationSource, DatabaseSpec, DatabaseSpecs, GtidPosition } from "@hosting/core/node"
import { Schema } from "effect"
import { type AgentRole, classify, decode, type RoleDefinition } from "../roles.js"
import { databaseNodeConfigFromEnv } from "./config.js"
import { DatabaseNode } from "./node.js"
import { DatabaseReplicaSeedOffer } from "./seed.js"
import { type DatabaseManagers, databaseManagersLayer } from "./sql.js"
import { DatabaseDumpOffer } from "./transfer.js"

/** The database role: a private MariaDB whose platform databases and users follow their specs. */
export const databaseRole = (db: DatabaseNode): AgentRole => ({
  name: "database",
  start: async () => {
    await db.start()
  },
  close: () => db.close(),
  activities: {
    ensureDatabase: ({ spec }) => classify(() => db.ensureDatabase(decode(DatabaseSpec, spec))),
    removeDatabase: ({ name }) => classify(() => db.removeDatabase(decode(DatabaseName, name))),
    convergeDatabases: ({ databases, plan }) =>
      classify(() => db.convergeDatabases(decode(DatabaseSpecs, databases), decode(Schema.Boolean, plan))),
    describeDatabaseServer: () => classify(() => db.describe()),
    dumpDatabase: ({ name }) => classify(() => db.dumpDatabase(decode(DatabaseName, name))),
    importDatabase: ({ spec, dump }) =>
      classify(() => db.importDatabase(decode(DatabaseSpec, spec), decode(DatabaseDumpOffer, dump))),
    replicationStatus: () => classify(() => db.replicationStatus()),
    replicationSource: () => classify(() => db.replicationSource()),
    followPrimary: (source) => classify(() => db.followPrimary(decode(DatabaseReplicationSource, source))),
    offerReplicaSeed: () => classify(() => db.offerReplicaSeed()),
    seedFromPrimary: ({ source, seed }) =>
      classify(() =>
        db.seedFromPrimary(decode(DatabaseReplicationSource, source), decode(DatabaseReplicaSeedOffer, seed)),
      ),
    promote: (input) =>
      classify(() =>
        db.promote(decode(Schema.Struct({ force: Schema.optional(Schema.Boolean) }), input).force ?? false),
      ),
    demote: ({ source }) => classify(() => db.demote(decode(DatabaseReplicationSource, source))),
    catchUp: ({ position }) => classify(() => db.catchUp(decode(GtidPosition, position))),
    reopen: ({ source }) => classify(() => db.reopen(decode(DatabaseReplicationSource, source))),
  },
})

/** The database role from the environment: its manager's layer, and the role over the agent's runtime. */
export const databaseRoleFromEnv = (env: NodeJS.ProcessEnv): RoleDefinition<DatabaseManagers> => {
  const config = databaseNodeConfigFromEnv(env)
  return {
    layer: databaseManagersLayer(config),
    make: (runtime) => databaseRole(new DatabaseNode(config, runtime)),
  }
}
