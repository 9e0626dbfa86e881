import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Migration } from "../family.js"

const run = (statements: ReadonlyArray<string>): Migration =>
  Effect.flatMap(SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

const lifecycle = `status text NOT NULL DEFAULT 'pending',
      status_message text,
      status_details jsonb,
      revision bigint NOT NULL DEFAULT nextval('mail_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()`

/**
 * Mail domains and what they deliver. A mail domain exists while a host name has accounts or
 * aliases; it holds the DKIM key (the private key never leaves the control plane except to the
 * domain's email nodes) and keeps its shard (RESTRICT). Everything under it goes with it
 * (CASCADE): its node removes the files with the domain. One revision sequence for all tables,
 * so a domain's sync marks rows active only at the revision it applied. Only password hashes
 * are stored. `served`: a round has put the domain on its nodes (aliases of other domains wait for it). `fqdn_id` is the FQDN the row was created through (the API's address of it).
 */
export const emailMigrations: Record<string, Migration> = {
  "0011_email": run([
    `CREATE SEQUENCE mail_revision_seq`,
    `CREATE TABLE mail_domains (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id),
      shard_id uuid NOT NULL REFERENCES shards(id),
      hostname text NOT NULL UNIQUE,
      dkim_selector text NOT NULL,
      dkim_private_key text NOT NULL,
      dkim_public_key text NOT NULL,
      served boolean NOT NULL DEFAULT false,
      ${lifecycle}
    )`,
    `CREATE TABLE email_accounts (
      id uuid PRIMARY KEY,
      mail_domain_id uuid NOT NULL REFERENCES mail_domains(id) ON DELETE CASCADE,
      fqdn_id uuid NOT NULL,
      local_part text NOT NULL,
      password_hash text NOT NULL,
      quota_mb integer NOT NULL,
      display_name text,
      ${lifecycle},
      UNIQUE (mail_domain_id, local_part)
    )`,
    `CREATE TABLE email_aliases (
      id uuid PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES email_accounts(id) ON DELETE CASCADE,
      mail_domain_id uuid NOT NULL REFERENCES mail_domains(id) ON DELETE CASCADE,
      fqdn_id uuid NOT NULL,
      local_part text NOT NULL,
      ${lifecycle},
      UNIQUE (mail_domain_id, local_part)
    )`,
    `CREATE TABLE email_forwards (
      id uuid PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES email_accounts(id) ON DELETE CASCADE,
      address text NOT NULL,
      keep_copy boolean NOT NULL,
      ${lifecycle},
      UNIQUE (account_id, address)
    )`,
    `CREATE TABLE email_autoreplies (
      id uuid PRIMARY KEY REFERENCES email_accounts(id) ON DELETE CASCADE,
      subject text NOT NULL,
      body text NOT NULL,
      start_at text,
      end_at text,
      days integer NOT NULL,
      enabled boolean NOT NULL,
      ${lifecycle}
    )`,
    `CREATE INDEX mail_domains_tenant ON mail_domains (tenant_id)`,
    `CREATE INDEX mail_domains_shard ON mail_domains (shard_id)`,
    `CREATE INDEX email_accounts_domain ON email_accounts (mail_domain_id)`,
    `CREATE INDEX email_accounts_fqdn ON email_accounts (fqdn_id)`,
    `CREATE INDEX email_aliases_account ON email_aliases (account_id)`,
    `CREATE INDEX email_aliases_domain ON email_aliases (mail_domain_id)`,
    `CREATE INDEX email_forwards_account ON email_forwards (account_id)`,
    ...[
      ["email_accounts", "local_part"],
      ["email_accounts", "created_at"],
      ["email_aliases", "local_part"],
      ["email_aliases", "created_at"],
      ["email_forwards", "address"],
      ["email_forwards", "created_at"],
    ].map(([t, c]) => `CREATE INDEX ${t}_${c}_id ON ${t} (${c}, id)`),
  ]),
}
