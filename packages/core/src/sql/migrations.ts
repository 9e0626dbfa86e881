import { Migrator } from "@effect/sql"
import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Migration } from "../families/family.js"
import { families } from "../families/index.js"

const run = (statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

/**
 * The released migrations, from before tables moved into their families' folders: each spans
 * several families, so they stay here, byte for byte. Never edit a released migration.
 */
const released: Record<string, Migration> = {
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
  "0002_control_plane": run([
    // List cursors carry timestamps through JSON (millisecond precision); rows must not have
    // more precision than the cursor, or keyset paging could skip or repeat a row.
    ...["regions", "clusters", "shards", "nodes", "api_keys", "node_probes"].flatMap((t) => [
      `ALTER TABLE ${t} ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now())`,
      `UPDATE ${t} SET created_at = date_trunc('milliseconds', created_at)`,
    ]),
    `CREATE TABLE platform_config (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      config jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE brands (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      ns_hostnames text[] NOT NULL DEFAULT '{}',
      hostmaster text,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE brand_clusters (
      brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
      cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
      PRIMARY KEY (brand_id, cluster_id)
    )`,
    `CREATE TABLE region_runtimes (
      region_id uuid NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
      runtime text NOT NULL,
      versions text[] NOT NULL,
      PRIMARY KEY (region_id, runtime)
    )`,
    `CREATE TABLE lb_addresses (
      id uuid PRIMARY KEY,
      cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
      address text NOT NULL,
      family smallint NOT NULL CHECK (family IN (4, 6)),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      UNIQUE (cluster_id, address)
    )`,
    `CREATE TABLE audit_logs (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      key_id uuid,
      key_name text,
      brands text[] NOT NULL,
      action text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      resource_type text NOT NULL,
      resource_id text,
      status_code integer NOT NULL,
      request_body jsonb
    )`,
    `ALTER TABLE shards ADD COLUMN last_operation text`,
    `ALTER TABLE shards ADD COLUMN workflow_id text`,
    `ALTER TABLE shards ALTER COLUMN status SET DEFAULT 'pending'`,
    // keyset pagination: (sort key, id) for every sortable column of every list
    ...[
      ["regions", "name"],
      ["regions", "created_at"],
      ["clusters", "name"],
      ["clusters", "created_at"],
      ["shards", "name"],
      ["shards", "created_at"],
      ["nodes", "hostname"],
      ["nodes", "created_at"],
      ["brands", "name"],
      ["brands", "created_at"],
      ["api_keys", "name"],
      ["api_keys", "created_at"],
      ["lb_addresses", "address"],
      ["lb_addresses", "created_at"],
      ["audit_logs", "created_at"],
    ].map(([t, c]) => `CREATE INDEX ${t}_${c}_id ON ${t} (${c}, id)`),
    `CREATE INDEX audit_logs_resource ON audit_logs (resource_type, resource_id)`,
  ]),
  // The web tier. `revision` comes from one sequence and changes with every write a node must see:
  // a tenant's sync marks a row active only if its revision is still the one it applied.
  "0003_web_tier": run([
    `CREATE SEQUENCE web_revision_seq`,
    `CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      brand_id uuid NOT NULL REFERENCES brands(id),
      shard_id uuid NOT NULL REFERENCES shards(id),
      name text NOT NULL UNIQUE,
      display_name text,
      suspended boolean NOT NULL DEFAULT false,
      migrate_to uuid REFERENCES shards(id),
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('web_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE webroots (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      name text NOT NULL UNIQUE,
      runtime text NOT NULL,
      runtime_version text,
      entrypoint text,
      numprocs integer NOT NULL DEFAULT 1,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('web_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE fqdns (
      id uuid PRIMARY KEY,
      webroot_id uuid NOT NULL REFERENCES webroots(id),
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      hostname text NOT NULL UNIQUE,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('web_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE ssh_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      name text NOT NULL,
      public_key text NOT NULL,
      fingerprint text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('web_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, fingerprint)
    )`,
    `CREATE INDEX tenants_shard ON tenants (shard_id)`,
    `CREATE INDEX tenants_brand ON tenants (brand_id)`,
    `CREATE INDEX webroots_tenant ON webroots (tenant_id)`,
    `CREATE INDEX fqdns_webroot ON fqdns (webroot_id)`,
    `CREATE INDEX fqdns_tenant ON fqdns (tenant_id)`,
    `CREATE INDEX ssh_keys_tenant ON ssh_keys (tenant_id)`,
    ...[
      ["tenants", "name"],
      ["tenants", "created_at"],
      ["webroots", "name"],
      ["webroots", "created_at"],
      ["fqdns", "hostname"],
      ["fqdns", "created_at"],
      ["ssh_keys", "name"],
      ["ssh_keys", "created_at"],
    ].map(([t, c]) => `CREATE INDEX ${t}_${c}_id ON ${t} (${c}, id)`),
  ]),
  // DNS zones and records. Like the web tier, `revision` changes with every write a DNS node must
  // see; a zone's sync marks rows active only if their revision is still the one it applied.
  "0004_dns": run([
    `CREATE SEQUENCE dns_revision_seq`,
    `CREATE TABLE zones (
      id uuid PRIMARY KEY,
      brand_id uuid NOT NULL REFERENCES brands(id),
      tenant_id uuid REFERENCES tenants(id) ON DELETE SET NULL,
      name text NOT NULL UNIQUE,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('dns_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE dns_records (
      id uuid PRIMARY KEY,
      zone_id uuid NOT NULL REFERENCES zones(id),
      name text NOT NULL,
      type text NOT NULL,
      ttl integer NOT NULL,
      data jsonb NOT NULL,
      content text NOT NULL,
      managed_by text NOT NULL CHECK (managed_by IN ('platform', 'user')),
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('dns_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX zones_brand ON zones (brand_id)`,
    `CREATE INDEX zones_tenant ON zones (tenant_id)`,
    `CREATE INDEX dns_records_zone_name ON dns_records (zone_id, name)`,
    // the FQDNs at or under a zone: reverse(hostname) LIKE reverse('.' || zone) || '%'
    `CREATE INDEX fqdns_reverse_hostname ON fqdns (reverse(hostname) text_pattern_ops)`,
    ...[
      ["zones", "name"],
      ["zones", "created_at"],
      ["dns_records", "name"],
      ["dns_records", "type"],
      ["dns_records", "created_at"],
    ].map(([t, c]) => `CREATE INDEX ${t}_${c}_id ON ${t} (${c}, id)`),
  ]),
  "0005_certificates": run([
    `CREATE TABLE certificates (
      id uuid PRIMARY KEY,
      fqdn_id uuid NOT NULL REFERENCES fqdns(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      source text NOT NULL CHECK (source IN ('custom')),
      certificate_pem text NOT NULL,
      private_key_pem text NOT NULL,
      subject text NOT NULL,
      names jsonb NOT NULL,
      fingerprint text NOT NULL,
      not_before timestamptz NOT NULL,
      not_after timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      status_message text,
      revision bigint NOT NULL DEFAULT nextval('web_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX certificates_fqdn_created ON certificates (fqdn_id, created_at, id)`,
    `CREATE INDEX certificates_tenant ON certificates (tenant_id)`,
  ]),
  // Let's Encrypt (ACME HTTP-01). An FQDN says whether the platform obtains its certificate
  // (`tls`) and whether plain HTTP redirects to HTTPS; `acme_*` is the outcome of the latest
  // issuance, shown to the user. One ACME account per directory URL, its key kept here.
  "0006_acme": run([
    `ALTER TABLE fqdns ADD COLUMN tls text NOT NULL DEFAULT 'none' CHECK (tls IN ('letsencrypt', 'none'))`,
    `ALTER TABLE fqdns ADD COLUMN https_redirect boolean NOT NULL DEFAULT false`,
    `ALTER TABLE fqdns ADD COLUMN acme_status text CHECK (acme_status IN ('pending', 'issuing', 'issued', 'failed'))`,
    `ALTER TABLE fqdns ADD COLUMN acme_message text`,
    `ALTER TABLE fqdns ADD COLUMN acme_attempted_at timestamptz`,
    `ALTER TABLE certificates DROP CONSTRAINT certificates_source_check`,
    `ALTER TABLE certificates ADD CONSTRAINT certificates_source_check CHECK (source IN ('custom', 'letsencrypt'))`,
    `CREATE INDEX certificates_not_after ON certificates (not_after)`,
    `CREATE TABLE acme_accounts (
      directory_url text PRIMARY KEY,
      account_key_pem text NOT NULL,
      account_url text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  ]),
  // The audit entry of a mutation is written before the handler runs (no change without an
  // entry) and completed with the status afterwards: NULL means the outcome was never recorded.
  // Refused unauthenticated attempts carry the client's address and why, never a body.
  "0007_audit_outcomes": run([
    `ALTER TABLE audit_logs ALTER COLUMN status_code DROP NOT NULL`,
    `ALTER TABLE audit_logs ADD COLUMN client_address text`,
    `ALTER TABLE audit_logs ADD COLUMN reason text`,
  ]),
  // Why a resource failed, cause by cause (node, resource, message), beside the one-line
  // status_message every async table has.
  "0008_status_details": run(
    ["shards", "tenants", "webroots", "fqdns", "ssh_keys", "certificates", "zones", "dns_records"].map(
      (table) => `ALTER TABLE ${table} ADD COLUMN status_details jsonb`,
    ),
  ),
}

/** Every family's migrations with the released ones; a number used twice is refused at load. */
export const allMigrations = (
  familyMigrations: ReadonlyArray<Readonly<Record<string, Migration>>>,
): Record<string, Migration> => {
  const all = { ...released }
  for (const record of familyMigrations)
    for (const [name, migration] of Object.entries(record)) {
      const id = name.split("_")[0]
      const taken = Object.keys(all).find((n) => n.split("_")[0] === id)
      if (taken !== undefined) throw new Error(`migration ${name} repeats the number of ${taken}`)
      all[name] = migration
    }
  return all
}

/**
 * Forward-only schema migrations, loaded from a record so bundled processes need no filesystem:
 * the released ones and each family's (`families/<family>/migrations.ts`, the next free number).
 */
export const migrations = Migrator.fromRecord(allMigrations(families.map((f) => f.migrations)))
