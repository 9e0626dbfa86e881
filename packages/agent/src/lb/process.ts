import { HaproxyProcess, HaproxyUnavailable, lbPaths } from "@hosting/core/node"
import { Effect, Layer } from "effect"
import type { LbNodeConfig } from "./config.js"
import { haproxyPid, startOrReloadHaproxy } from "./daemon.js"
import { haproxyCli } from "./socket.js"

const unavailable = (e: unknown) => new HaproxyUnavailable({ message: e instanceof Error ? e.message : String(e) })

/** The live HaproxyProcess: the pid file, the admin socket, and `haproxy -D` (with `-x`/`-sf` to reload). */
export const haproxyProcessLayer = (config: LbNodeConfig) =>
  Layer.succeed(
    HaproxyProcess,
    HaproxyProcess.of({
      running: Effect.sync(() => haproxyPid(config.layout.root) !== undefined),
      cli: (request) =>
        Effect.tryPromise({ try: () => haproxyCli(lbPaths(config.layout.root).socket, request), catch: unavailable }),
      startOrReload: Effect.tryPromise({ try: () => startOrReloadHaproxy(config), catch: unavailable }),
    }),
  )
