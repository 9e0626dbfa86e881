#!/usr/bin/env node
// API host process: the REST API under /api/v1, /docs, /openapi.json, /healthz, /readyz.
import { hostname } from "node:os"
import { NodeRuntime } from "@effect/platform-node"
import { ipFamily } from "@hosting/core"
import { Config, Effect, Layer } from "effect"
import { apiServerLayer } from "./server.js"

const ApiConfigFromEnv = Config.all({
  host: Config.string("HOSTING_API_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.port("HOSTING_API_PORT").pipe(Config.withDefault(8080)),
  databaseUrl: Config.redacted("HOSTING_DATABASE_URL"),
  databasePoolSize: Config.integer("HOSTING_DATABASE_POOL_SIZE").pipe(Config.withDefault(8)),
  temporalAddress: Config.string("HOSTING_TEMPORAL_ADDRESS").pipe(Config.withDefault("127.0.0.1:7233")),
  namespace: Config.string("HOSTING_TEMPORAL_NAMESPACE").pipe(Config.withDefault("default")),
  bootstrapKey: Config.option(Config.redacted("HOSTING_API_KEY")),
  localNode: Config.option(
    Config.all({
      id: Config.string("HOSTING_LOCAL_NODE_ID"),
      hostname: Config.string("HOSTING_LOCAL_NODE_HOSTNAME").pipe(Config.withDefault(hostname())),
      roles: Config.array(Config.string(), "HOSTING_LOCAL_NODE_ROLES").pipe(Config.withDefault(["web"])),
      addresses: Config.array(Config.string(), "HOSTING_LOCAL_NODE_ADDRESSES").pipe(
        Config.validate({
          message: "must be IPv4 or IPv6 addresses",
          validation: (as) => as.every((a) => ipFamily(a) !== undefined),
        }),
        Config.withDefault([]),
      ),
      // an lb role on the same box sends its traffic to the local web port
      webPort: Config.port("HOSTING_HTTP_PORT").pipe(Config.withDefault(8000)),
    }),
  ),
})

Effect.flatMap(ApiConfigFromEnv, (config) => Layer.launch(apiServerLayer(config))).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain,
)
