import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Context, Data, Effect } from "effect"
import type { MailDomainSpec } from "../families/email/domain.js"
import {
  MAIL_FILE_PREFIX,
  type MailFile,
  type MailLayout,
  type MailPlan,
  POSTFIX_MAPS,
  planMail,
} from "../families/email/render.js"
import { type NodeChange, nodeChange } from "./changes.js"
import { runCommand } from "./command.js"
import { diffOwnedFiles, type OwnedFilesDiff, replaceFile } from "./owned-files.js"

/** Where this node's mail stack keeps its files; configuration of the agent. */
export class MailConfig extends Context.Tag("@hosting/MailConfig")<
  MailConfig,
  {
    readonly layout: MailLayout
    /** Directories of the platform-owned files, each holding only `hp-` files of one kind. */
    readonly dirs: {
      readonly postfixMaps: string
      readonly dovecotUsers: string
      readonly sieve: string
      readonly dkimTables: string
    }
    /** `postfix` executable and its private config directory (`postfix -c DIR reload`). */
    readonly postfix: { readonly binary: string; readonly configDir: string }
    /** `doveadm` and Dovecot's config file (`doveadm -c FILE reload`). */
    readonly dovecot: { readonly doveadm: string; readonly configFile: string }
    /** OpenDKIM's pid file (SIGUSR1 re-reads its tables) and the user its keys belong to. */
    readonly opendkim: { readonly pidFile: string; readonly uid: number; readonly gid: number }
  }
>() {}

/** A daemon could not be reloaded or a file not written; retrying may help. */
export class MailUnavailable extends Data.TaggedError("MailUnavailable")<{ readonly message: string }> {}

/** What an ensure changed (a plan: would change), and which daemons it reloaded. */
export interface MailChanges {
  readonly changes: ReadonlyArray<NodeChange>
  readonly reloads: { readonly postfix: number; readonly dovecot: number; readonly opendkim: number }
  /** Addresses no longer suspended (or gone) whose deferred mail Postfix was told to retry now. */
  readonly flushed: ReadonlyArray<string>
  readonly rejected: MailPlan["rejected"]
}

interface MailDiff {
  readonly plan: MailPlan
  readonly files: ReadonlyArray<{
    readonly kind: string
    readonly diff: OwnedFilesDiff
    readonly mode: number
    readonly owner?: readonly [number, number]
  }>
  /** Domain directories to create (owned by vmail) and mailbox homes or domains to remove. */
  readonly mkdirs: ReadonlyArray<string>
  readonly removeDirs: ReadonlyArray<string>
}

const owned = (f: string) => f.startsWith(MAIL_FILE_PREFIX) && !f.includes(".tmp-")

/**
 * Makes an email node's platform-owned files exactly the plan of its domains: Postfix maps,
 * Dovecot's passwd-file, Sieve scripts, OpenDKIM's tables and keys, and the mailbox directories
 * (a domain's or an account's files go when it goes). Only differing files are written, and
 * only the daemons whose files changed are reloaded: Postfix for its maps, Dovecot for its
 * passwd-file (it notices a change by itself only a second later: a suspend must not wait), and
 * OpenDKIM for its tables or keys. Sieve scripts are read at each delivery. When an address
 * leaves the transport map (unsuspended or removed), Postfix retries the mail it held back at once.
 */
