import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import type { FqdnId } from "../tenancy/domain.js"
import { getScoped, lockLiveTenant } from "../tenancy/service-rows.js"
import {
  type CreateEmailAccount,
  EmailAccount,
  type EmailAccountId,
  MAX_ACCOUNTS_PER_DOMAIN,
  type UpdateEmailAccount,
} from "./domain-resource.js"
import { hashMailPassword } from "./password.js"
import {
  accountContext,
  accountSpec,
  acquireMailDomain,
  checkMailFqdn,
  fqdnContext,
  MailPasswordHasher,
  type MailWritten,
  mailDomainHostname,
  markMailRow,
  recheckLiveFqdn,
  releaseIfUnused,
} from "./service-rows.js"

/** The quota a mailbox gets when none is asked for. */
export const DEFAULT_QUOTA_MB = 1024

const ids = (rows: ReadonlyArray<{ readonly id: string }>) => rows.map((r) => r.id)

/**
 * Mailboxes on FQDNs. The first account on a host name makes its mail domain (and its DNS
 * records), the last one's removal marks it for removal. Writes mark rows for the domain's sync,
 * report the change and answer 202; passwords are hashed here (Argon2id) and never stored or
 * logged in the clear.
 */
export class EmailAccounts extends Effect.Service<EmailAccounts>()("@hosting/EmailAccounts", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const hasher = yield* MailPasswordHasher
    const decode = rowDecoder(EmailAccount)
    const hash = (password: string) => hashMailPassword(password, hasher.argon2id).pipe(Effect.orDie)

    const get = Effect.fn("EmailAccounts.get")(function* (principal: Principal, id: EmailAccountId) {
      return yield* getScoped(sql, accountSpec, principal, id, "email account", decode)
    })

    const list = Effect.fn("EmailAccounts.list")(function* (principal: Principal, fqdnId: FqdnId, query: ListQuery) {
      const f = yield* fqdnContext(sql, principal, fqdnId)
      return yield* listPage(
        sql,
        accountSpec,
        query,
        filters(
          sql`d.hostname = ${f.hostname} AND d.tenant_id = ${f.tenant_id}`,
          brandFilter(sql, accountSpec.brandColumn, principal),
        ),
        decode,
      )
    })

    const create = Effect.fn("EmailAccounts.create")(function* (
      principal: Principal,
      fqdnId: FqdnId,
      input: typeof CreateEmailAccount.Type,
    ) {
      const f = yield* fqdnContext(sql, principal, fqdnId)
      yield* checkMailFqdn(f)
      const passwordHash = yield* hash(input.password)
      const id = randomUuid()
      const taken = new Conflict({ message: `${input.local_part}@${f.hostname} already exists` })
      const domain = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, f.tenant_id)
            yield* recheckLiveFqdn(sql, f.id)
            const domain = yield* acquireMailDomain(sql, f)
            const clash = yield* sql<{ n: string }>`SELECT
                (SELECT count(*) FROM email_aliases WHERE mail_domain_id = ${domain.id}
                  AND local_part = ${input.local_part})::text AS n`
            if (clash[0]?.n !== "0") return yield* Effect.fail(taken)
            const count = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM email_accounts
              WHERE mail_domain_id = ${domain.id}`
            if (Number(count[0]?.n) >= MAX_ACCOUNTS_PER_DOMAIN) {
              return yield* Effect.fail(
                new Conflict({ message: `${f.hostname} has ${MAX_ACCOUNTS_PER_DOMAIN} accounts` }),
              )
            }
            yield* sql`INSERT INTO email_accounts (id, mail_domain_id, fqdn_id, local_part, password_hash, quota_mb,
                display_name, status)
              VALUES (${id}, ${domain.id}, ${f.id}, ${input.local_part}, ${passwordHash},
                ${input.quota_mb ?? DEFAULT_QUOTA_MB}, ${input.display_name ?? null}, 'pending')`
            return domain
          }),
        )
        .pipe(onConstraint({ unique: () => taken }))
      const written: MailWritten = [
        ["email_accounts", [id]],
        ["mail_domains", domain.created ? [domain.id] : []],
      ]
      // the answer is the row as written, read before the hand-off: after it, a quick round may have
      // moved it on already, or removed it (a delete would answer 404 for what it did)
      const answer = yield* get(principal, id as EmailAccountId)
      yield* reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [domain.id],
        written,
        zoneHostnames: domain.created ? [f.hostname] : [],
      })
      return answer
    })

    const update = Effect.fn("EmailAccounts.update")(function* (
      principal: Principal,
      id: EmailAccountId,
      patch: typeof UpdateEmailAccount.Type,
    ) {
      const a = yield* accountContext(sql, principal, id)
      if (a.tenant_status === "deleting")
        return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      const passwordHash = patch.password === undefined ? undefined : yield* hash(patch.password)
      const rows = yield* sql`UPDATE email_accounts SET
          password_hash = COALESCE(${passwordHash ?? null}, password_hash),
          quota_mb = COALESCE(${patch.quota_mb ?? null}::int, quota_mb),
          display_name = ${patch.display_name === undefined ? sql`display_name` : patch.display_name},
          ${markMailRow(sql, "pending")}
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(new Conflict({ message: "the email account is being deleted" }))
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [a.mail_domain_id],
        written: [["email_accounts", [id]]],
        zoneHostnames: [],
      })
      return answer
    })

    /**
     * Removes the mailbox with its mail, aliases, forwards and auto-reply: all become `deleting`;
     * the domain's sync removes them. A domain left with no address is marked too. Deleting again
     * re-sends.
     */
    const remove = Effect.fn("EmailAccounts.remove")(function* (principal: Principal, id: EmailAccountId) {
      const a = yield* accountContext(sql, principal, id)
      if (a.status !== "deleting" && a.tenant_status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      }
      const { written, domains } = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const deleting = markMailRow(sql, "deleting")
            const acc = yield* sql<{ id: string }>`UPDATE email_accounts SET ${deleting} WHERE id = ${id} RETURNING id`
            const al = yield* sql<{ id: string; mail_domain_id: string }>`UPDATE email_aliases SET ${deleting}
              WHERE account_id = ${id} RETURNING id, mail_domain_id::text`
            const fw = yield* sql<{ id: string }>`UPDATE email_forwards SET ${deleting} WHERE account_id = ${id}
              RETURNING id`
            const ar = yield* sql<{
              id: string
            }>`UPDATE email_autoreplies SET ${deleting} WHERE id = ${id} RETURNING id`
            const touched = [...new Set([a.mail_domain_id, ...al.map((x) => x.mail_domain_id)])]
            const released: Array<string> = []
            for (const d of touched) if (yield* releaseIfUnused(sql, d)) released.push(d)
            const hostnames = yield* Effect.forEach(released, (d) => mailDomainHostname(sql, d))
            const written: MailWritten = [
              ["email_accounts", ids(acc)],
              ["email_aliases", ids(al)],
              ["email_forwards", ids(fw)],
              ["email_autoreplies", ids(ar)],
              ["mail_domains", released],
            ]
            return { written, domains: { touched, hostnames } }
          }),
        )
        .pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "mail.changed",
        mailDomainIds: domains.touched,
        written,
        zoneHostnames: domains.hostnames,
      })
      return answer
    })

    /** Re-sends a failed account (with its failed aliases, forwards, auto-reply and domain); 409 when nothing failed. */
    const retry = Effect.fn("EmailAccounts.retry")(function* (principal: Principal, id: EmailAccountId) {
      const a = yield* accountContext(sql, principal, id)
      if (a.tenant_status === "deleting" || a.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the email account is being deleted" }))
      }
      const written = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const pending = markMailRow(sql, "pending")
            const failed = sql`status = 'failed'`
            const d = yield* sql<{ id: string }>`UPDATE mail_domains SET ${pending}
              WHERE id = ${a.mail_domain_id} AND ${failed} RETURNING id`
            const acc = yield* sql<{ id: string }>`UPDATE email_accounts SET ${pending}
              WHERE id = ${id} AND ${failed} RETURNING id`
            const al = yield* sql<{ id: string }>`UPDATE email_aliases SET ${pending}
              WHERE account_id = ${id} AND ${failed} RETURNING id`
            const fw = yield* sql<{ id: string }>`UPDATE email_forwards SET ${pending}
              WHERE account_id = ${id} AND ${failed} RETURNING id`
            const ar = yield* sql<{ id: string }>`UPDATE email_autoreplies SET ${pending}
              WHERE id = ${id} AND ${failed} RETURNING id`
            return [
              ["mail_domains", ids(d)],
              ["email_accounts", ids(acc)],
              ["email_aliases", ids(al)],
              ["email_forwards", ids(fw)],
              ["email_autoreplies", ids(ar)],
            ] as MailWritten
          }),
        )
        .pipe(Effect.orDie)
      if (written.every(([, rows]) => rows.length === 0)) {
        return yield* Effect.fail(
          new Conflict({
            message: `only a failed account, or one with failed parts, can be retried; this one is ${a.status}`,
          }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "mail.changed", mailDomainIds: [a.mail_domain_id], written, zoneHostnames: [] })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
