import { APP_RUNTIMES, DEFAULT_ENTRYPOINT, type WebRuntime } from "./tenancy.js"
import type { TenantSpec } from "./web-spec.js"

/** authorized_keys of the tenant; empty while suspended, which refuses SFTP/SSH at once. */
export const renderAuthorizedKeys = (spec: TenantSpec): string =>
  spec.suspended || spec.ssh_keys.length === 0 ? "" : `${[...spec.ssh_keys].sort().join("\n")}\n`

/** An app process the agent supervises for a webroot. */
export interface PlannedApp {
  /** `{webroot}` or `{webroot}-{n}` for a worker's n-th process. */
  readonly id: string
  readonly webroot: string
  readonly interpreter: "node" | "python" | "ruby"
  readonly entrypoint: string
  /** Whether nginx proxies to it (it gets a PORT). */
  readonly http: boolean
}

const interpreterOf = (runtime: WebRuntime, entrypoint: string): PlannedApp["interpreter"] =>
  runtime === "python" || (runtime === "worker" && entrypoint.endsWith(".py"))
    ? "python"
    : runtime === "ruby" || (runtime === "worker" && entrypoint.endsWith(".rb"))
      ? "ruby"
      : "node"

/** The app processes of a tenant; none while suspended. */
export const planTenantApps = (spec: TenantSpec): ReadonlyArray<PlannedApp> =>
  spec.suspended
    ? []
    : spec.webroots.flatMap((w): ReadonlyArray<PlannedApp> => {
        if (!APP_RUNTIMES.includes(w.runtime)) return []
        const entrypoint = w.entrypoint ?? DEFAULT_ENTRYPOINT[w.runtime] ?? "server.js"
        const interpreter = interpreterOf(w.runtime, entrypoint)
        if (w.runtime !== "worker") return [{ id: w.name, webroot: w.name, interpreter, entrypoint, http: true }]
        return Array.from({ length: w.numprocs }, (_, i) => ({
          id: `${w.name}-${i + 1}`,
          webroot: w.name,
          interpreter,
          entrypoint,
          http: false,
        }))
      })