export class MailManager extends Effect.Service<MailManager>()("@hosting/MailManager", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const config = yield* MailConfig
    const capabilities = yield* Effect.context<FileSystem.FileSystem | CommandExecutor>()
    const { mailRoot, vmail } = config.layout
    const unavailable = (e: { readonly message: string }) => new MailUnavailable({ message: e.message })

    const listDirs = (dir: string) =>
      Effect.gen(function* () {
        if (!(yield* fs.exists(dir))) return []
        const names = (yield* fs.readDirectory(dir)).sort()
        const dirs: Array<string> = []
        for (const n of names) if ((yield* fs.stat(`${dir}/${n}`)).type === "Directory") dirs.push(n)
        return dirs
      })

    /** The one comparison plan reports and ensure applies. */
    const diff = (specs: ReadonlyArray<MailDomainSpec>) =>
      Effect.gen(function* () {
        const plan = planMail(config.layout, specs)
        const d = (dir: string, planned: ReadonlyArray<MailFile>) => diffOwnedFiles(dir, planned, owned)
        const files = [
          { kind: "postfix_map", diff: yield* d(config.dirs.postfixMaps, plan.postfix), mode: 0o644 },
          { kind: "dovecot_users", diff: yield* d(config.dirs.dovecotUsers, plan.dovecot), mode: 0o644 },
          { kind: "sieve_script", diff: yield* d(config.dirs.sieve, plan.sieve), mode: 0o644 },
          { kind: "dkim_table", diff: yield* d(config.dirs.dkimTables, plan.dkimTables), mode: 0o644 },
          {
            kind: "dkim_key",
            diff: yield* d(config.layout.dkimKeyDir, plan.dkimKeys),
            // OpenDKIM refuses keys others can read; it reads them as its own user
            mode: 0o600,
            owner: [config.opendkim.uid, config.opendkim.gid] as const,
          },
        ]
        const accounts = new Map(plan.domains.map((dn) => [dn, new Set<string>()]))
        for (const line of plan.dovecot[0]!.content.split("\n").filter((l) => l !== "")) {
          const address = line.slice(0, line.indexOf(":"))
          const at = address.lastIndexOf("@")
          accounts.get(address.slice(at + 1))?.add(address.slice(0, at))
        }
        const present = yield* listDirs(mailRoot)
        const mkdirs = plan.domains.filter((dn) => !present.includes(dn)).map((dn) => `${mailRoot}/${dn}`)
        const removeDirs = present.filter((dn) => !accounts.has(dn)).map((dn) => `${mailRoot}/${dn}`)
        for (const dn of present.filter((p) => accounts.has(p)))
          for (const home of yield* listDirs(`${mailRoot}/${dn}`))
            if (!accounts.get(dn)!.has(home)) removeDirs.push(`${mailRoot}/${dn}/${home}`)
        return { plan, files, mkdirs, removeDirs } satisfies MailDiff
      })

    /** Addresses whose line leaves Postfix's transport map: their mail is no longer held back. */
    const released = (d: MailDiff) => {
      const t = d.files.find((f) => f.kind === "postfix_map")!.diff
      const addresses = (content: string | undefined) =>
        (content ?? "")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => l.slice(0, l.indexOf(" ")))
      const kept = new Set(addresses(t.wanted.get(POSTFIX_MAPS.transport)))
      return addresses(t.current.get(POSTFIX_MAPS.transport)).filter((a) => !kept.has(a))
    }

    const report = (d: MailDiff, reloads: MailChanges["reloads"], flushed: ReadonlyArray<string>): MailChanges => ({
      changes: [
        ...d.files.flatMap(({ kind, diff }) => [
          ...diff.written.map((f) => nodeChange(diff.current.has(f) ? "update" : "create", kind, f)),
          ...diff.removed.map((f) => nodeChange("delete", kind, f)),
        ]),
        ...d.mkdirs.map((p) => nodeChange("create", "mail_domain_files", p.slice(mailRoot.length + 1))),
        ...d.removeDirs.map((p) => nodeChange("delete", "mail_domain_files", p.slice(mailRoot.length + 1))),
      ],
      reloads,
      flushed,
      rejected: d.plan.rejected,
    })

    const changed = (d: MailDiff, ...kinds: ReadonlyArray<string>) =>
      d.files.some((f) => kinds.includes(f.kind) && f.diff.written.length + f.diff.removed.length > 0)

    const opendkimPid = Effect.gen(function* () {
      const pid = Number((yield* fs.readFileString(config.opendkim.pidFile)).trim())
      const cmdline = yield* fs.readFileString(`/proc/${pid}/cmdline`)
      return Number.isInteger(pid) && pid > 1 && cmdline.includes("opendkim") ? pid : undefined
    }).pipe(Effect.orElseSucceed(() => undefined))

    /** The changes ensure would make, without making them. */
    const plan = Effect.fn("MailManager.plan")(
      function* (specs: ReadonlyArray<MailDomainSpec>) {
        return report(yield* diff(specs), { postfix: 0, dovecot: 0, opendkim: 0 }, [])
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    /** Makes the node host exactly these domains. */
    const ensure = Effect.fn("MailManager.ensure")(
      function* (specs: ReadonlyArray<MailDomainSpec>) {
        const d = yield* diff(specs)
        for (const { diff: f, mode, owner } of d.files) {
          for (const name of f.written) {
            yield* replaceFile(`${f.dir}/${name}`, f.wanted.get(name)!, mode)
            if (owner !== undefined) yield* fs.chown(`${f.dir}/${name}`, owner[0], owner[1])
          }
          for (const name of f.removed) yield* fs.remove(`${f.dir}/${name}`, { force: true })
        }
        for (const dir of d.mkdirs) {
          yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 })
          yield* fs.chown(dir, vmail.uid, vmail.gid)
        }
        // a removed domain's or account's mail goes with it (after the maps stop accepting it)
        for (const dir of d.removeDirs) yield* fs.remove(dir, { recursive: true, force: true })
        let postfix = 0
        let opendkim = 0
        let dovecot = 0
        if (changed(d, "postfix_map")) {
          // texthash maps are read when postfix's processes start: a reload, no postmap
          const r = yield* runCommand(config.postfix.binary, ["-c", config.postfix.configDir, "reload"])
          if (r.exitCode !== 0)
            return yield* new MailUnavailable({ message: `postfix reload: ${r.stderr || r.stdout}` })
          postfix = 1
        }
        // mail for a suspended address waits in the queue (its transport is `retry:`); once it is
        // unsuspended (or removed: its mail then bounces) Postfix retries it at once, not at its
        // next queue run minutes later
        const flushed = released(d)
        if (flushed.length > 0) {
          const r = yield* runCommand(config.postfix.binary, ["-c", config.postfix.configDir, "flush"])
          if (r.exitCode !== 0) return yield* new MailUnavailable({ message: `postfix flush: ${r.stderr || r.stdout}` })
        }
        if (changed(d, "dovecot_users")) {
          const r = yield* runCommand(config.dovecot.doveadm, ["-c", config.dovecot.configFile, "reload"])
          if (r.exitCode !== 0)
            return yield* new MailUnavailable({ message: `doveadm reload: ${r.stderr || r.stdout}` })
          dovecot = 1
        }
        if (changed(d, "dkim_table", "dkim_key")) {
          const pid = yield* opendkimPid
          if (pid === undefined) return yield* new MailUnavailable({ message: "opendkim is not running" })
          const r = yield* runCommand("kill", ["-USR1", String(pid)])
          if (r.exitCode !== 0) return yield* new MailUnavailable({ message: `kill -USR1 ${pid}: ${r.stderr}` })
          opendkim = 1
        }
        return report(d, { postfix, dovecot, opendkim }, flushed)
      },
      Effect.catchTag("SystemError", "BadArgument", (e) => Effect.fail(unavailable(e))),
      Effect.provide(capabilities),
    )

    return { plan, ensure } as const
  }),
}) {}
