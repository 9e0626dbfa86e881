import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import { Context, Data, Effect, Either, Option } from "effect"
import type { TenantSpec } from "../families/tenancy/domain-spec.js"
import {
  PLACEHOLDER_PAGE,
  type PlannedDir,
  planAccountDirs,
  renderAuthorizedKeys,
} from "../families/tenancy/plan-accounts.js"
import { linuxUser, type NodeLayout, tenantHome } from "../families/tenancy/plan-layout.js"
import { type NodeChange, nodeChange } from "./changes.js"
import { runCommand } from "./command.js"
import { replaceFile } from "./owned-files.js"

/** What the accounts of this node's tenants need to know about the machine. */
export class AccountsConfig extends Context.Tag("@hosting/AccountsConfig")<
  AccountsConfig,
  {
    readonly layout: NodeLayout
    /** User nginx workers run as; it gets traverse and read access through ACLs. */
    readonly webUser: string
    /** UIDs and GIDs of tenant users come from this range. */
    readonly uidMin: number
    readonly uidMax: number
    /** The account database (`/etc/passwd`). */
    readonly passwdFile: string
    /** sshd's `AuthorizedKeysFile` directory: one root-owned file per user. */
    readonly keysDir: string
  }
>() {}

/** An account could not be read, created or changed (useradd failed, a file unreadable). */
export class AccountsUnavailable extends Data.TaggedError("AccountsUnavailable")<{ readonly message: string }> {}

/** A Linux account as the account database has it. */
export interface LinuxUser {
  readonly name: string
  readonly uid: number
  readonly gid: number
}

/** What an ensure (or plan) of accounts changed, the accounts it ensured, and per-tenant failures. */
export interface AccountsReport {
  readonly changes: ReadonlyArray<NodeChange>
  /** Ensured tenants' accounts by tenant name (a plan: those that exist). */
  readonly users: ReadonlyMap<string, LinuxUser>
  readonly errors: ReadonlyArray<{ readonly tenant: string; readonly message: string }>
}

const WEBROOT_DIR = /^web_[a-z0-9]{10}$/

/**
 * Tenants' Linux accounts on a node: the user and its group (useradd with a UID from the node's
 * range), the home (the SFTP chroot) and webroot directories with their owners, modes and nginx's
 * ACLs, and sshd's authorized_keys. `plan` and `ensure` walk the same comparison; ensure changes
 * only what differs and sets ACLs in batches (one setfacl per ACL and 500 directories).
 */
