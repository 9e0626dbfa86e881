import {
  AccountsManager,
  AppsManager,
  CertificateFiles,
  fileChanges,
  type LinuxUser,
  linuxUser,
  NginxManager,
  type NodeChange,
  type NodeLayout,
  nodeChange,
  PhpFpmManager,
  planTenantApps,
  planTenantCertificates,
  planTenantPools,
  planTenantSites,
  type TenantSpec,
  tenantCertPrefix,
  tenantHome,
  tenantPoolPrefix,
  tenantSitePrefix,
} from "@hosting/core/node"
import { Effect, Either } from "effect"

/** What one ensure changed (or, in a plan, would change). */
export interface WebReport {
  readonly changes: Array<NodeChange>
  readonly reloads: { nginx: number; php: number }
  readonly errors: Array<{ readonly tenant: string; readonly message: string }>
}

/** Why one tenant of a batch failed: a manager's tagged error, or an account's message. */
export interface TenantFailure {
  readonly _tag?: string
  readonly message: string
}

/** The tenant's site files, proxying to its apps' ports. */
export const sitesOf = (layout: NodeLayout, spec: TenantSpec) =>
  Effect.flatMap(AppsManager, (apps) => apps.ports(linuxUser(layout, spec.name))).pipe(
    Effect.map((ports) => planTenantSites(layout, spec, ports)),
  )

/** The user's supervised apps made those of the spec (`apply`), or what that would change. */
export const appsOf = (spec: TenantSpec, user: LinuxUser, apply: boolean) =>
  Effect.flatMap(AppsManager, (apps) =>
    apply ? apps.ensure(user, planTenantApps(spec)) : apps.plan(user, planTenantApps(spec)),
  ).pipe(Effect.map((done) => done.map((c) => nodeChange(c.action, "app", c.id))))

interface DaemonChanges {
  readonly written: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  readonly reloaded: boolean
}

/**
 * Applies one daemon's files for a group of tenants with one test and one reload. When the
 * daemon refuses the group (`rejected`; the manager has put every file back), the group is
 * halved until each refused tenant is alone, so a bad configuration fails only its own tenant
 * and its neighbours are applied. Other failures (the daemon down) are the whole group's.
 */
const inGroups = <S, E extends { readonly _tag: string }, R>(
  group: ReadonlyArray<S>,
  apply: (group: ReadonlyArray<S>) => Effect.Effect<DaemonChanges, E, R>,
  rejected: string,
): Effect.Effect<Array<readonly [ReadonlyArray<S>, Either.Either<DaemonChanges, E>]>, never, R> =>
  Effect.gen(function* () {
    if (group.length === 0) return []
    const result = yield* Effect.either(apply(group))
    if (Either.isRight(result) || result.left._tag !== rejected || group.length === 1) return [[group, result] as const]
    const half = Math.ceil(group.length / 2)
    return [
      ...(yield* inGroups(group.slice(0, half), apply, rejected)),
      ...(yield* inGroups(group.slice(half), apply, rejected)),
    ]
  })

/**
 * Ensures several tenants on this node as one: accounts, apps and certificates per tenant, then
 * ONE php-fpm test and reload for every tenant's pools and ONE nginx test and reload for every
 * tenant's sites. Each tenant gets its own report (its own changes, and a reload counted when
 * its own files were in it) or its own failure; a tenant that fails a step takes no further step.
 * A batch of one is exactly the single tenant's ensure.
 */
