import { SqlClient } from "@effect/sql/SqlClient"
import { CONTROL_PLANE_TASK_QUEUE, nodeTaskQueue, Readiness } from "@hosting/core"
import type { Client } from "@temporalio/client"
import { Context, Duration, Effect, Layer } from "effect"

type Check = { readonly ok: boolean; readonly message?: string }

/** Computes /readyz: database, Temporal, and the workers that must be polling. */
export class ReadinessProbe extends Context.Tag("@hosting/api/ReadinessProbe")<
  ReadinessProbe,
  { readonly check: Effect.Effect<Readiness> }
>() {}

// A poller counts as live if Temporal saw it within this window; workers long-poll for ~60 s.
const POLLER_FRESH_MS = 90_000

const ok: Check = { ok: true }
const failed = (e: unknown): Check => ({ ok: false, message: e instanceof Error ? e.message : String(e) })

/** Readiness against a Temporal client; `nodeIds` are agents that must be polling too. */
export const readinessLive = (options: {
  readonly client: Client
  readonly namespace: string
  readonly nodeIds: ReadonlyArray<string>
}) =>
  Layer.effect(
    ReadinessProbe,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const service = options.client.workflowService

      const pollers = (name: string, type: 1 | 2) =>
        Effect.tryPromise(() =>
          service.describeTaskQueue({ namespace: options.namespace, taskQueue: { name }, taskQueueType: type }),
        ).pipe(
          Effect.map((r): Check => {
            const now = Date.now()
            const live = (r.pollers ?? []).filter((p) => {
              const t = p.lastAccessTime
              const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0
              return now - ms < POLLER_FRESH_MS
            })
            return live.length > 0 ? ok : { ok: false, message: `no worker is polling ${name}` }
          }),
          Effect.catchAll((e) => Effect.succeed(failed(e))),
        )

      const withTimeout = (name: string, e: Effect.Effect<Check>) =>
        e.pipe(
          Effect.timeoutTo({
            duration: Duration.seconds(3),
            onSuccess: (c) => c,
            onTimeout: () => ({ ok: false, message: `${name} check timed out` }),
          }),
        )

      const check = Effect.gen(function* () {
        const entries: Array<readonly [string, Effect.Effect<Check>]> = [
          [
            "database",
            sql`SELECT 1`.pipe(
              Effect.as(ok),
              Effect.catchAll((e) => Effect.succeed(failed(e))),
            ),
          ],
          [
            "temporal",
            Effect.tryPromise(() => service.getSystemInfo({})).pipe(
              Effect.as(ok),
              Effect.catchAll((e) => Effect.succeed(failed(e))),
            ),
          ],
          // 1 = workflow task queue, 2 = activity task queue
          ["control_plane_worker", pollers(CONTROL_PLANE_TASK_QUEUE, 1)],
          ...options.nodeIds.map((id) => [`node_agent:${id}`, pollers(nodeTaskQueue(id), 2)] as const),
        ]
        const results = yield* Effect.forEach(
          entries,
          ([name, e]) => withTimeout(name, e).pipe(Effect.map((c) => [name, c] as const)),
          {
            concurrency: "unbounded",
          },
        )
        const checks = Object.fromEntries(results)
        return new Readiness({ ready: results.every(([, c]) => c.ok), checks })
      })
      return { check }
    }),
  )
