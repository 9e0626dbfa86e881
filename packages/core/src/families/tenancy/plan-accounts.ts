import { APP_RUNTIMES, DEFAULT_ENTRYPOINT, type WebRuntime } from "./domain.js"
import type { TenantSpec } from "./domain-spec.js"
import { linuxUser, type NodeLayout, tenantHome, webrootDir } from "./plan-layout.js"

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

/** Placeholder page of a new static or PHP webroot, until the tenant uploads its own. */
export const PLACEHOLDER_PAGE = `<!doctype html>
<title>Site ready</title>
<h1>This site is ready</h1>
<p>Upload your files to replace this page.</p>
`

/** One directory of a tenant's account: who owns it, its mode, and the ACL nginx's user gets. */
export interface PlannedDir {
  readonly path: string
  /** `root` with the tenant's group, or the tenant itself. */
  readonly owner: "root" | "tenant"
  readonly mode: number
  /** setfacl `-m` argument applied when the directory is created or fixed. */
  readonly acl: string | undefined
  /** A new one gets the placeholder page (static and PHP webroots). */
  readonly placeholder: boolean
}

/** The directories of a tenant's account on a node, home (the SFTP chroot) first. */
export const planAccountDirs = (layout: NodeLayout, spec: TenantSpec, webUser: string): ReadonlyArray<PlannedDir> => {
  const user = linuxUser(layout, spec.name)
  const home = tenantHome(layout, user)
  return [
    // the chroot: root-owned, the tenant's own group, no one else (nginx gets traverse only)
    { path: home, owner: "root", mode: 0o750, acl: `u:${webUser}:x`, placeholder: false },
    { path: `${home}/webroots`, owner: "tenant", mode: 0o750, acl: `u:${webUser}:x`, placeholder: false },
    { path: `${home}/logs`, owner: "tenant", mode: 0o750, acl: undefined, placeholder: false },
    { path: `${home}/tmp`, owner: "tenant", mode: 0o700, acl: undefined, placeholder: false },
    ...spec.webroots.map(
      (w): PlannedDir => ({
        path: webrootDir(layout, user, w.name),
        owner: "tenant",
        mode: 0o750,
        // nginx reads static files; the default ACL extends that to files uploaded later
        acl: `u:${webUser}:rx,d:u:${webUser}:rX`,
        placeholder: w.runtime === "static" || w.runtime === "php",
      }),
    ),
  ]
}