export const ensureTenants = (layout: NodeLayout, specs: ReadonlyArray<TenantSpec>) =>
  Effect.gen(function* () {
    const [accounts, php, certificates, nginx] = [
      yield* AccountsManager,
      yield* PhpFpmManager,
      yield* CertificateFiles,
      yield* NginxManager,
    ]
    const user = (s: TenantSpec) => linuxUser(layout, s.name)
    const failed = new Map<string, TenantFailure>()
    const reports = new Map(specs.map((s) => [s.name, { changes: [] as Array<NodeChange>, nginx: 0, php: 0 }]))
    const live = () => specs.filter((s) => !failed.has(s.name))
    const report = (s: TenantSpec) => reports.get(s.name)!
    const ownChanges = (kind: string, prefix: string, c: DaemonChanges) =>
      fileChanges(kind, {
        written: c.written.filter((f) => f.startsWith(prefix)),
        removed: c.removed.filter((f) => f.startsWith(prefix)),
      })

    // every account at once (ACLs set in a few setfacl runs for all); each report gets the
    // changes under its own user, home and keys, and each tenant its own failure
    const users = new Map<string, LinuxUser>()
    const account = yield* Effect.either(accounts.ensure(specs))
    for (const spec of specs) {
      if (Either.isLeft(account)) {
        failed.set(spec.name, account.left)
        continue
      }
      const error = account.right.errors.find((e) => e.tenant === spec.name)
      const ensured = account.right.users.get(spec.name)
      if (error !== undefined || ensured === undefined) {
        failed.set(spec.name, { message: error?.message ?? "the tenant's user was not created" })
        continue
      }
      const name = user(spec)
      const home = tenantHome(layout, name)
      report(spec).changes.push(
        ...account.right.changes.filter(
          (c) => c.target === name || c.target === home || c.target.startsWith(`${home}/`),
        ),
      )
      users.set(spec.name, ensured)
    }

    const pools = yield* inGroups(
      live(),
      (group) =>
        php.ensure(
          group.flatMap((s) => planTenantPools(layout, s)),
          group.map((s) => tenantPoolPrefix(user(s))),
        ),
      "PhpFpmConfigRejected",
    )
    for (const [group, result] of pools)
      for (const spec of group) {
        if (Either.isLeft(result)) failed.set(spec.name, result.left)
        else {
          const own = ownChanges("php_pool", tenantPoolPrefix(user(spec)), result.right)
          report(spec).changes.push(...own)
          report(spec).php = result.right.reloaded && own.length > 0 ? 1 : 0
        }
      }

    const certsWritten = new Map<string, boolean>()
    for (const spec of live()) {
      const step = Effect.gen(function* () {
        const apps = yield* appsOf(spec, users.get(spec.name)!, true)
        const written = yield* certificates.write(planTenantCertificates(layout, spec), tenantCertPrefix(user(spec)))
        return { apps, written }
      })
      const done = yield* Effect.either(step)
      if (Either.isLeft(done)) failed.set(spec.name, done.left)
      else {
        report(spec).changes.push(
          ...done.right.apps,
          ...fileChanges("certificate", { written: done.right.written, removed: [] }),
        )
        certsWritten.set(spec.name, done.right.written.length > 0)
      }
    }

    // a changed certificate alone makes nginx test and reload
    const siteGroups = yield* inGroups(
      live(),
      (group) =>
        Effect.forEach(group, (s) => sitesOf(layout, s)).pipe(
          Effect.flatMap((sites) =>
            nginx.ensure(
              sites.flat(),
              group.map((s) => tenantSitePrefix(user(s))),
              group.some((s) => certsWritten.get(s.name) === true),
            ),
          ),
        ),
      "NginxConfigRejected",
    )
    for (const [group, result] of siteGroups)
      for (const spec of group) {
        if (Either.isLeft(result)) failed.set(spec.name, result.left)
        else {
          const own = ownChanges("nginx_site", tenantSitePrefix(user(spec)), result.right)
          report(spec).changes.push(...own)
          const mine = own.length > 0 || certsWritten.get(spec.name) === true
          report(spec).nginx = result.right.reloaded && mine ? 1 : 0
        }
      }

    for (const spec of live()) {
      const certs = planTenantCertificates(layout, spec)
      const pruned = yield* Effect.either(certificates.prune(certs, tenantCertPrefix(user(spec))))
      if (Either.isLeft(pruned)) failed.set(spec.name, pruned.left)
      else report(spec).changes.push(...fileChanges("certificate", { written: [], removed: pruned.right }))
    }

    return specs.map((spec): Either.Either<WebReport, TenantFailure> => {
      const failure = failed.get(spec.name)
      if (failure !== undefined) return Either.left(failure)
      const r = report(spec)
      return Either.right({ changes: r.changes, reloads: { nginx: r.nginx, php: r.php }, errors: [] })
    })
  })
