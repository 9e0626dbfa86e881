import { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import type { RoundOutcome } from "../../activities/index.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { causesOf, type FamilyTables, markProvisioning, recordRound } from "../../lifecycle/rounds.js"
import { isTenantDeleting } from "../../lifecycle/tenant-children.js"
import type { DatabaseSnapshot } from "./activities-sync.js"
import type { DatabasePrivileges, DatabaseSpec } from "./domain.js"
import { applyingNodes, type DatabaseTable } from "./service-rows.js"

/** The rows a database's round applies: the database and its users. */
const DATABASE_TABLES: FamilyTables<DatabaseTable> = {
  root: "databases",
  children: ["database_users"],
  parentColumn: "database_id",
}

interface DatabaseRow {
  readonly id: string
  readonly tenant_id: string
  readonly shard_id: string
  readonly migrate_to: string | null
  readonly name: string
  readonly charset: string
  readonly collation: string
  readonly status: string
  readonly revision: string
  readonly suspended: boolean
}
interface UserRow {
  readonly id: string
  readonly database_id: string
  readonly username: string
  readonly password_hash: string
  readonly privileges: DatabasePrivileges
  readonly status: string
  readonly revision: string
}

/** A database's spec from its row and its users': users being deleted are left out (the node drops them). */
const specOf = (db: DatabaseRow, users: ReadonlyArray<UserRow>): DatabaseSpec => ({
  name: db.name,
  charset: db.charset,
  collation: db.collation,
  users: users
    .filter((u) => u.status !== "deleting")
    .map((u) => ({
      name: u.username,
      password_hash: u.password_hash,
      privileges: u.privileges,
      // a suspended tenant's applications cannot log in; nothing else of theirs is lost
      locked: db.suspended,
    })),
})

/**
 * The database side of database syncs: reads one database's desired state and the nodes that
 * apply it, records outcomes (a row becomes active only if its revision is still the one the
 * round applied), and reads a shard's whole set for its converge.
 */
export class DatabaseStates extends Effect.Service<DatabaseStates>()("@hosting/DatabaseStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions

    const databaseRows = (where: Fragment) =>
      sql<DatabaseRow>`SELECT d.id::text, d.tenant_id::text, d.shard_id::text, d.migrate_to::text, d.name,
          d.charset, d."collation", d.status, d.revision::text, tn.suspended
        FROM databases d JOIN tenants tn ON tn.id = d.tenant_id WHERE ${where} ORDER BY d.name`
    const userRows = (databaseIds: ReadonlyArray<string>) =>
      databaseIds.length === 0
        ? Effect.succeed([] as ReadonlyArray<UserRow>)
        : sql<UserRow>`SELECT id::text, database_id::text, username, password_hash, privileges, status,
            revision::text FROM database_users WHERE database_id IN ${sql.in(databaseIds)} ORDER BY username`

    const snapshot = (databaseId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            // the tenant's suspension is part of the spec: read it under the same snapshot
            const [db] = yield* databaseRows(sql`d.id = ${databaseId}`)
            if (db === undefined) return null
            yield* markProvisioning(sql, DATABASE_TABLES, databaseId)
            const users = yield* userRows([databaseId])
            const nodes = yield* applyingNodes(sql, db.shard_id)
            const deleting = db.status === "deleting"
            const migrateTo = deleting ? null : db.migrate_to
            const snap: DatabaseSnapshot = {
              databaseId,
              tenantId: db.tenant_id,
              name: db.name,
              spec: deleting ? null : specOf(db, users),
              nodeIds: nodes.nodeIds,
              problem: nodes.problem,
              shardId: db.shard_id,
              migrateTo,
              migrateNodeIds: migrateTo === null ? null : (yield* applyingNodes(sql, migrateTo)).nodeIds,
              revisions: {
                databases: [[db.id, db.revision]],
                database_users: users.map((u) => [u.id, u.revision] as const),
              },
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    const finish = (snap: DatabaseSnapshot, outcome: RoundOutcome) =>
      Effect.gen(function* () {
        yield* sql.withTransaction(
          Effect.gen(function* () {
            // users first: they reference the database (and go with it when it is removed)
            yield* recordRound(
              sql,
              [
                ["database_users", snap.revisions.database_users],
                ["databases", snap.revisions.databases],
              ],
              causesOf(outcome),
            )
            // a failed migration left the database where it was: it stays there, serving, and
            // its next rounds are ordinary ones (asking again is how a migration is retried)
            if (snap.migrateTo != null && causesOf(outcome).length > 0) {
              yield* sql`UPDATE databases SET migrate_to = NULL, updated_at = now()
                WHERE id = ${snap.databaseId} AND shard_id = ${snap.shardId} AND migrate_to = ${snap.migrateTo}`
            }
          }),
        )
        // the tenant's delete waits for its databases: the last one removed lets it finish
        const removed = snap.spec === null && causesOf(outcome).length === 0
        if (removed && (yield* isTenantDeleting(sql, snap.tenantId))) {
          yield* reactions.changed({ kind: "tenant-child.removed", tenantId: snap.tenantId })
        }
      }).pipe(Effect.orDie)

    /**
     * Every live database of a database shard, for its converge: the nodes that apply the
     * shard's databases get them all (a node of the shard that applies none gets an empty list,
     * so its platform databases are removed), with the revision they were read at.
     */
    const shardSpecs = (shardId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [{ revision }] = yield* sql<{
              revision: string
            }>`SELECT last_value::text AS revision FROM database_revision_seq`
            // a database migrating here is kept too: a converge must not drop its copy half-way
            const dbs = yield* databaseRows(
              sql`(d.shard_id = ${shardId} OR d.migrate_to = ${shardId}) AND d.status <> 'deleting'`,
            )
            const users = yield* userRows(dbs.map((d) => d.id))
            const specs = dbs.map((d) =>
              specOf(
                d,
                users.filter((u) => u.database_id === d.id),
              ),
            )
            const { nodeIds } = yield* applyingNodes(sql, shardId)
            return { revision, nodes: nodeIds.map((nodeId) => ({ nodeId, databases: specs })) }
          }),
        )
        .pipe(Effect.orDie)

    /** Asks the sync of every database of the shard written after `revision` (a converge read an older state). */
    const resyncChangedSince = (shardId: string, revision: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT d.id::text FROM databases d WHERE d.shard_id = ${shardId} AND (
            d.revision > ${revision}
            OR EXISTS (SELECT 1 FROM database_users u WHERE u.database_id = d.id AND u.revision > ${revision}))`.pipe(
          Effect.orDie,
        )
        yield* reactions.changed({ kind: "database-converge.overtaken", databaseIds: rows.map((r) => r.id) })
        return rows.length
      })

    /** A migrated database's row moves to its new shard; the revision stays, so the round still records it. */
    const switchShard = (databaseId: string, from: string, to: string) =>
      sql<{ id: string }>`UPDATE databases SET shard_id = migrate_to, migrate_to = NULL, updated_at = now()
        WHERE id = ${databaseId} AND shard_id = ${from} AND migrate_to = ${to} RETURNING id::text`.pipe(
        Effect.map((rows) => rows.length === 1),
        Effect.orDie,
      )

    return { snapshot, finish, shardSpecs, resyncChangedSince, switchShard } as const
  }),
  dependencies: [Reactions.Default],
}) {}
