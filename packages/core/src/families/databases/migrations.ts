import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Migration } from "../family.js"

const run = (statements: ReadonlyArray<string>): Migration =>
  Effect.flatMap(SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

/**
 * Databases and their users. `revision` changes with every write a database node must see (one
 * sequence for both tables, as the web tier has); a database's sync marks rows active only if
 * their revision is still the one it applied. Only a user's mysql_native_password hash is
 * stored, never the password. Users go with their database (ON DELETE CASCADE): the node drops
 * them with it. A database keeps its shard (RESTRICT: a shard with databases cannot be deleted).
 * `collation` is a reserved word in PostgreSQL: every statement quotes it.
 */
export const databasesMigrations: Record<string, Migration> = {
  "0010_databases": run([
    `CREATE SEQUENCE database_revision_seq`,
    `CREATE TABLE databases (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      shard_id uuid NOT NULL REFERENCES shards(id),
      name text NOT NULL UNIQUE,
      charset text NOT NULL,
      "collation" text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      status_details jsonb,
      revision bigint NOT NULL DEFAULT nextval('database_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE database_users (
      id uuid PRIMARY KEY,
      database_id uuid NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
      username text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      privileges text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      status_details jsonb,
      revision bigint NOT NULL DEFAULT nextval('database_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX databases_tenant ON databases (tenant_id)`,
    `CREATE INDEX databases_shard ON databases (shard_id)`,
    `CREATE INDEX database_users_database ON database_users (database_id)`,
    ...[
      ["databases", "name"],
      ["databases", "created_at"],
      ["database_users", "username"],
      ["database_users", "created_at"],
    ].map(([t, c]) => `CREATE INDEX ${t}_${c}_id ON ${t} (${c}, id)`),
  ]),
  // the shard a migration asked for moves the database to; its sync's next round does it
  "0012_database_migrate_to": run([
    `ALTER TABLE databases ADD COLUMN migrate_to uuid REFERENCES shards(id)`,
    `CREATE INDEX databases_migrate_to ON databases (migrate_to) WHERE migrate_to IS NOT NULL`,
  ]),
  // each database node's replication as its shard's last check saw it (never a password: the
  // replication account's lives only on the nodes and in the workflow that passes it on)
  "0013_database_replication": run([
    `CREATE TABLE database_replication (
      shard_id uuid NOT NULL REFERENCES shards(id) ON DELETE CASCADE,
      node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
      role text,
      state text NOT NULL,
      seconds_behind integer,
      io_running boolean,
      sql_running boolean,
      source_host text,
      source_port integer,
      last_errno integer,
      last_error text,
      needs_seed boolean NOT NULL DEFAULT false,
      checked_at timestamptz NOT NULL,
      PRIMARY KEY (shard_id, node_id)
    )`,
    `CREATE INDEX database_replication_node ON database_replication (node_id)`,
  ]),
}
