#!/usr/bin/env node
import { PgClient } from "@effect/sql-pg"
// Control-plane worker process: workflows and control-plane activities on `control-plane`.
import { AcmeStates, AuditLogs, LbSync, NodeProbes, Platform, Shards, TenantStates, ZoneStates } from "@hosting/core"
import { Client, Connection } from "@temporalio/client"
import { NativeConnection } from "@temporalio/worker"
import { Config, Effect, Layer, ManagedRuntime } from "effect"
import { acmeSettings } from "./activities/acme.js"
import { temporalWorkflowEngine } from "@hosting/adapters"
import { ensureSchedules } from "./schedules.js"
import { createControlPlaneWorker } from "./worker.js"

const config = await Effect.runPromise(
  Config.all({
    databaseUrl: Config.redacted("HOSTING_DATABASE_URL"),
    temporalAddress: Config.string("HOSTING_TEMPORAL_ADDRESS").pipe(Config.withDefault("127.0.0.1:7233")),
    namespace: Config.string("HOSTING_TEMPORAL_NAMESPACE").pipe(Config.withDefault("default")),
    acme: acmeSettings,
  }),
)

const connection = await NativeConnection.connect({ address: config.temporalAddress })
const client = new Client({
  connection: await Connection.connect({ address: config.temporalAddress }),
  namespace: config.namespace,
})
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    NodeProbes.Default,
    Shards.Default,
    AuditLogs.Default,
    Platform.Default,
    TenantStates.Default,
    LbSync.Default,
    ZoneStates.Default,
    AcmeStates.Default,
  ).pipe(
    Layer.provide(temporalWorkflowEngine(client)),
    Layer.provide(PgClient.layer({ url: config.databaseUrl, maxConnections: 4 })),
    Layer.orDie,
  ),
)
await ensureSchedules(client)
const worker = await createControlPlaneWorker({
  connection,
  namespace: config.namespace,
  runtime,
  acme: config.acme,
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
console.log(`control-plane worker polling ${config.temporalAddress} (${config.namespace})`)
await worker.run()
await runtime.dispose()
await connection.close()
