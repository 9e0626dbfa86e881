import { existsSync, readdirSync, readFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import {
  AccountsManager,
  type AcmeChallenge,
  AppsManager,
  acmeChallengeDir,
  acmeRoot,
  CertificateFiles,
  fileChanges,
  linuxUser,
  NginxManager,
  nodeChange,
  PhpFpmManager,
  PLATFORM_FILE_PREFIX,
  phpSocket,
  planTenantCertificates,
  planTenantPools,
  type TenantArchive,
  type TenantSpec,
  tenantCertPrefix,
  tenantHome,
  tenantPoolPrefix,
  tenantSitePrefix,
} from "@hosting/core/node"
import { Effect, Either, ManagedRuntime, Option } from "effect"
import { ConfigRejected } from "../roles.js"
import { runManaged, serialQueue } from "../run.js"
import { type Batcher, makeBatcher } from "./batcher.js"
import type { WebNodeConfig } from "./config.js"
import { ensureDaemons } from "./daemons.js"
import { appsOf, ensureTenants, sitesOf, type TenantFailure, type WebReport } from "./ensure-batch.js"
import { ensureDir, writeIfChanged } from "./files.js"
import { type WebManagers, webManagersLayer } from "./managers.js"
import { TenantTransfer } from "./transfer.js"

export type { WebReport } from "./ensure-batch.js"

// At most this many tenants share one test and reload.
const BATCH_SIZE = 50

// What a daemon refused (never retried, the input must change), with the words the activity shows.
const REJECTED: Record<string, string> = {
  NginxConfigRejected: "nginx rejected the configuration",
  PhpFpmConfigRejected: "php-fpm rejected the pools",
}

/**
 * The web tier of one node: tenants' accounts, PHP-FPM pools, certificates, supervised apps and
 * nginx sites are core's managers over this node's filesystem and processes; the daemons' own
 * start-up is the agent's. Every operation is idempotent and they run one at a time (a
 * node-wide lock), so a converge never interleaves with a tenant's sync on this node.
 */
export class WebNode {
  private watchdog: NodeJS.Timeout | undefined
  private readonly managers: ManagedRuntime.ManagedRuntime<WebManagers, never>
  private readonly ownsManagers: boolean
  private readonly transfer: TenantTransfer
  private readonly enqueue = serialQueue()
  private readonly ensures: Batcher<TenantSpec, WebReport>

  /** `runtime`: the agent's, providing the managers; without one the node makes its own. */
  constructor(
    private readonly config: WebNodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<WebManagers, never>,
  ) {
    this.transfer = new TenantTransfer(join(config.layout.root, "transfer"), config.transfer.host, config.transfer.port)
    this.ownsManagers = runtime === undefined
    this.managers = runtime ?? ManagedRuntime.make(webManagersLayer(config))
    // ensures that arrive while another runs share the next turn: one test and one reload each
    this.ensures = makeBatcher({
      run: (specs) => this.ensureBatch(specs),
      schedule: (batch) => this.enqueue(batch),
      key: (spec) => spec.name,
      maxSize: BATCH_SIZE,
    })
  }

  /** Brings the daemons up and starts the app watchdog. */
  async start(): Promise<void> {
    await this.locked(() => ensureDaemons(this.config))
    await this.transfer.start()
    // restarts apps that died, every 2 s (AppsManager backs off from one that keeps dying)
    this.watchdog = setInterval(() => {
      this.managers.runPromise(Effect.flatMap(AppsManager, (m) => m.restartDead())).catch(() => {})
    }, 2000)
    this.watchdog.unref()
  }

  async close(): Promise<void> {
    if (this.watchdog !== undefined) clearInterval(this.watchdog)
    await this.transfer.close()
    if (this.ownsManagers) await this.managers.dispose()
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

  /** Runs `f` alone on the node, after everything queued before it (ensures batched before it too). */
  private locked<A>(f: () => Promise<A>): Promise<A> {
    this.ensures.seal()
    return this.enqueue(f)
  }

  // runPromise would hide a failure in a FiberFailure, and the activity could no longer tell a
  // refused configuration (never retried) from an outage (retried): unwrap it here
  private run<A>(effect: Effect.Effect<A, TenantFailure, WebManagers>) {
    return runManaged(this.managers, effect, asError)
  }

  /**
   * Ensures one tenant on this node: one php-fpm reload and one nginx reload at most, shared
   * with the tenants whose ensures arrived meanwhile (see ensureTenants).
   */
  ensureTenant(spec: TenantSpec): Promise<WebReport> {
    return this.ensures.submit(spec)
  }

  /** A batch of ensures, holding the node's lock; each tenant's outcome is its own. */
  private async ensureBatch(specs: ReadonlyArray<TenantSpec>) {
    await ensureDaemons(this.config)
    const outcomes = await this.run(ensureTenants(this.config.layout, specs))
    return outcomes.map((o) =>
      Either.isRight(o) ? { ok: true as const, value: o.right } : { ok: false as const, error: asError(o.left) },
    )
  }

  /** Removes everything of a tenant from this node: sites, pools, apps, keys, user, home. */
  removeTenant(tenant: string): Promise<WebReport> {
    const name = linuxUser(this.config.layout, tenant)
    return this.locked(() =>
      this.run(
        Effect.gen(function* () {
          const sites = yield* (yield* NginxManager).ensure([], tenantSitePrefix(name))
          const certs = yield* (yield* CertificateFiles).prune([], tenantCertPrefix(name))
          const pools = yield* (yield* PhpFpmManager).ensure([], tenantPoolPrefix(name))
          yield* (yield* AppsManager).stopUser(name)
          const accounts = yield* AccountsManager
          const user = yield* accounts.user(tenant)
          if (Option.isSome(user)) yield* Effect.promise(() => killUserProcesses(user.value.uid))
          const deleted = yield* accounts.remove(tenant)
          return {
            changes: [
              ...fileChanges("nginx_site", sites),
              ...fileChanges("certificate", { written: [], removed: certs }),
              ...fileChanges("php_pool", pools),
              ...(deleted ? [nodeChange("delete", "user", name)] : []),
            ],
            reloads: { nginx: sites.reloaded ? 1 : 0, php: pools.reloaded ? 1 : 0 },
            errors: [],
          }
        }),
      ),
    )
  }

  /**
   * Converges the whole web tier of this node to `specs`: every tenant's account ensured (errors
   * collected per tenant, not stopping), then ONE php-fpm reload and ONE nginx reload for
   * everything, stray platform files, keys and apps removed. With `plan`, the same comparison
   * through the managers' plans: the changes are reported and nothing is changed.
   */
  converge(specs: ReadonlyArray<TenantSpec>, plan: boolean): Promise<WebReport> {
    const layout = this.config.layout
    const apply = !plan
    return this.locked(async () => {
      if (apply) await ensureDaemons(this.config)
      return this.run(
        Effect.gen(function* () {
          const [accounts, php, certificates, nginx] = [
            yield* AccountsManager,
            yield* PhpFpmManager,
            yield* CertificateFiles,
            yield* NginxManager,
          ]
          const account = yield* apply ? accounts.ensure(specs, true) : accounts.plan(specs, true)
          const report: WebReport = { changes: [...account.changes], reloads: { nginx: 0, php: 0 }, errors: [] }
          report.errors.push(...account.errors)
          const failed = new Set(account.errors.map((e) => e.tenant))
          const ok = specs.filter((s) => !failed.has(s.name))

          const allPools = ok.flatMap((s) => planTenantPools(layout, s))
          const pools = yield* apply ? php.ensure(allPools) : php.plan(allPools)
          report.changes.push(...fileChanges("php_pool", pools))
          report.reloads.php = pools.reloaded ? 1 : 0

          for (const spec of ok) {
            const user = account.users.get(spec.name)
            if (user === undefined) continue
            const apps = yield* Effect.either(appsOf(spec, user, apply))
            if (apps._tag === "Right") report.changes.push(...apps.right)
            else report.errors.push({ tenant: spec.name, message: apps.left.message })
          }
          const wanted = new Set(specs.map((s) => linuxUser(layout, s.name)))
          const apps = yield* AppsManager
          for (const orphan of yield* apps.users()) {
            if (wanted.has(orphan)) continue
            report.changes.push(nodeChange("delete", "app", `${orphan}/*`))
            if (apply) yield* apps.stopUser(orphan)
          }

          const certs = ok.flatMap((s) => planTenantCertificates(layout, s))
          const certPlan = yield* certificates.plan(certs, "")
          const written = apply ? yield* certificates.write(certs, "") : certPlan.written
          report.changes.push(...fileChanges("certificate", { written, removed: [] }))
          const allSites = (yield* Effect.forEach(ok, (s) => sitesOf(layout, s))).flat()
          const sites = yield* apply
            ? nginx.ensure(allSites, PLATFORM_FILE_PREFIX, written.length > 0)
            : nginx.plan(allSites, PLATFORM_FILE_PREFIX)
          const pruned = apply ? yield* certificates.prune(certs, "") : certPlan.removed
          report.changes.push(
            ...fileChanges("nginx_site", sites),
            ...fileChanges("certificate", { written: [], removed: pruned }),
          )
          report.reloads.nginx = sites.reloaded ? 1 : 0
          return report
        }),
      )
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

/** A refused configuration (never retried) or another failure, with the words the activity shows. */
const asError = (failure: TenantFailure): Error => {
  const refused = REJECTED[failure._tag ?? ""]
  return refused !== undefined ? new ConfigRejected(`${refused}: ${failure.message}`) : new Error(failure.message)
}

/** Stragglers of a user (a PHP child finishing a request): found by UID, stopped by PID. */
const killUserProcesses = async (uid: number): Promise<void> => {
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
