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
import { MAX_FORWARDS } from "./domain.js"
import { type CreateEmailForward, type EmailAccountId, EmailForward, type EmailForwardId } from "./domain-resource.js"
import { accountContext, forwardSpec, markMailRow } from "./service-rows.js"

/** Forwards: a copy of every message of an account to another address, keeping one or not. */
export class EmailForwards extends Effect.Service<EmailForwards>()("@hosting/EmailForwards", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(EmailForward)

    const context = (principal: Principal, id: string) =>
      sql<{ id: string; mail_domain_id: string; status: string; tenant_status: string }>`SELECT t.id::text,
          a.mail_domain_id::text, t.status, tn.status AS tenant_status
        FROM ${sql.literal(forwardSpec.from)}
        WHERE ${sql.and(filters(sql`t.id = ${id}`, brandFilter(sql, forwardSpec.brandColumn, principal)))}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined ? Effect.fail(notFound("email forward", id)) : Effect.succeed(rows[0]),
        ),
      )
    const changed = (mailDomainId: string, id: string) =>
      reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [mailDomainId],
        written: [["email_forwards", [id]]],
        zoneHostnames: [],
      })

    const get = Effect.fn("EmailForwards.get")(function* (principal: Principal, id: EmailForwardId) {
      return yield* getScoped(sql, forwardSpec, principal, id, "email forward", decode)
    })

    const list = Effect.fn("EmailForwards.list")(function* (
      principal: Principal,
      accountId: EmailAccountId,
      query: ListQuery,
    ) {
      yield* accountContext(sql, principal, accountId)
      return yield* listPage(
        sql,
        forwardSpec,
        query,
        filters(sql`t.account_id = ${accountId}`, brandFilter(sql, forwardSpec.brandColumn, principal)),
        decode,
      )
    })

    const create = Effect.fn("EmailForwards.create")(function* (
      principal: Principal,
      accountId: EmailAccountId,
      input: typeof CreateEmailForward.Type,
    ) {
      const a = yield* accountContext(sql, principal, accountId)
      if (a.tenant_status === "deleting" || a.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the email account is being deleted" }))
      }
      const id = randomUuid()
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, a.tenant_id)
            const own = yield* sql<{ address: string }>`SELECT t.local_part || '@' || d.hostname AS address
              FROM email_accounts t JOIN mail_domains d ON d.id = t.mail_domain_id WHERE t.id = ${accountId}`
            if (own[0]?.address === input.address) {
              return yield* Effect.fail(new InvalidInput({ message: "an account cannot forward to itself" }))
            }
            const count = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM email_forwards
              WHERE account_id = ${accountId}`
            if (Number(count[0]?.n) >= MAX_FORWARDS) {
              return yield* Effect.fail(
                new InvalidInput({ message: `an account has at most ${MAX_FORWARDS} forwards` }),
              )
            }
            yield* sql`INSERT INTO email_forwards (id, account_id, address, keep_copy, status)
              VALUES (${id}, ${accountId}, ${input.address}, ${input.keep_copy ?? true}, 'pending')`
          }),
        )
        .pipe(
          onConstraint({ unique: () => new Conflict({ message: `the account already forwards to ${input.address}` }) }),
        )
      // the answer is the row as written, read before the hand-off: after it, a quick round may have
      // moved it on already, or removed it (a delete would answer 404 for what it did)
      const answer = yield* get(principal, id as EmailForwardId)
      yield* changed(a.mail_domain_id, id)
      return answer
    })

    const remove = Effect.fn("EmailForwards.remove")(function* (principal: Principal, id: EmailForwardId) {
      const x = yield* context(principal, id)
      if (x.status !== "deleting" && x.tenant_status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      }
      yield* sql`UPDATE email_forwards SET ${markMailRow(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* changed(x.mail_domain_id, id)
      return answer
    })

    const retry = Effect.fn("EmailForwards.retry")(function* (principal: Principal, id: EmailForwardId) {
      const x = yield* context(principal, id)
      if (x.status !== "failed") {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed forward can be retried; this one is ${x.status}` }),
        )
      }
      yield* sql`UPDATE email_forwards SET ${markMailRow(sql, "pending")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* changed(x.mail_domain_id, id)
      return answer
    })

    return { list, get, create, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
