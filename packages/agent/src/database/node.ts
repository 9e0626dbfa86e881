import { rm } from "node:fs/promises"
import type {
  DatabaseChangeReport,
  DatabaseDemoteReport,
  DatabaseDump,
  DatabaseFollowReport,
  DatabaseName,
  DatabasePromoteReport,
  DatabaseReopenReport,
  DatabaseReplicaSeed,
  DatabaseReplicationSource,
  DatabaseReplicationStatus,
  DatabaseServerInfo,
  DatabaseSpec,
} from "@hosting/core/node"
import { MariaDbManager, MariaDbReplication } from "@hosting/core/node"
import { Effect, ManagedRuntime } from "effect"
import { ConfigRejected } from "../roles.js"
import { rejectedAs, runManaged, serialQueue } from "../run.js"
import type { DatabaseNodeConfig } from "./config.js"
import { ensureMariaDb, REPLICATION_USER, replicationPassword } from "./daemon.js"
import { loadReplicaSeed, offerReplicaSeed } from "./seed.js"
import { type DatabaseManagers, databaseManagersLayer } from "./sql.js"
import { DatabaseTransfer } from "./transfer.js"

/**
 * The database role of one node: a private MariaDB under the node's root, started (or adopted)
 * at agent start, whose platform databases and accounts core's MariaDbManager keeps exactly as
 * their specs say. Changes on one node run one at a time, so two ensures never plan against
 * each other's half-done state.
 */
export class DatabaseNode {
  private readonly runtime: ManagedRuntime.ManagedRuntime<DatabaseManagers, never>
  private readonly ownsRuntime: boolean
  private readonly transfer: DatabaseTransfer
  private readonly locked = serialQueue()

  /** `runtime`: the agent's, providing the manager; without one the node makes its own. */
  constructor(
    private readonly config: DatabaseNodeConfig,
    runtime?: ManagedRuntime.ManagedRuntime<DatabaseManagers, never>,
  ) {
    this.ownsRuntime = runtime === undefined
    this.runtime = runtime ?? ManagedRuntime.make(databaseManagersLayer(config))
    this.transfer = new DatabaseTransfer(config)
  }

  /**
   * Starts or adopts mariadbd (initialising it on first start) and opens the dump listener. Every
   * server starts read-only: one without a replication source is opened for writes here.
   */
  async start(): Promise<{ pid: number; started: boolean }> {
    const server = await ensureMariaDb(this.config)
    await this.withReplication((r) => r.settleReadOnly())
    await this.transfer.start()
    return server
  }

