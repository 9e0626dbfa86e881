import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Migration } from "../family.js"

const run = (statements: ReadonlyArray<string>): Migration =>
  Effect.flatMap(SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

/**
 * S3 buckets and their access keys. `revision` comes from one sequence and changes with every
 * write the bucket's node must see; the bucket's sync marks rows active only if their revision is
 * still the one it applied. A key's secret is stored because the node must be given it in every
 * spec (RGW keeps keys as given); it leaves the database only in the bucket's spec.
 */
export const s3Migrations = {
  "0009_s3": run([
    `CREATE SEQUENCE s3_revision_seq`,
    `CREATE TABLE s3_buckets (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      shard_id uuid NOT NULL REFERENCES shards(id),
      name text NOT NULL UNIQUE,
      public_read boolean NOT NULL DEFAULT false,
      max_size_bytes bigint,
      max_objects bigint,
      force_delete boolean NOT NULL DEFAULT false,
      endpoint_url text,
      region text,
      usage_bytes bigint,
      usage_objects bigint,
      usage_measured_at timestamptz,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      status_details jsonb,
      revision bigint NOT NULL DEFAULT nextval('s3_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE s3_access_keys (
      id uuid PRIMARY KEY,
      bucket_id uuid NOT NULL REFERENCES s3_buckets(id) ON DELETE CASCADE,
      access_key_id text NOT NULL UNIQUE,
      secret text NOT NULL,
      access text NOT NULL CHECK (access IN ('read_write', 'read_only')),
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      status_details jsonb,
      revision bigint NOT NULL DEFAULT nextval('s3_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX s3_buckets_tenant ON s3_buckets (tenant_id)`,
    `CREATE INDEX s3_buckets_shard ON s3_buckets (shard_id)`,
    `CREATE INDEX s3_access_keys_bucket ON s3_access_keys (bucket_id)`,
    `CREATE INDEX s3_buckets_name_id ON s3_buckets (name, id)`,
    `CREATE INDEX s3_buckets_created_at_id ON s3_buckets (created_at, id)`,
    `CREATE INDEX s3_access_keys_created_at_id ON s3_access_keys (created_at, id)`,
  ]),
} satisfies Record<string, Migration>
