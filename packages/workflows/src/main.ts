#!/usr/bin/env node
import { PgClient } from "@effect/sql-pg"
import { temporalWorkflowEngine } from "@hosting/adapters"
// Control-plane worker process: workflows and control-plane activities on `control-plane`.
import {
  AcmeStates,
  AuditLogs,
  DatabaseReplicationStates,
  DatabaseStates,
  DatabaseUrlSetting,
  LbSync,
  MailDomainStates,
  NodeProbes,
  Platform,
  S3BucketStates,
  Shards,
  TemporalSettings,
  TenantStates,
  ZoneStates,
} from "@hosting/core"
import { Client, Connection } from "@temporalio/client"
import { NativeConnection } from "@temporalio/worker"
import { Config, Effect, Layer, ManagedRuntime } from "effect"
import { acmeSettings } from "./activities/acme.js"
import { ensureSchedules } from "./schedules.js"
import { createControlPlaneWorker } from "./worker.js"

const config = await Effect.runPromise(
  Config.all({
    databaseUrl: DatabaseUrlSetting,
    temporal: TemporalSettings,
    acme: acmeSettings,
  }),
)

const connection = await NativeConnection.connect({ address: config.temporal.address })
const client = new Client({
  connection: await Connection.connect({ address: config.temporal.address }),
  namespace: config.temporal.namespace,
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
    S3BucketStates.Default,
    DatabaseStates.Default,
    DatabaseReplicationStates.Default,
    MailDomainStates.Default,
  ).pipe(
    Layer.provide(temporalWorkflowEngine(client)),
    Layer.provide(PgClient.layer({ url: config.databaseUrl, maxConnections: 4 })),
    Layer.orDie,
  ),
)
await ensureSchedules(client)
const worker = await createControlPlaneWorker({
  connection,
  namespace: config.temporal.namespace,
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
console.log(`control-plane worker polling ${config.temporal.address} (${config.temporal.namespace})`)
await worker.run()
await runtime.dispose()
await connection.close()
