import { Migrator } from "@effect/sql"
import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"

const run = (statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

/**
 * Forward-only schema migrations, loaded from a record so bundled processes need no filesystem.
 * Never edit a released migration: add the next number.
 */
export const migrations = Migrator.fromRecord({
  "0001_foundation": run([
    `CREATE TABLE regions (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE clusters (
      id uuid PRIMARY KEY,
      region_id uuid NOT NULL REFERENCES regions(id),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (region_id, name)
    )`,
    `CREATE TABLE shards (
      id uuid PRIMARY KEY,
      cluster_id uuid NOT NULL REFERENCES clusters(id),
      name text NOT NULL,
      role text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'active',
      status_message text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cluster_id, name)
    )`,
    `CREATE TABLE nodes (
      id uuid PRIMARY KEY,
      cluster_id uuid NOT NULL REFERENCES clusters(id),
      hostname text NOT NULL,
      addresses text[] NOT NULL DEFAULT '{}',
      roles text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE node_shards (
      node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
      shard_id uuid NOT NULL REFERENCES shards(id) ON DELETE CASCADE,
      PRIMARY KEY (node_id, shard_id)
    )`,
    `CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      key_prefix text NOT NULL,
      scopes text[] NOT NULL,
      brands text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`,
    `CREATE TABLE node_probes (
      id uuid PRIMARY KEY,
      node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
      status text NOT NULL,
      status_message text,
      workflow_id text NOT NULL,
      facts jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX node_probes_node_id ON node_probes (node_id, created_at)`,
  ]),
})
