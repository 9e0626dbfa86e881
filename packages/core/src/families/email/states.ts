import { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import type { RoundOutcome } from "../../activities/index.js"
import type { StatusCause } from "../../domain/lifecycle.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { causesOf, recordRound } from "../../lifecycle/rounds.js"
import { isTenantDeleting } from "../../lifecycle/tenant-children.js"
import type { MailDomainSpecJson } from "./activities.js"
import type { MailDomainSnapshot } from "./activities-sync.js"
import { type MailDnsRecord, mailDnsRecords } from "./plan-dns.js"
import type { MailTable } from "./service-rows.js"

interface DomainRow {
  readonly id: string
  readonly tenant_id: string
  readonly shard_id: string
  readonly hostname: string
  readonly dkim_selector: string
  readonly dkim_private_key: string
  readonly status: string
  readonly revision: string
  readonly suspended: boolean
}
interface AccountRow {
  readonly id: string
  readonly mail_domain_id: string
  readonly local_part: string
  readonly password_hash: string
  readonly quota_mb: number
  readonly status: string
  readonly revision: string
}
interface AliasRow {
  readonly id: string
  readonly account_id: string
  readonly address: string
  readonly status: string
  readonly revision: string
  /** Whether the alias's own domain is on the node (its round has put it there) or is the account's. */
  readonly hosted: boolean
}
interface ForwardRow {
  readonly id: string
  readonly account_id: string
  readonly address: string
  readonly keep_copy: boolean
  readonly status: string
  readonly revision: string
}
interface AutoreplyRow {
  readonly id: string
  readonly subject: string
  readonly body: string
  readonly start_at: string | null
  readonly end_at: string | null
  readonly days: number
  readonly enabled: boolean
  readonly status: string
  readonly revision: string
}

interface DomainRows {
  readonly accounts: ReadonlyArray<AccountRow>
  readonly aliases: ReadonlyArray<AliasRow>
  readonly forwards: ReadonlyArray<ForwardRow>
  readonly autoreplies: ReadonlyArray<AutoreplyRow>
}

const live = <R extends { readonly status: string }>(rows: ReadonlyArray<R>) =>
  rows.filter((r) => r.status !== "deleting")

/** A domain's spec: live accounts with their live, served aliases, forwards and reply; suspended with the tenant. */
const specOf = (d: DomainRow, rows: DomainRows): MailDomainSpecJson => ({
  domain: d.hostname,
  dkim: { selector: d.dkim_selector, private_key_pem: d.dkim_private_key },
  accounts: live(rows.accounts).map((a) => {
    const reply = live(rows.autoreplies).find((r) => r.id === a.id)
    return {
      local_part: a.local_part,
      password_hash: a.password_hash,
      quota_mb: a.quota_mb,
      suspended: d.suspended,
      aliases: live(rows.aliases)
        .filter((x) => x.account_id === a.id && x.hosted)
        .map((x) => x.address),
      forwards: live(rows.forwards)
        .filter((f) => f.account_id === a.id)
        .map((f) => ({ address: f.address, keep_copy: f.keep_copy })),
      ...(reply === undefined
        ? {}
        : {
            autoreply: {
              subject: reply.subject,
              body: reply.body,
              ...(reply.start_at === null ? {} : { start_at: reply.start_at }),
              ...(reply.end_at === null ? {} : { end_at: reply.end_at }),
              days: reply.days,
              enabled: reply.enabled,
            },
          }),
    }
  }),
})

const revs = (rows: ReadonlyArray<{ readonly id: string; readonly revision: string }>) =>
  rows.map((r) => [r.id, r.revision] as const)

/**
 * The database side of mail domain syncs: reads one domain's desired state and its shard's email
 * nodes, records outcomes (a row becomes active only at the revision the round applied), reads a
 * shard's whole set for its converge and the records the domain's zone serves.
 */
export class MailDomainStates extends Effect.Service<MailDomainStates>()("@hosting/MailDomainStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions

    const domainRows = (where: Fragment) =>
      sql<DomainRow>`SELECT d.id::text, d.tenant_id::text, d.shard_id::text, d.hostname, d.dkim_selector,
          d.dkim_private_key, d.status, d.revision::text, tn.suspended
        FROM mail_domains d JOIN tenants tn ON tn.id = d.tenant_id WHERE ${where} ORDER BY d.hostname`

    const rowsOf = (domainIds: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        if (domainIds.length === 0) return { accounts: [], aliases: [], forwards: [], autoreplies: [] } as DomainRows
        const accounts = yield* sql<AccountRow>`SELECT id::text, mail_domain_id::text, local_part, password_hash,
            quota_mb, status, revision::text FROM email_accounts WHERE mail_domain_id IN ${sql.in(domainIds)}
          ORDER BY local_part`
        const ids = accounts.map((a) => a.id)
        if (ids.length === 0) return { accounts, aliases: [], forwards: [], autoreplies: [] } as DomainRows
        const aliases = yield* sql<AliasRow>`SELECT x.id::text, x.account_id::text,
            x.local_part || '@' || d.hostname AS address, x.status, x.revision::text,
            (d.id = a.mail_domain_id OR d.served) AS hosted
          FROM email_aliases x JOIN mail_domains d ON d.id = x.mail_domain_id
            JOIN email_accounts a ON a.id = x.account_id
          WHERE x.account_id IN ${sql.in(ids)} AND (d.status <> 'deleting' OR x.status = 'deleting')
          ORDER BY address`
        const forwards = yield* sql<ForwardRow>`SELECT id::text, account_id::text, address, keep_copy, status,
            revision::text FROM email_forwards WHERE account_id IN ${sql.in(ids)} ORDER BY address`
        const autoreplies = yield* sql<AutoreplyRow>`SELECT id::text, subject, body, start_at, end_at, days, enabled,
            status, revision::text FROM email_autoreplies WHERE id IN ${sql.in(ids)}`
        return { accounts, aliases, forwards, autoreplies } as DomainRows
      })

    /** The email nodes of a shard, or why there are none. */
    const emailNodes = (shardId: string) =>
      Effect.map(
        sql<{ node_id: string }>`SELECT node_id::text FROM node_shards WHERE shard_id = ${shardId} ORDER BY node_id`,
        (rows) => ({
          nodeIds: rows.map((r) => r.node_id),
          problem: rows.length === 0 ? `email shard ${shardId} has no nodes` : null,
        }),
      )

    const snapshot = (mailDomainId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [d] = yield* domainRows(sql`d.id = ${mailDomainId}`)
            if (d === undefined) return null
            // pending rows of this domain (its accounts and what hangs off them) are now being applied
            yield* sql`UPDATE mail_domains SET status = 'provisioning' WHERE id = ${d.id} AND status = 'pending'`
            yield* sql`UPDATE email_accounts SET status = 'provisioning'
              WHERE mail_domain_id = ${d.id} AND status = 'pending'`
            for (const table of ["email_aliases", "email_forwards"])
              yield* sql`UPDATE ${sql(table)} SET status = 'provisioning' WHERE status = 'pending'
                AND account_id IN (SELECT id FROM email_accounts WHERE mail_domain_id = ${d.id})`
            yield* sql`UPDATE email_autoreplies SET status = 'provisioning' WHERE status = 'pending'
              AND id IN (SELECT id FROM email_accounts WHERE mail_domain_id = ${d.id})`
            const [fresh] = yield* domainRows(sql`d.id = ${mailDomainId}`)
            const rows = yield* rowsOf([d.id])
            const nodes = yield* emailNodes(d.shard_id)
            const deleting = fresh!.status === "deleting"
            // an alias whose domain is not on the nodes yet waits (pending) for that domain's round
            const aliases = deleting ? rows.aliases : rows.aliases.filter((x) => x.hosted || x.status === "deleting")
            const revisions: MailDomainSnapshot["revisions"] = [
              ["email_autoreplies", revs(rows.autoreplies)],
              ["email_forwards", revs(rows.forwards)],
              ["email_aliases", revs(aliases)],
              ["email_accounts", revs(rows.accounts)],
              ["mail_domains", [[d.id, fresh!.revision]]],
            ] satisfies ReadonlyArray<readonly [MailTable, ReadonlyArray<readonly [string, string]>]>
            const snap: MailDomainSnapshot = {
              mailDomainId: d.id,
              tenantId: d.tenant_id,
              domain: d.hostname,
              spec: deleting ? null : specOf(fresh!, rows),
              nodeIds: nodes.nodeIds,
              problem: nodes.problem,
              revisions,
            }
            return snap
          }),
        )
        .pipe(Effect.orDie)

    /** Addresses the node left out, as the rows they came from (alias or account), with the node's reason. */
    const rejectedRows = (snap: MailDomainSnapshot, rejected: ReadonlyArray<{ address: string; reason: string }>) =>
      Effect.gen(function* () {
        const out = new Map<string, StatusCause>()
        if (rejected.length === 0) return out
        const addresses = rejected.map((r) => r.address)
        const rows = yield* sql<{ id: string; address: string; kind: string }>`SELECT x.id::text,
            x.local_part || '@' || d.hostname AS address, 'email_alias' AS kind
          FROM email_aliases x JOIN mail_domains d ON d.id = x.mail_domain_id
            JOIN email_accounts a ON a.id = x.account_id
          WHERE a.mail_domain_id = ${snap.mailDomainId} AND x.local_part || '@' || d.hostname IN ${sql.in(addresses)}
          UNION ALL SELECT a.id::text, a.local_part || '@' || d.hostname, 'email_account'
          FROM email_accounts a JOIN mail_domains d ON d.id = a.mail_domain_id
          WHERE d.id = ${snap.mailDomainId} AND a.local_part || '@' || d.hostname IN ${sql.in(addresses)}`
        for (const r of rows) {
          const reason = rejected.find((x) => x.address === r.address)?.reason ?? "left out by the node"
          out.set(r.id, { resource_type: r.kind, resource_id: r.id, message: `${r.address}: ${reason}` })
        }
        return out
      })

    const finish = (
      snap: MailDomainSnapshot,
      outcome: RoundOutcome,
      rejected: ReadonlyArray<{ address: string; reason: string }> = [],
    ) =>
      Effect.gen(function* () {
        const causes = causesOf(outcome)
        const own = yield* rejectedRows(snap, rejected)
        const firstServed = yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* recordRound(sql, snap.revisions, causes, own)
            if (snap.spec === null || causes.length > 0) return false
            const rows = yield* sql`UPDATE mail_domains SET served = true
              WHERE id = ${snap.mailDomainId} AND NOT served RETURNING id`
            return rows.length > 0
          }),
        )
        if (firstServed) {
          // aliases of other domains' accounts on this one waited for it
          const waiting = yield* sql<{ id: string }>`SELECT DISTINCT a.mail_domain_id::text AS id
            FROM email_aliases x JOIN email_accounts a ON a.id = x.account_id
            WHERE x.mail_domain_id = ${snap.mailDomainId} AND a.mail_domain_id <> ${snap.mailDomainId}
              AND x.status IN ('pending', 'provisioning')`
          if (waiting.length > 0)
            yield* reactions.changed({ kind: "mail.resync", mailDomainIds: waiting.map((w) => w.id) })
        }
        // the tenant's delete waits for its mail domains: the last one removed lets it finish
        if (snap.spec === null && causes.length === 0 && (yield* isTenantDeleting(sql, snap.tenantId))) {
          yield* reactions.changed({ kind: "tenant-child.removed", tenantId: snap.tenantId })
        }
      }).pipe(Effect.orDie)

    /** Every live mail domain of an email shard, for its converge, with the revision read at. */
    const shardDomains = (shardId: string) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [{ revision }] = yield* sql<{
              revision: string
            }>`SELECT last_value::text AS revision FROM mail_revision_seq`
            const domains = yield* domainRows(sql`d.shard_id = ${shardId} AND d.status <> 'deleting'`)
            const rows = yield* rowsOf(domains.map((d) => d.id))
            // the whole shard goes at once: every live alias domain is there too
            const all = { ...rows, aliases: rows.aliases.map((x) => ({ ...x, hosted: true })) }
            return {
              revision,
              domains: domains.map((d) => {
                const accounts = all.accounts.filter((a) => a.mail_domain_id === d.id)
                return specOf(d, { ...all, accounts })
              }),
            }
          }),
        )
        .pipe(Effect.orDie)

    /** Asks the sync of every mail domain of the shard written after `revision` (a converge read an older state). */
    const resyncChangedSince = (shardId: string, revision: string) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ id: string }>`SELECT DISTINCT d.id::text FROM mail_domains d
          LEFT JOIN email_accounts a ON a.mail_domain_id = d.id
          WHERE d.shard_id = ${shardId} AND (d.revision > ${revision} OR a.revision > ${revision}
            OR EXISTS (SELECT 1 FROM email_aliases x WHERE x.account_id = a.id AND x.revision > ${revision})
            OR EXISTS (SELECT 1 FROM email_forwards f WHERE f.account_id = a.id AND f.revision > ${revision})
            OR EXISTS (SELECT 1 FROM email_autoreplies r WHERE r.id = a.id AND r.revision > ${revision}))`.pipe(
          Effect.orDie,
        )
        if (rows.length > 0) yield* reactions.changed({ kind: "mail.resync", mailDomainIds: rows.map((r) => r.id) })
        return rows.length
      })

    return { snapshot, finish, shardDomains, resyncChangedSince } as const
  }),
  dependencies: [Reactions.Default],
}) {}

