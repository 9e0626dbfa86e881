import { readdir, readFile, rm } from "node:fs/promises"
import { NodeContext } from "@effect/platform-node"
import {
  type MailChangeReport,
  MailConfig,
  type MailDomainSpec,
  MailDomainSpec as MailDomainSpecSchema,
  MailManager,
  type MailServerDescription,
} from "@hosting/core/node"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { runManaged, serialQueue } from "../run.js"
import { writeIfChanged } from "../web/files.js"
import type { EmailNodeConfig } from "./config.js"
import { emailPaths } from "./daemon-files.js"
import { emailPids, ensureEmailDaemons, lookupUser } from "./daemons.js"

const user = (name: string) => {
  const u = lookupUser(name)
  if (u === undefined) throw new Error(`user ${name} does not exist`)
  return u
}

/** Core's MailManager over this node's mail directories, `postfix reload` and OpenDKIM's pid. */
export const emailManagersLayer = (config: EmailNodeConfig): Layer.Layer<MailManager> => {
  const p = emailPaths(config.root)
  // read when the manager is first used: the role's start has created the vmail user by then
  const mailConfig = Layer.effect(
    MailConfig,
    Effect.sync(() => ({
      layout: { mailRoot: p.mail, dkimKeyDir: p.opendkimKeys, vmail: user(config.vmailUser) },
      dirs: { postfixMaps: p.postfixMaps, dovecotUsers: p.dovecotUsers, sieve: p.sieve, dkimTables: p.opendkim },
      postfix: { binary: config.binaries.postfix, configDir: p.postfixConf },
      dovecot: { doveadm: config.binaries.doveadm, configFile: p.dovecotConf },
      opendkim: { pidFile: p.opendkimPid, ...user("opendkim") },
    })),
  )
  return MailManager.Default.pipe(Layer.provide(Layer.mergeAll(mailConfig, NodeContext.layer)))
}

const stateFile = (dir: string, domain: string) => `${dir}/hp-${domain}.json`
const encode = Schema.encodeSync(MailDomainSpecSchema)
const decodeJson = Schema.decodeUnknownSync(Schema.parseJson(MailDomainSpecSchema))

/**
 * The email role of one node: Postfix, Dovecot and OpenDKIM started (or adopted) at agent start,
 * and core's MailManager making their files the plan of the domains this node hosts. Each
 * domain's last ensured spec is kept under the root (root-only), so one domain's change re-plans
 * the node's shared files with the others as they were. Operations run one at a time.
 */
export class EmailNode {
  private readonly runtime: ManagedRuntime.ManagedRuntime<MailManager, never>
  private readonly ownsRuntime: boolean
  private readonly paths: ReturnType<typeof emailPaths>
  private readonly locked = serialQueue()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(
    private readonly config: EmailNodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<MailManager, never>,
  ) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(emailManagersLayer(config))
    this.paths = emailPaths(config.root)
  }

  // every failure is a plain Error: the mail role refuses no input as a ConfigRejected
  private run<A>(effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, MailManager>) {
    return runManaged(this.runtime, effect, (failure) => new Error(failure.message))
  }

  /** The specs of every domain this node hosts, as last ensured. */
  private async stored(): Promise<Array<MailDomainSpec>> {
    const names = (await readdir(this.paths.state).catch(() => [] as Array<string>)).filter(
      (n) => n.startsWith("hp-") && n.endsWith(".json"),
    )
    const specs: Array<MailDomainSpec> = []
    for (const n of names.sort()) specs.push(decodeJson(await readFile(`${this.paths.state}/${n}`, "utf8")))
    return specs
  }

  private async apply(specs: ReadonlyArray<MailDomainSpec>, plan: boolean): Promise<MailChangeReport> {
    return this.run(Effect.flatMap(MailManager, (m) => (plan ? m.plan(specs) : m.ensure(specs))))
  }

  // the state is written first: a crash between the two leaves a converge to finish the job
  private async store(specs: ReadonlyArray<MailDomainSpec>): Promise<void> {
    const keep = new Set(specs.map((s) => stateFile(this.paths.state, s.domain)))
    for (const s of specs) await writeIfChanged(stateFile(this.paths.state, s.domain), JSON.stringify(encode(s)), 0o600)
    for (const n of await readdir(this.paths.state)) {
      const f = `${this.paths.state}/${n}`
      if (n.startsWith("hp-") && !keep.has(f)) await rm(f, { force: true })
    }
  }

  /** Starts or adopts the daemons, then makes their files the stored domains' plan again. */
  start(): Promise<void> {
    return this.locked(async () => {
      await ensureEmailDaemons(this.config)
      await this.apply(await this.stored(), false)
    })
  }

  /** The daemons keep running (mail keeps flowing while the agent restarts). */
  async close(): Promise<void> {
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  /** Makes one domain exactly `spec`; the node's other domains stay as they are. */
  ensureDomain(spec: MailDomainSpec): Promise<MailChangeReport> {
    return this.locked(async () => {
      const specs = [...(await this.stored()).filter((s) => s.domain !== spec.domain), spec]
      await this.store(specs)
      return this.apply(specs, false)
    })
  }

  /** Removes a domain with its accounts' files. */
  removeDomain(domain: string): Promise<MailChangeReport> {
    return this.locked(async () => {
      const specs = (await this.stored()).filter((s) => s.domain !== domain)
      await this.store(specs)
      return this.apply(specs, false)
    })
  }

  /** Makes the node host exactly `specs` (with `plan`: reports what that would change). */
  converge(specs: ReadonlyArray<MailDomainSpec>, plan: boolean): Promise<MailChangeReport> {
    return this.locked(async () => {
      if (plan) return this.apply(specs, true)
      await this.store(specs)
      return this.apply(specs, false)
    })
  }

  /** What the node hosts and whether its daemons run. */
  async describe(): Promise<MailServerDescription> {
    const specs = await this.stored()
    const pids = emailPids(this.config.root)
    return {
      domains: specs.map((s) => s.domain),
      accounts: specs.reduce((n, s) => n + s.accounts.length, 0),
      daemons: {
        postfix: pids.postfix !== undefined,
        dovecot: pids.dovecot !== undefined,
        opendkim: pids.opendkim !== undefined,
      },
      ports: this.config.ports,
    }
  }
}
