#!/usr/bin/env node
// Node agent process: serves node activities on `node-{HOSTING_NODE_ID}`.
import { createRequire } from "node:module"
import {
  type HaproxyManager,
  type MailManager,
  type MariaDbManager,
  type MariaDbReplication,
  NodeId,
  type PowerDnsManager,
  type RgwManager,
  TemporalSettings,
} from "@hosting/core/node"
import { NativeConnection } from "@temporalio/worker"
import { Config, Effect, Layer, ManagedRuntime, Schema } from "effect"
import { databaseRoleFromEnv } from "./database/role.js"
import { dnsRoleFromEnv } from "./dns/role.js"
import { emailRoleFromEnv } from "./email/role.js"
import { lbRoleFromEnv } from "./lb/role.js"
import { parseRoles, type RoleName } from "./roles.js"
import { s3RoleFromEnv } from "./s3/role.js"
import type { WebManagers } from "./web/managers.js"
import { webRoleFromEnv } from "./web/role.js"
import { createAgentWorker } from "./worker.js"

/** Every role this agent can serve; HOSTING_AGENT_ROLES picks which run. */
const registry = {
  // nginx, php-fpm, sshd and the app supervisor
  web: webRoleFromEnv,
  // a HAProxy routing host names to web shards
  lb: lbRoleFromEnv,
  // PowerDNS on its own PostgreSQL database
  dns: dnsRoleFromEnv,
  // a private MariaDB for customers' databases
  database: databaseRoleFromEnv,
  // Postfix, Dovecot and OpenDKIM of the node's own, for hosted mailboxes
  email: emailRoleFromEnv,
  // a one-node Ceph (mon, one OSD, radosgw) for S3 buckets
  s3: s3RoleFromEnv,
} satisfies Record<RoleName, unknown>

const config = await Effect.runPromise(
  Config.all({
    nodeId: Config.string("HOSTING_NODE_ID").pipe(
      Config.validate({ message: "must be a UUID", validation: Schema.is(NodeId) }),
    ),
    temporal: TemporalSettings,
    roles: Config.string("HOSTING_AGENT_ROLES").pipe(Config.withDefault("web")),
  }),
)
const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

const definitions = parseRoles(config.roles).map((name) => registry[name](process.env))
// The agent's one runtime: every served role's core managers over the live capabilities. Only the
// served roles' layers are in it, and each role made from it asks only for its own managers, so
// typing it as providing every role's managers is sound for the roles that use it.
const runtime = ManagedRuntime.make(
  Layer.mergeAll(Layer.empty, ...definitions.map((d) => d.layer)) as Layer.Layer<
    WebManagers | HaproxyManager | PowerDnsManager | MariaDbManager | MariaDbReplication | MailManager | RgwManager
  >,
)
const roles = definitions.map((d) => d.make(runtime))
for (const role of roles) await role.start()

const connection = await NativeConnection.connect({ address: config.temporal.address })
const worker = await createAgentWorker({
  connection,
  namespace: config.temporal.namespace,
  identity: { nodeId: config.nodeId, version },
  roles,
})
// Ctrl-C in a terminal reaches the whole process group and the launcher then sends SIGTERM too:
// shut down once, ignore the second signal.
let shuttingDown = false
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (shuttingDown) return
    shuttingDown = true
    worker.shutdown()
  })
}
console.log(`agent for node ${config.nodeId} polling node-${config.nodeId}`)
await worker.run()
// the node's daemons (HAProxy too) and tenants' apps keep running: sites stay up while the agent restarts
for (const role of roles) await role.close()
await runtime.dispose()
await connection.close()