/**
 * The records the platform serves for the mail domains of a brand at or under a zone (not being
 * removed): MX to the shard's first node, SPF, DKIM and DMARC. The zone's planner adds them.
 */
export const mailZoneRecords = (sql: SqlClient, brandId: string, zone: string) =>
  Effect.map(
    sql<{
      hostname: string
      dkim_selector: string
      dkim_public_key: string
      mail_host: string | null
    }>`SELECT d.hostname, d.dkim_selector, d.dkim_public_key,
        (SELECT n.hostname FROM node_shards ns JOIN nodes n ON n.id = ns.node_id WHERE ns.shard_id = d.shard_id
          ORDER BY n.created_at, n.id LIMIT 1) AS mail_host
      FROM mail_domains d JOIN tenants t ON t.id = d.tenant_id
      WHERE d.status <> 'deleting' AND t.brand_id = ${brandId}
        AND (d.hostname = ${zone} OR right(d.hostname, ${zone.length + 1}) = ${`.${zone}`})
      ORDER BY d.hostname`,
    (rows): ReadonlyArray<MailDnsRecord> =>
      rows.flatMap((r) =>
        mailDnsRecords({
          domain: r.hostname,
          mailHost: r.mail_host,
          dkimSelector: r.dkim_selector,
          dkimPublicKey: r.dkim_public_key,
        }),
      ),
  )