  /** Leaves MariaDB running (applications keep their connections while the agent restarts). */
  async close(): Promise<void> {
    await this.transfer.close()
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  private run<A>(
    effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, DatabaseManagers>,
  ): Promise<A> {
    return runManaged(this.runtime, effect, rejectedAs("DatabaseRejected"))
  }

  private withManager<A>(
    f: (m: MariaDbManager) => Effect.Effect<A, { readonly _tag: string; readonly message: string }>,
  ): Promise<A> {
    return this.run(Effect.flatMap(MariaDbManager, f))
  }

  private withReplication<A>(
    f: (r: MariaDbReplication) => Effect.Effect<A, { readonly _tag: string; readonly message: string }>,
  ): Promise<A> {
    return this.run(Effect.flatMap(MariaDbReplication, f))
  }

  // A replica's databases are its primary's, through replication: a change made here would make
  // its history differ from the primary's and stop replication, so it is refused.
  private changing<A>(
    f: (m: MariaDbManager) => Effect.Effect<A, { readonly _tag: string; readonly message: string }>,
  ): Promise<A> {
    return this.run(
      Effect.flatMap(MariaDbReplication, (r) => r.refuseOnReplica()).pipe(
        Effect.zipRight(Effect.flatMap(MariaDbManager, f)),
      ),
    )
  }

  /** Makes one database exactly its spec (its users and their grants included). */
  ensureDatabase(spec: DatabaseSpec): Promise<DatabaseChangeReport> {
    return this.locked(() => this.changing((m) => m.ensure([spec], spec.name)))
  }

  /** Drops a database and every user of it; nothing when it is not there. */
  removeDatabase(name: DatabaseName): Promise<DatabaseChangeReport> {
    return this.locked(() => this.changing((m) => m.ensure([], name)))
  }

  /** Makes the node's platform databases exactly these (with `plan`, only reports the changes). */
  convergeDatabases(specs: ReadonlyArray<DatabaseSpec>, plan: boolean): Promise<DatabaseChangeReport> {
    return this.locked(() =>
      plan ? this.withManager((m) => m.plan(specs, "all")) : this.changing((m) => m.ensure(specs, "all")),
    )
  }

  /** The server's version, charsets and collations. */
  describe(): Promise<DatabaseServerInfo> {
    return this.withManager((m) => m.describe())
  }

  /** This server's replication state. */
  replicationStatus(): Promise<DatabaseReplicationStatus> {
    return this.withReplication((r) => r.status())
  }

  /** How replicas reach this node: its address and its replication account's password (a secret). */
  async replicationSource(): Promise<DatabaseReplicationSource> {
    const { host, port } = this.config.listen
    // a wildcard listener is reached on the address other nodes download dumps from
    const advertised = host === "0.0.0.0" || host === "::" ? this.config.transfer.host : host
    return { host: advertised, port, user: REPLICATION_USER, password: await replicationPassword(this.config.root) }
  }

  /** Makes this node a read-only replica of `source`, or reports that it needs a seed first. */
  followPrimary(source: DatabaseReplicationSource): Promise<DatabaseFollowReport> {
    return this.locked(() => this.withReplication((r) => r.follow(source)))
  }

  /** Opens this replica for writes as the primary (refused unless healthy, or forced). */
  promote(force: boolean): Promise<DatabasePromoteReport> {
    return this.locked(() => this.withReplication((r) => r.promote(force)))
  }

  /**
   * Stops this primary taking writes before `source` is promoted in its place, in the node's queue
   * (no change of the node's own slips in between); answers the position `source` must reach.
   */
  demote(source: DatabaseReplicationSource): Promise<DatabaseDemoteReport> {
    return this.locked(() => this.withReplication((r) => r.demote(source)))
  }

  /** Waits until this replica applied its primary's transactions up to `position` (it only reads). */
  catchUp(position: string): Promise<DatabaseReplicationStatus> {
    return this.withReplication((r) => r.catchUp(position))
  }

  /** Undoes `demote(source)`: a failover that could not promote its replica leaves the primary writable. */
  reopen(source: DatabaseReplicationSource): Promise<DatabaseReopenReport> {
    return this.locked(() => this.withReplication((r) => r.reopen(source)))
  }

  /** Dumps the platform's databases and accounts with their GTID position and offers them to a new replica. */
  offerReplicaSeed(): Promise<DatabaseReplicaSeed> {
    return this.locked(async () => {
      const observed = await this.withManager((m) => m.observe("all"))
      const accounts = await this.withReplication((r) => r.accountStatements())
      const binlog = () => this.withReplication((r) => r.status()).then((s) => s.gtid_binlog_pos)
      return offerReplicaSeed(
        this.config,
        this.transfer,
        observed.databases.map((d) => d.name),
        accounts,
        binlog,
      )
    })
  }

  /**
   * Makes this node a fresh replica of `source` from its seed: stopped and read-only, the seed
   * downloaded and checked (a bad one changes nothing), every platform database and account
   * here dropped, the seed loaded, its own binlog cleared, following from the seed's position.
   */
  seedFromPrimary(source: DatabaseReplicationSource, seed: DatabaseReplicaSeed): Promise<DatabaseFollowReport> {
    return this.locked(async () => {
      const file = await this.transfer.download(seed)
      try {
        await this.withReplication((r) => r.beginSeed())
        await this.withManager((m) => m.ensure([], "all"))
        await loadReplicaSeed(this.config, file)
      } finally {
        await rm(file, { force: true })
      }
      return this.withReplication((r) => r.finishSeed(source, seed.gtid_position))
    })
  }

  /** Offers one database's dump to other nodes: each request streams a new consistent dump. */
  async dumpDatabase(name: DatabaseName): Promise<DatabaseDump> {
    const found = await this.withManager((m) => m.observe(name))
    if (found.databases.length === 0) throw new ConfigRejected(`database ${name} does not exist on this node`)
    return this.transfer.offerDump(name)
  }

  /** Ensures the database and its users from the spec, then streams another node's dump into it. */
  importDatabase(spec: DatabaseSpec, dump: DatabaseDump): Promise<void> {
    if (dump.database !== spec.name)
      return Promise.reject(new ConfigRejected(`the dump is of ${dump.database}, not of ${spec.name}`))
    // the load runs outside the node's queue: it can take minutes, and other databases' changes need not wait
    return this.ensureDatabase(spec).then(() => this.transfer.load(dump, spec.name))
  }
}