export class AccountsManager extends Effect.Service<AccountsManager>()("@hosting/AccountsManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AccountsConfig
    const capabilities = yield* Effect.context<FileSystem.FileSystem | CommandExecutor>()
    const { layout } = config
    const unavailable = (e: { readonly message: string }) => new AccountsUnavailable({ message: e.message })

    const readUsers = Effect.map(fs.readFileString(config.passwdFile), (text) => {
      const out = new Map<string, LinuxUser>()
      for (const line of text.split("\n")) {
        const [name, , uid, gid] = line.split(":")
        if (name && uid && gid) out.set(name, { name, uid: Number(uid), gid: Number(gid) })
      }
      return out
    })

    const command = (program: string, args: ReadonlyArray<string>) =>
      Effect.flatMap(runCommand(program, args), (r) =>
        r.exitCode === 0
          ? Effect.void
          : Effect.fail(new AccountsUnavailable({ message: `${program} failed (${r.exitCode}): ${r.stderr}` })),
      )

    // The password field is `*`, not `!`: sshd without PAM refuses a "locked" account even for key
    // logins. The shell is nologin; SFTP needs none.
    const createUser = (name: string, home: string) =>
      Effect.gen(function* () {
        const range = (k: string) => ["-K", `${k}_MIN=${config.uidMin}`, "-K", `${k}_MAX=${config.uidMax}`]
        yield* command("useradd", [
          "--no-create-home",
          "--home-dir",
          home,
          "--shell",
          "/usr/sbin/nologin",
          "--password",
          "*",
          "--user-group",
          ...range("UID"),
          ...range("GID"),
          name,
        ])
        const user = (yield* readUsers).get(name)
        if (user === undefined)
          return yield* new AccountsUnavailable({ message: `useradd ${name} succeeded but the user is not in passwd` })
        return user
      })

    /** What a directory needs: nothing, creating, or its owner or mode fixed. */
    const dirState = (d: PlannedDir, user: LinuxUser | undefined) =>
      Effect.gen(function* () {
        if (!(yield* fs.exists(d.path))) return "create" as const
        const st = yield* fs.stat(d.path)
        if (st.type !== "Directory")
          return yield* new AccountsUnavailable({ message: `${d.path} exists and is not a directory` })
        const [uid, gid] = owner(d, user)
        const ok =
          Option.getOrUndefined(st.uid) === uid &&
          Option.getOrUndefined(st.gid) === gid &&
          (st.mode & 0o7777) === d.mode
        return ok ? ("ok" as const) : ("update" as const)
      })
    // before the user exists (a plan), an owner nobody has: every directory would change
    const owner = (d: PlannedDir, user: LinuxUser | undefined): [number, number] =>
      user === undefined ? [-1, -1] : [d.owner === "root" ? 0 : user.uid, user.gid]

    /** One tenant: its changes, applied unless `apply` is false; ACLs to set are added to `acls`. */
    const account = (
      spec: TenantSpec,
      users: Map<string, LinuxUser>,
      apply: boolean,
      acls: Map<string, Array<string>>,
      wantedUsers: Set<string>,
    ) =>
      Effect.gen(function* () {
        const changes: Array<NodeChange> = []
        const name = linuxUser(layout, spec.name)
        const home = tenantHome(layout, name)
        wantedUsers.add(name)
        let user = users.get(name)
        if (user === undefined) {
          changes.push(nodeChange("create", "user", name))
          if (apply) {
            user = yield* createUser(name, home)
            users.set(name, user)
          }
        }
        for (const d of planAccountDirs(layout, spec, config.webUser)) {
          const state = yield* dirState(d, user)
          if (state === "ok") continue
          changes.push(nodeChange(state, "directory", d.path))
          if (!apply || user === undefined) continue
          const [uid, gid] = owner(d, user)
          if (state === "create") yield* fs.makeDirectory(d.path, { recursive: true, mode: d.mode })
          yield* fs.chown(d.path, uid, gid)
          yield* fs.chmod(d.path, d.mode)
          if (d.acl !== undefined) acls.set(d.acl, [...(acls.get(d.acl) ?? []), d.path])
          if (state === "create" && d.placeholder) {
            // a new site answers at once with a page saying so, until the tenant uploads its own
            const index = `${d.path}/index.html`
            const written = yield* Effect.option(
              fs.writeFileString(index, PLACEHOLDER_PAGE, { mode: 0o644, flag: "wx" }),
            )
            if (Option.isSome(written)) yield* fs.chown(index, user.uid, user.gid)
          }
        }
        const wanted = new Set(spec.webroots.map((w) => w.name))
        const webroots = `${home}/webroots`
        for (const d of (yield* fs.exists(webroots)) ? (yield* fs.readDirectory(webroots)).sort() : []) {
          if (!WEBROOT_DIR.test(d) || wanted.has(d)) continue
          changes.push(nodeChange("delete", "directory", `${webroots}/${d}`))
          if (apply) yield* fs.remove(`${webroots}/${d}`, { recursive: true, force: true })
        }
        const keysFile = `${config.keysDir}/${name}`
        const keys = renderAuthorizedKeys(spec)
        const current = (yield* fs.exists(keysFile)) ? yield* fs.readFileString(keysFile) : undefined
        if (current !== keys) {
          changes.push(nodeChange("update", "authorized_keys", name))
          if (apply) yield* replaceFile(keysFile, keys, 0o644)
        }
        return { changes, user }
      })

    /** Key files of users the specs do not name (only with `all`, a converge). */
    const strayKeys = (wantedUsers: Set<string>) =>
      Effect.gen(function* () {
        const names = (yield* fs.exists(config.keysDir)) ? yield* fs.readDirectory(config.keysDir) : []
        return names.filter((f) => !wantedUsers.has(f) && f.startsWith(`${layout.userPrefix}t_`)).sort()
      })

    const walk = (specs: ReadonlyArray<TenantSpec>, apply: boolean, all: boolean) =>
      Effect.gen(function* () {
        const users = yield* readUsers
        const acls = new Map<string, Array<string>>()
        const wantedUsers = new Set<string>()
        const changes: Array<NodeChange> = []
        const ensured = new Map<string, LinuxUser>()
        const errors: Array<{ tenant: string; message: string }> = []
        for (const spec of specs) {
          // one tenant's failure (a full disk, a refused useradd) does not stop the others
          const result = yield* Effect.either(account(spec, users, apply, acls, wantedUsers))
          if (Either.isLeft(result)) errors.push({ tenant: spec.name, message: result.left.message })
          else {
            changes.push(...result.right.changes)
            if (result.right.user !== undefined) ensured.set(spec.name, result.right.user)
          }
        }
        for (const [acl, dirs] of acls)
          for (let i = 0; i < dirs.length; i += 500) yield* command("setfacl", ["-m", acl, ...dirs.slice(i, i + 500)])
        if (all)
          for (const f of yield* strayKeys(wantedUsers)) {
            changes.push(nodeChange("delete", "authorized_keys", f))
            if (apply) yield* fs.remove(`${config.keysDir}/${f}`, { force: true })
          }
        return { changes, users: ensured, errors } satisfies AccountsReport
      }).pipe(
        Effect.catchTag("SystemError", "BadArgument", (e: PlatformError) => Effect.fail(unavailable(e))),
        Effect.provide(capabilities),
      )

    /** What ensure would change; `all`: the specs are every tenant of the node (stray keys go). */
    const plan = Effect.fn("AccountsManager.plan")((specs: ReadonlyArray<TenantSpec>, all = false) =>
      walk(specs, false, all),
    )

    /** Makes the tenants' accounts as planned; `all`: also removes key files of other users. */
    const ensure = Effect.fn("AccountsManager.ensure")((specs: ReadonlyArray<TenantSpec>, all = false) =>
      walk(specs, true, all),
    )

    /** Removes a tenant's keys, user, group and home; true when the user existed. */
    const remove = Effect.fn("AccountsManager.remove")(
      function* (tenant: string) {
        const name = linuxUser(layout, tenant)
        yield* fs.remove(`${config.keysDir}/${name}`, { force: true })
        const existed = (yield* readUsers).has(name)
        if (existed) yield* command("userdel", [name])
        yield* fs.remove(tenantHome(layout, name), { recursive: true, force: true })
        return existed
      },
      Effect.catchTag("SystemError", "BadArgument", (e: PlatformError) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /** The tenant's account, if it exists. */
    const user = Effect.fn("AccountsManager.user")(
      function* (tenant: string) {
        return Option.fromNullable((yield* readUsers).get(linuxUser(layout, tenant)))
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    return { plan, ensure, remove, user } as const
  }),
}) {}
