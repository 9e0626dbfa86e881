import { existsSync, readdirSync, readFileSync } from "node:fs"
import { chown, readdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import type { TenantArchive } from "@hosting/core/node"
import {
  type AcmeChallenge,
  acmeChallengeDir,
  acmeRoot,
  certFiles,
  certsDir,
  linuxUser,
  NginxConfig,
  type NginxConfigRejected,
  NginxManager,
  type NginxUnavailable,
  PLATFORM_FILE_PREFIX,
  type PlannedFile,
  phpSocket,
  planTenantApps,
  planTenantPools,
  planTenantSites,
  renderAuthorizedKeys,
  type TenantSpec,
  tenantCertPrefix,
  tenantHome,
  tenantPoolPrefix,
  tenantSitePrefix,
  webrootDir,
} from "@hosting/core/node"
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { ConfigRejected } from "../roles.js"
import { AppSupervisor } from "./apps.js"
import type { WebNodeConfig } from "./config.js"
import { ensureDaemons, nodePaths, reloadPhpFpm } from "./daemons.js"
import { CommandFailed, run } from "./exec.js"
import { ensureDir, readIfExists, removePath, syncFiles, writeIfChanged } from "./files.js"
import { TenantTransfer } from "./transfer.js"
import { createUser, deleteUser, type LinuxUser, readUsers } from "./users.js"

/** What one ensure changed (or, in a plan, would change). */
export interface WebReport {
  readonly changes: Array<Change>
  readonly reloads: { nginx: number; php: number }
  readonly errors: Array<{ readonly tenant: string; readonly message: string }>
}

/** One change to a node. */
export interface Change {
  readonly action: "create" | "update" | "delete"
  readonly kind: string
  readonly target: string
}

const change = (action: Change["action"], kind: string, target: string): Change => ({ action, kind, target })
const files = (
  kind: string,
  c: { readonly written: ReadonlyArray<string>; readonly removed: ReadonlyArray<string> },
) => [...c.written.map((f) => change("update", kind, f)), ...c.removed.map((f) => change("delete", kind, f))]

const WEBROOT_DIR = /^web_[a-z0-9]{10}$/

const PLACEHOLDER = `<!doctype html>
<title>Site ready</title>
<h1>This site is ready</h1>
<p>Upload your files to replace this page.</p>
`

/**
 * The web tier of one node: tenants' users and homes, PHP-FPM pools, supervised apps, SSH keys
 * and nginx sites, ensured from TenantSpecs. Every operation is idempotent and they run one at a
 * time (a node-wide lock), so a converge never interleaves with a tenant's sync on this node.
 */
export class WebNode {
  private readonly paths
  private readonly apps: AppSupervisor
  private readonly nginx
  private readonly transfer: TenantTransfer
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly config: WebNodeConfig) {
    this.paths = nodePaths(config.layout.root)
    this.apps = new AppSupervisor(this.paths.apps, {
      node: config.binaries.node,
      python: config.binaries.python,
      ruby: config.binaries.ruby,
    })
    this.transfer = new TenantTransfer(join(config.layout.root, "transfer"), config.transfer.host, config.transfer.port)
    this.nginx = ManagedRuntime.make(
      NginxManager.Default.pipe(
        Layer.provide(
          Layer.succeed(NginxConfig, {
            binary: config.binaries.nginx,
            prefix: this.paths.nginxPrefix,
            configFile: this.paths.nginxConf,
            sitesDir: this.paths.sites,
          }),
        ),
        Layer.provide(NodeContext.layer),
      ),
    )
  }

  /** Brings the daemons up and starts the app watchdog. */
  async start(): Promise<void> {
    await this.locked(() => ensureDaemons(this.config))
    await this.transfer.start()
    this.apps.startWatchdog()
  }

  async close(): Promise<void> {
    this.apps.stopWatchdog()
    await this.transfer.close()
    await this.nginx.dispose()
  }

  /**
   * Serves ACME HTTP-01 responses from the node's challenge directory (root-owned, readable by
   * nginx's workers); no reload: every server block already answers from there.
   */
  async putAcmeChallenges(challenges: ReadonlyArray<AcmeChallenge>): Promise<void> {
    const dir = acmeChallengeDir(this.config.layout)
    await ensureDir(acmeRoot(this.config.layout), 0, 0, 0o755)
    await ensureDir(`${acmeRoot(this.config.layout)}/.well-known`, 0, 0, 0o755)
    await ensureDir(dir, 0, 0, 0o755)
    for (const c of challenges) await writeIfChanged(join(dir, c.token), c.key_authorization, 0o644)
  }

  /** Stops serving these challenge responses. */
  async removeAcmeChallenges(tokens: ReadonlyArray<string>): Promise<void> {
    const dir = acmeChallengeDir(this.config.layout)
    for (const t of tokens) await rm(join(dir, t), { force: true })
  }

  private locked<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => {})
    return next
  }

  /** `reload`: test and reload even without a site change (certificate files changed). */
  private async nginxEnsure(files: ReadonlyArray<PlannedFile>, scope: string, dryRun: boolean, reload = false) {
    const manager = Effect.flatMap(NginxManager, (m) =>
      dryRun ? m.plan(files, scope) : m.ensure(files, scope, reload),
    )
    const exit = await this.nginx.runPromiseExit(manager)
    if (Exit.isSuccess(exit)) return exit.value
    // unwrapped here: runPromise would hide the error in a FiberFailure, and the activity could
    // no longer tell a rejected config (never retried) from an outage (retried)
    const failure = Cause.squash(exit.cause) as NginxConfigRejected | NginxUnavailable | Error
    if ("_tag" in failure && failure._tag === "NginxConfigRejected")
      throw new ConfigRejected(`nginx rejected the configuration: ${failure.message}`)
    throw failure instanceof Error ? failure : new Error(String(failure))
  }

  /** Writes pool files and reloads php-fpm once, gated by `php-fpm -t`; waits for the sockets. */
  private async applyPools(
    wanted: ReadonlyArray<PlannedFile>,
    scope: string,
    dryRun: boolean,
  ): Promise<{ changes: Array<Change>; reloaded: boolean }> {
    const sync = await syncFiles(this.paths.pools, wanted, scope, dryRun)
    const changes = files("php_pool", sync)
    if (dryRun || changes.length === 0) return { changes, reloaded: false }
    try {
      await run(this.config.binaries.phpFpm, ["-t", "-y", this.paths.phpConf])
    } catch (e) {
      await sync.restore()
      throw new ConfigRejected(`php-fpm rejected the pools: ${(e as Error).message}`)
    }
    reloadPhpFpm(this.config)
    const sockets = (files: ReadonlyArray<string>) =>
      files.map((f) => join(this.paths.phpRun, `${f.slice(PLATFORM_FILE_PREFIX.length, -".conf".length)}.sock`))
    const up = sockets(wanted.map((w) => w.file))
    const down = sockets(sync.removed)
    // USR2 is asynchronous: nginx must not be pointed at a socket before it exists
    for (let i = 0; i < 200; i++) {
      if (up.every(existsSync) && !down.some(existsSync)) break
      await new Promise((r) => setTimeout(r, 25))
    }
    return { changes, reloaded: true }
  }

  /** Users, homes, webroot dirs and keys of one tenant; pools, apps and nginx are the caller's. */
  private async ensureAccount(
    spec: TenantSpec,
    users: Map<string, LinuxUser>,
    dryRun: boolean,
    acls: Map<string, Array<string>>,
  ) {
    const changes: Array<Change> = []
    const name = linuxUser(this.config.layout, spec.name)
    const home = tenantHome(this.config.layout, name)
    let user = users.get(name)
    if (user === undefined) {
      changes.push(change("create", "user", name))
      if (dryRun) return { changes, user: undefined }
      user = await createUser(this.config, name, home)
      users.set(name, user)
    }
    const web = this.config.webUser
    const placeholders = new Set(
      spec.webroots
        .filter((w) => w.runtime === "static" || w.runtime === "php")
        .map((w) => webrootDir(this.config.layout, name, w.name))
        .filter((d) => !existsSync(d)),
    )
    const dirs: Array<[string, number, number, number, string | undefined]> = [
      // the chroot: root-owned, the tenant's own group, no one else (nginx gets traverse only)
      [home, 0, user.gid, 0o750, `u:${web}:x`],
      [join(home, "webroots"), user.uid, user.gid, 0o750, `u:${web}:x`],
      [join(home, "logs"), user.uid, user.gid, 0o750, undefined],
      [join(home, "tmp"), user.uid, user.gid, 0o700, undefined],
      ...spec.webroots.map((w): [string, number, number, number, string | undefined] => [
        webrootDir(this.config.layout, name, w.name),
        user!.uid,
        user!.gid,
        0o750,
        // nginx reads static files; the default ACL extends that to files uploaded later
        `u:${web}:rx,d:u:${web}:rX`,
      ]),
    ]
    for (const [dir, uid, gid, mode, acl] of dirs) {
      if (dryRun) {
        if (!existsSync(dir)) changes.push(change("create", "directory", dir))
        continue
      }
      if (await ensureDir(dir, uid, gid, mode)) {
        changes.push(change("update", "directory", dir))
        if (acl !== undefined) acls.set(acl, [...(acls.get(acl) ?? []), dir])
      }
      if (placeholders.has(dir)) {
        // a new site answers at once with a page saying so, until the tenant uploads its own
        const index = join(dir, "index.html")
        await writeFile(index, PLACEHOLDER, { mode: 0o644, flag: "wx" }).catch(() => {})
        await chown(index, user.uid, user.gid)
      }
    }
    const wantedDirs = new Set(spec.webroots.map((w) => w.name))
    const webroots = join(home, "webroots")
    if (existsSync(webroots))
      for (const d of await readdir(webroots)) {
        if (!WEBROOT_DIR.test(d) || wantedDirs.has(d)) continue
        changes.push(change("delete", "directory", join(webroots, d)))
        if (!dryRun) await removePath(join(webroots, d))
      }
    const keysFile = join(this.paths.keys, name)
    const keys = renderAuthorizedKeys(spec)
    if ((await readIfExists(keysFile)) !== keys) {
      changes.push(change("update", "authorized_keys", name))
      if (!dryRun) await writeIfChanged(keysFile, keys, 0o644)
    }
    return { changes, user }
  }

  /** ACLs for new directories, one setfacl per ACL and 500 paths (a process per directory is slow). */
  private async applyAcls(acls: Map<string, Array<string>>): Promise<void> {
    for (const [acl, dirs] of acls)
      for (let i = 0; i < dirs.length; i += 500) await run("setfacl", ["-m", acl, ...dirs.slice(i, i + 500)])
    acls.clear()
  }

  private async appsOf(spec: TenantSpec, user: LinuxUser, dryRun: boolean): Promise<Array<Change>> {
    const planned = planTenantApps(spec)
    const done = dryRun
      ? this.apps.plan(user, planned)
      : await this.apps.ensure(
          { name: user.name, uid: user.uid, gid: user.gid, home: tenantHome(this.config.layout, user.name) },
          planned,
          (w) => webrootDir(this.config.layout, user.name, w),
        )
    return done.map((c) => change(c.action, "app", c.id))
  }

  /** Certificate and key files of a tenant's TLS names (file names relative to the certs dir). */
  private certsOf(spec: TenantSpec): Array<{ file: string; content: string; mode: number }> {
    const user = linuxUser(this.config.layout, spec.name)
    const dir = `${certsDir(this.config.layout)}/`
    return (spec.certificates ?? []).flatMap((c) => {
      const f = certFiles(this.config.layout, user, c.hostname)
      return [
        { file: f.certificate.slice(dir.length), content: c.certificate_pem, mode: 0o644 },
        { file: f.key.slice(dir.length), content: c.private_key_pem, mode: 0o600 },
      ]
    })
  }

  /**
   * Writes the wanted certificate files (root-owned; keys 0600), only those differing, and returns
   * a function removing the files of `scope` no longer wanted: called once nginx no longer names them.
   */
  private async ensureCerts(
    wanted: ReadonlyArray<{ file: string; content: string; mode: number }>,
    scope: string,
    dryRun: boolean,
  ): Promise<{ changes: Array<Change>; prune: () => Promise<Array<Change>> }> {
    const dir = certsDir(this.config.layout)
    if (!dryRun) await ensureDir(dir, 0, 0, 0o700)
    const changes: Array<Change> = []
    for (const w of wanted) {
      const file = join(dir, w.file)
      if ((await readIfExists(file)) === w.content) continue
      changes.push(change("update", "certificate", w.file))
      if (!dryRun) await writeIfChanged(file, w.content, w.mode)
    }
    const keep = new Set(wanted.map((w) => w.file))
    const prune = async () => {
      const removed: Array<Change> = []
      for (const f of existsSync(dir) ? await readdir(dir) : []) {
        if (!f.startsWith(scope) || keep.has(f) || !/\.(crt|key)$/.test(f)) continue
        removed.push(change("delete", "certificate", f))
        if (!dryRun) await rm(join(dir, f), { force: true })
      }
      return removed
    }
    return { changes, prune }
  }

  private sitesOf(spec: TenantSpec) {
    const name = linuxUser(this.config.layout, spec.name)
    return planTenantSites(this.config.layout, spec, this.apps.ports(name))
  }

  /** Ensures one tenant on this node: one php-fpm reload and one nginx reload at most. */
  ensureTenant(spec: TenantSpec): Promise<WebReport> {
    return this.locked(async () => {
      await ensureDaemons(this.config)
      const users = await readUsers()
      const acls = new Map<string, Array<string>>()
      const { changes, user } = await this.ensureAccount(spec, users, false, acls)
      await this.applyAcls(acls)
      const name = user!.name
      const pools = await this.applyPools(planTenantPools(this.config.layout, spec), tenantPoolPrefix(name), false)
      changes.push(...pools.changes, ...(await this.appsOf(spec, user!, false)))
      const certs = await this.ensureCerts(this.certsOf(spec), tenantCertPrefix(name), false)
      changes.push(...certs.changes)
      const nginx = await this.nginxEnsure(this.sitesOf(spec), tenantSitePrefix(name), false, certs.changes.length > 0)
      changes.push(...files("nginx_site", nginx), ...(await certs.prune()))
      return {
        changes,
        reloads: { nginx: nginx.reloaded ? 1 : 0, php: pools.reloaded ? 1 : 0 },
        errors: [],
      }
    })
  }

  /** Removes everything of a tenant from this node: sites, pools, apps, keys, user, home. */
  removeTenant(tenant: string): Promise<WebReport> {
    return this.locked(async () => {
      const name = linuxUser(this.config.layout, tenant)
      const nginx = await this.nginxEnsure([], tenantSitePrefix(name), false)
      const certs = await (await this.ensureCerts([], tenantCertPrefix(name), false)).prune()
      const pools = await this.applyPools([], tenantPoolPrefix(name), false)
      await this.apps.stopUser(name)
      await rm(join(this.paths.keys, name), { force: true })
      const user = (await readUsers()).get(name)
      if (user !== undefined) await this.killUserProcesses(user.uid)
      const deleted = await deleteUser(name)
      await removePath(tenantHome(this.config.layout, name))
      return {
        changes: [
          ...files("nginx_site", nginx),
          ...certs,
          ...pools.changes,
          ...(deleted ? [change("delete", "user", name)] : []),
        ],
        reloads: { nginx: nginx.reloaded ? 1 : 0, php: pools.reloaded ? 1 : 0 },
        errors: [],
      }
    })
  }

  /** Stragglers of a user (a PHP child finishing a request): found by UID, stopped by PID. */
  private async killUserProcesses(uid: number): Promise<void> {
    const pids = () =>
      readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readFileSync(`/proc/${d}/status`, "utf8"))
          } catch {
            return false
          }
        })
        .map(Number)
    for (const pid of pids()) process.kill(pid, "SIGKILL")
    for (let i = 0; i < 100 && pids().length > 0; i++) await new Promise((r) => setTimeout(r, 20))
  }

  /**
   * Converges the whole web tier of this node to `specs`: every tenant ensured (errors collected
   * per tenant, not stopping), then ONE php-fpm reload and ONE nginx reload for everything, stray
   * platform files removed. With `dryRun`, reports the changes and changes nothing.
   */
  converge(specs: ReadonlyArray<TenantSpec>, dryRun: boolean): Promise<WebReport> {
    return this.locked(async () => {
      if (!dryRun) await ensureDaemons(this.config)
      const report: WebReport = { changes: [], reloads: { nginx: 0, php: 0 }, errors: [] }
      const users = await readUsers()
      const ok: Array<{ spec: TenantSpec; user: LinuxUser | undefined }> = []
      const acls = new Map<string, Array<string>>()
      for (const spec of specs) {
        try {
          const { changes, user } = await this.ensureAccount(spec, users, dryRun, acls)
          report.changes.push(...changes)
          ok.push({ spec, user })
        } catch (e) {
          report.errors.push({ tenant: spec.name, message: e instanceof Error ? e.message : String(e) })
        }
      }
      await this.applyAcls(acls)
      const pools = await this.applyPools(
        ok.flatMap(({ spec }) => planTenantPools(this.config.layout, spec)),
        PLATFORM_FILE_PREFIX,
        dryRun,
      )
      report.changes.push(...pools.changes)
      report.reloads.php = pools.reloaded ? 1 : 0
      for (const { spec, user } of ok) {
        if (user === undefined) continue
        try {
          report.changes.push(...(await this.appsOf(spec, user, dryRun)))
        } catch (e) {
          report.errors.push({ tenant: spec.name, message: e instanceof Error ? e.message : String(e) })
        }
      }
      const wanted = new Set(specs.map((s) => linuxUser(this.config.layout, s.name)))
      for (const orphan of this.apps.users()) {
        if (wanted.has(orphan)) continue
        report.changes.push(change("delete", "app", `${orphan}/*`))
        if (!dryRun) await this.apps.stopUser(orphan)
      }
      for (const f of existsSync(this.paths.keys) ? await readdir(this.paths.keys) : []) {
        if (wanted.has(f) || !f.startsWith(`${this.config.layout.userPrefix}t_`)) continue
        report.changes.push(change("delete", "authorized_keys", f))
        if (!dryRun) await rm(join(this.paths.keys, f), { force: true })
      }
      const certs = await this.ensureCerts(
        ok.flatMap(({ spec }) => this.certsOf(spec)),
        "",
        dryRun,
      )
      report.changes.push(...certs.changes)
      const nginx = await this.nginxEnsure(
        ok.flatMap(({ spec }) => this.sitesOf(spec)),
        PLATFORM_FILE_PREFIX,
        dryRun,
        certs.changes.length > 0,
      )
      report.changes.push(...files("nginx_site", nginx), ...(await certs.prune()))
      report.reloads.nginx = nginx.reloaded ? 1 : 0
      return report
    })
  }

  /** Packs a tenant's webroots for a migration (see TenantTransfer). */
  exportTenantFiles(tenant: string): Promise<TenantArchive> {
    const name = linuxUser(this.config.layout, tenant)
    return this.locked(() => this.transfer.export(join(tenantHome(this.config.layout, name), "webroots")))
  }

  /** Unpacks a migrating tenant's webroots here; the tenant must already be ensured on this node. */
  importTenantFiles(tenant: string, archive: TenantArchive): Promise<void> {
    const name = linuxUser(this.config.layout, tenant)
    return this.locked(() =>
      this.transfer.import(archive, join(tenantHome(this.config.layout, name), "webroots"), name),
    )
  }

  /** Whether a PHP socket of a tenant exists (tests and diagnostics). */
  phpSocketExists(tenant: string, version: string): boolean {
    return existsSync(phpSocket(this.config.layout, linuxUser(this.config.layout, tenant), version))
  }
}

export { CommandFailed }
