#!/usr/bin/env node
// API host process: the REST API under /api/v1, /docs, /openapi.json, /healthz, /readyz.
import { hostname } from "node:os"
import { NodeRuntime } from "@effect/platform-node"
import { DatabaseUrlSetting, ipFamily, TemporalSettings } from "@hosting/core"
import { Config, Effect, Layer } from "effect"
import { apiServerLayer } from "./server.js"

const isAddressOrNetwork = (entry: string): boolean => {
  const [address, prefix, ...rest] = entry.split("/")
  const family = ipFamily(address ?? "")
  if (family === undefined || rest.length > 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128)
}

const ApiConfigFromEnv = Config.all({
  host: Config.string("HOSTING_API_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.port("HOSTING_API_PORT").pipe(Config.withDefault(8080)),
  databaseUrl: DatabaseUrlSetting,
  databasePoolSize: Config.integer("HOSTING_DATABASE_POOL_SIZE").pipe(Config.withDefault(8)),
  temporalAddress: Config.map(TemporalSettings, (t) => t.address),
  namespace: Config.map(TemporalSettings, (t) => t.namespace),
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
      // a database role on the same box: the port its databases tell applications to use
      mariadbPort: Config.port("HOSTING_MARIADB_PORT").pipe(Config.withDefault(3306)),
    }),
  ),
  limits: Config.all({
    maxBodyBytes: Config.integer("HOSTING_MAX_BODY_BYTES").pipe(
      Config.validate({ message: "must be between 1 KiB and 64 MiB", validation: (n) => n >= 1024 && n <= 64 << 20 }),
      Config.withDefault(1 << 20),
    ),
    authFailuresPerMinute: Config.integer("HOSTING_AUTH_FAILURES_PER_MINUTE").pipe(
      Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
      Config.withDefault(30),
    ),
    refusalAuditsPerMinute: Config.integer("HOSTING_REFUSED_AUDITS_PER_MINUTE").pipe(
      Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
      Config.withDefault(10),
    ),
  }),
  metrics: Config.all({
    allow: Config.array(Config.string(), "HOSTING_METRICS_ALLOW").pipe(
      Config.validate({
        message: "must be IP addresses or CIDR networks (127.0.0.0/8, ::1)",
        validation: (entries) => entries.every(isAddressOrNetwork),
      }),
      Config.withDefault(["127.0.0.0/8", "::1"]),
    ),
    token: Config.option(Config.redacted("HOSTING_METRICS_TOKEN")),
  }),
})

Effect.flatMap(ApiConfigFromEnv, (config) => Layer.launch(apiServerLayer(config))).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain,
)
