#!/usr/bin/env node
// Node agent process: serves node activities on `node-{HOSTING_NODE_ID}`.
import { createRequire } from "node:module"
import { NodeId } from "@hosting/core/node"
import { NativeConnection } from "@temporalio/worker"
import { Config, Effect, Schema } from "effect"
import { dnsNodeConfigFromEnv } from "./dns/config.js"
import { DnsNode } from "./dns/node.js"
import { lbNodeConfigFromEnv } from "./lb/config.js"
import { LbNode } from "./lb/node.js"
import { webNodeConfigFromEnv } from "./web/config.js"
import { WebNode } from "./web/node.js"
import { createAgentWorker } from "./worker.js"

const config = await Effect.runPromise(
  Config.all({
    nodeId: Config.string("HOSTING_NODE_ID").pipe(
      Config.validate({ message: "must be a UUID", validation: Schema.is(NodeId) }),
    ),
    temporalAddress: Config.string("HOSTING_TEMPORAL_ADDRESS").pipe(Config.withDefault("127.0.0.1:7233")),
    namespace: Config.string("HOSTING_TEMPORAL_NAMESPACE").pipe(Config.withDefault("default")),
  }),
)
const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

// The web role (nginx, php-fpm, sshd, app supervisor) runs unless HOSTING_AGENT_ROLES leaves it out.
const roles = (process.env.HOSTING_AGENT_ROLES ?? "web").split(",").map((r) => r.trim())
const web = roles.includes("web") ? new WebNode(webNodeConfigFromEnv()) : undefined
await web?.start()
// The lb role (a HAProxy routing host names to web shards) runs when HOSTING_AGENT_ROLES names it.
const lb = roles.includes("lb") ? new LbNode(lbNodeConfigFromEnv()) : undefined
await lb?.start()
// The dns role (PowerDNS on its own PostgreSQL database) runs when HOSTING_AGENT_ROLES names it.
const dns = roles.includes("dns") ? new DnsNode(dnsNodeConfigFromEnv()) : undefined
await dns?.start()

const connection = await NativeConnection.connect({ address: config.temporalAddress })
const worker = await createAgentWorker({
  connection,
  namespace: config.namespace,
  identity: { nodeId: config.nodeId, version },
  web,
  lb,
  dns,
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
await web?.close()
await lb?.close()
await dns?.close()
await connection.close()
