import type {
  DatabaseChangeReport,
  DatabaseDump,
  DatabaseName,
  DatabaseReplicationStatus,
  DatabaseServerInfo,
  DatabaseSpec,
} from "@hosting/core/node"
import { MariaDbManager } from "@hosting/core/node"
import { Cause, Effect, Exit, ManagedRuntime, Option } from "effect"
import { ConfigRejected } from "../roles.js"
import type { DatabaseNodeConfig } from "./config.js"
import { ensureMariaDb } from "./daemon.js"
import { databaseManagersLayer } from "./sql.js"
import { DatabaseTransfer } from "./transfer.js"

/**
 * The database role of one node: a private MariaDB under the node's root, started (or adopted)
 * at agent start, whose platform databases and accounts core's MariaDbManager keeps exactly as
 * their specs say. Changes on one node run one at a time, so two ensures never plan against
 * each other's half-done state.
 */
export class DatabaseNode {
  private readonly runtime: ManagedRuntime.ManagedRuntime<MariaDbManager, never>
  private readonly ownsRuntime: boolean
  private readonly transfer: DatabaseTransfer
  private queue: Promise<unknown> = Promise.resolve()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(
    private readonly config: DatabaseNodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<MariaDbManager, never>,
  ) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(databaseManagersLayer(config))
    this.transfer = new DatabaseTransfer(config)
  }

  /** Starts or adopts mariadbd (initialising it on first start) and opens the dump listener. */
  async start(): Promise<{ pid: number; started: boolean }> {
    const server = await ensureMariaDb(this.config)
    await this.transfer.start()
    return server
  }

  /** Leaves MariaDB running (applications keep their connections while the agent restarts). */
  async close(): Promise<void> {
    await this.transfer.close()
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  private locked<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => {})
    return next
  }

  // runPromise would wrap failures in a FiberFailure: unwrap them so the activity can tell a
  // refusal (never retried) from an unreachable server (retried)
  private async run<A>(
    effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, MariaDbManager>,
  ): Promise<A> {
    const exit = await this.runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const e = failure.value
      throw e._tag === "DatabaseRejected" ? new ConfigRejected(e.message) : new Error(e.message)
    }
    throw new Error(Cause.pretty(exit.cause))
  }

  private withManager<A>(
    f: (m: MariaDbManager) => Effect.Effect<A, { readonly _tag: string; readonly message: string }>,
  ): Promise<A> {
    return this.run(Effect.flatMap(MariaDbManager, f))
  }

  /** Makes one database exactly its spec (its users and their grants included). */
  ensureDatabase(spec: DatabaseSpec): Promise<DatabaseChangeReport> {
    return this.locked(() => this.withManager((m) => m.ensure([spec], spec.name)))
  }

  /** Drops a database and every user of it; nothing when it is not there. */
  removeDatabase(name: DatabaseName): Promise<DatabaseChangeReport> {
    return this.locked(() => this.withManager((m) => m.ensure([], name)))
  }

  /** Makes the node's platform databases exactly these (with `plan`, only reports the changes). */
  convergeDatabases(specs: ReadonlyArray<DatabaseSpec>, plan: boolean): Promise<DatabaseChangeReport> {
    return this.locked(() => this.withManager((m) => (plan ? m.plan(specs, "all") : m.ensure(specs, "all"))))
  }

  /** The server's version, charsets and collations. */
  describe(): Promise<DatabaseServerInfo> {
    return this.withManager((m) => m.describe())
  }

  /** This server's replication state. */
  replicationStatus(): Promise<DatabaseReplicationStatus> {
    return this.withManager((m) => m.replication())
  }

  /** Dumps one database and offers the dump to other nodes. */
  async dumpDatabase(name: DatabaseName): Promise<DatabaseDump> {
    const found = await this.withManager((m) => m.observe(name))
    if (found.databases.length === 0) throw new ConfigRejected(`database ${name} does not exist on this node`)
    return this.transfer.dump(name)
  }

  /** Ensures the database and its users from the spec, then loads another node's dump into it. */
  importDatabase(spec: DatabaseSpec, dump: DatabaseDump): Promise<void> {
    if (dump.database !== spec.name)
      return Promise.reject(new ConfigRejected(`the dump is of ${dump.database}, not of ${spec.name}`))
    // the load runs outside the node's queue: it can take minutes, and other databases' changes need not wait
    return this.ensureDatabase(spec).then(() => this.transfer.load(dump, spec.name))
  }
}
