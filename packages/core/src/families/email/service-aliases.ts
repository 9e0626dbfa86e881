import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, InvalidInput, notFound } from "../../domain/errors.js"
import { randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { getScoped, lockLiveTenant } from "../tenancy/service-rows.js"
import {
  type CreateEmailAlias,
  type EmailAccountId,
  EmailAlias,
  type EmailAliasId,
  MAX_ALIASES_PER_ACCOUNT,
} from "./domain-resource.js"
import {
  accountContext,
  acquireMailDomain,
  aliasSpec,
  checkMailFqdn,
  fqdnContext,
  type MailWritten,
  mailDomainHostname,
  markMailRow,
  recheckLiveFqdn,
  releaseIfUnused,
} from "./service-rows.js"

interface AliasContext {
  readonly id: string
  readonly account_id: string
  readonly mail_domain_id: string
  readonly account_domain_id: string
  readonly status: string
  readonly tenant_status: string
}

/**
 * Aliases: another local part, on the account's host name or another FQDN of the same tenant,
 * delivered to the account. An alias on a name without mail makes its mail domain (on the
 * tenant's email shard, so one node serves both); the account's domain's sync applies it.
 */
export class EmailAliases extends Effect.Service<EmailAliases>()("@hosting/EmailAliases", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(EmailAlias)

    const context = (principal: Principal, id: string) =>
      sql<AliasContext>`SELECT t.id::text, t.account_id::text, t.mail_domain_id::text,
          a.mail_domain_id::text AS account_domain_id, t.status, tn.status AS tenant_status
        FROM ${sql.literal(aliasSpec.from)}
        WHERE ${sql.and(filters(sql`t.id = ${id}`, brandFilter(sql, aliasSpec.brandColumn, principal)))}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined ? Effect.fail(notFound("email alias", id)) : Effect.succeed(rows[0]),
        ),
      )

    const get = Effect.fn("EmailAliases.get")(function* (principal: Principal, id: EmailAliasId) {
      return yield* getScoped(sql, aliasSpec, principal, id, "email alias", decode)
    })

    const list = Effect.fn("EmailAliases.list")(function* (
      principal: Principal,
      accountId: EmailAccountId,
      query: ListQuery,
    ) {
      yield* accountContext(sql, principal, accountId)
      return yield* listPage(
        sql,
        aliasSpec,
        query,
        filters(sql`t.account_id = ${accountId}`, brandFilter(sql, aliasSpec.brandColumn, principal)),
        decode,
      )
    })

    const create = Effect.fn("EmailAliases.create")(function* (
      principal: Principal,
      accountId: EmailAccountId,
      input: typeof CreateEmailAlias.Type,
    ) {
      const a = yield* accountContext(sql, principal, accountId)
      if (a.tenant_status === "deleting" || a.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the email account is being deleted" }))
      }
      const f = input.fqdn_id === undefined ? undefined : yield* fqdnContext(sql, principal, input.fqdn_id)
      if (f !== undefined) {
        if (f.tenant_id !== a.tenant_id) {
          return yield* Effect.fail(
            new InvalidInput({ message: `FQDN ${f.id} belongs to another tenant: an alias stays within its tenant` }),
          )
        }
        yield* checkMailFqdn(f)
      }
      const id = randomUuid()
      const taken = new Conflict({ message: `${input.local_part} is already an address on that name` })
      const domain = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, a.tenant_id)
            yield* recheckLiveFqdn(sql, f?.id ?? a.fqdn_id)
            const domain = f === undefined ? { id: a.mail_domain_id, created: false } : yield* acquireMailDomain(sql, f)
            const clash = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM email_accounts
              WHERE mail_domain_id = ${domain.id} AND local_part = ${input.local_part}`
            if (clash[0]?.n !== "0") return yield* Effect.fail(taken)
            const count = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM email_aliases
              WHERE account_id = ${accountId}`
            if (Number(count[0]?.n) >= MAX_ALIASES_PER_ACCOUNT) {
              return yield* Effect.fail(
                new InvalidInput({ message: `an account has at most ${MAX_ALIASES_PER_ACCOUNT} aliases` }),
              )
            }
            yield* sql`INSERT INTO email_aliases (id, account_id, mail_domain_id, fqdn_id, local_part, status)
              VALUES (${id}, ${accountId}, ${domain.id}, ${f?.id ?? a.fqdn_id}, ${input.local_part}, 'pending')`
            return domain
          }),
        )
        .pipe(onConstraint({ unique: () => taken }))
      // the answer is the row as written, read before the hand-off: after it, a quick round may have
      // moved it on already, or removed it (a delete would answer 404 for what it did)
      const answer = yield* get(principal, id as EmailAliasId)
      yield* reactions.changed({
        kind: "mail.changed",
        // a new alias domain first: the account's round leaves the alias out until its domain is served
        mailDomainIds: [...new Set([domain.id, a.mail_domain_id])],
        written: [
          ["email_aliases", [id]],
          ["mail_domains", domain.created ? [domain.id] : []],
        ],
        zoneHostnames: domain.created && f !== undefined ? [f.hostname] : [],
      })
      return answer
    })

    /** Stops delivering the address; a name left with no address loses its mail domain. */
    const remove = Effect.fn("EmailAliases.remove")(function* (principal: Principal, id: EmailAliasId) {
      const x = yield* context(principal, id)
      if (x.status !== "deleting" && x.tenant_status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      }
      const { released, hostname } = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`UPDATE email_aliases SET ${markMailRow(sql, "deleting")} WHERE id = ${id}`
            const released = yield* releaseIfUnused(sql, x.mail_domain_id)
            return { released, hostname: yield* mailDomainHostname(sql, x.mail_domain_id) }
          }),
        )
        .pipe(Effect.orDie)
      const written: MailWritten = [
        ["email_aliases", [id]],
        ["mail_domains", released ? [x.mail_domain_id] : []],
      ]
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [...new Set([x.account_domain_id, ...(released ? [x.mail_domain_id] : [])])],
        written,
        zoneHostnames: released ? [hostname] : [],
      })
      return answer
    })

    const retry = Effect.fn("EmailAliases.retry")(function* (principal: Principal, id: EmailAliasId) {
      const x = yield* context(principal, id)
      if (x.status !== "failed") {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed alias can be retried; this one is ${x.status}` }),
        )
      }
      yield* sql`UPDATE email_aliases SET ${markMailRow(sql, "pending")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [...new Set([x.mail_domain_id, x.account_domain_id])],
        written: [["email_aliases", [id]]],
        zoneHostnames: [],
      })
      return answer
    })

    return { list, get, create, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
