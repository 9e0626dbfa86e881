import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict, notFound } from "../../domain/errors.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { brandFilter, filters } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import { lockLiveTenant } from "../tenancy/service-rows.js"
import { type EmailAccountId, EmailAutoreply, type PutEmailAutoreply } from "./domain-resource.js"
import { accountContext, markMailRow } from "./service-rows.js"

const FROM = `email_autoreplies t JOIN email_accounts a ON a.id = t.id JOIN mail_domains d ON d.id = a.mail_domain_id
  JOIN tenants tn ON tn.id = d.tenant_id`

/** An account's vacation reply (one per account, addressed by the account's id). */
export class EmailAutoreplies extends Effect.Service<EmailAutoreplies>()("@hosting/EmailAutoreplies", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(EmailAutoreply)

    const read = (principal: Principal, id: string) =>
      sql`SELECT t.* FROM ${sql.literal(FROM)}
        WHERE ${sql.and(filters(sql`t.id = ${id}`, brandFilter(sql, "tn.brand_id", principal)))}`.pipe(Effect.orDie)

    const get = Effect.fn("EmailAutoreplies.get")(function* (principal: Principal, id: EmailAccountId) {
      const rows = yield* read(principal, id)
      if (rows[0] === undefined) return yield* Effect.fail(notFound("auto-reply of email account", id))
      return yield* decode(rows[0])
    })

    const changed = (mailDomainId: string, id: string) =>
      reactions.changed({
        kind: "mail.changed",
        mailDomainIds: [mailDomainId],
        written: [["email_autoreplies", [id]]],
        zoneHostnames: [],
      })

    /** Sets the reply (made or replaced). */
    const update = Effect.fn("EmailAutoreplies.update")(function* (
      principal: Principal,
      id: EmailAccountId,
      input: typeof PutEmailAutoreply.Type,
    ) {
      const a = yield* accountContext(sql, principal, id)
      if (a.tenant_status === "deleting" || a.status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the email account is being deleted" }))
      }
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, a.tenant_id)
            const values = {
              subject: input.subject,
              body: input.body,
              start_at: input.start_at ?? null,
              end_at: input.end_at ?? null,
              days: input.days ?? 1,
              enabled: input.enabled ?? true,
            }
            yield* sql`INSERT INTO email_autoreplies (id, subject, body, start_at, end_at, days, enabled, status)
              VALUES (${id}, ${values.subject}, ${values.body}, ${values.start_at}, ${values.end_at}, ${values.days},
                ${values.enabled}, 'pending')
              ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
                start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, days = EXCLUDED.days,
                enabled = EXCLUDED.enabled, ${markMailRow(sql, "pending")}`
          }),
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      // the answer is the row as written, read before the hand-off: after it, a quick round may have
      // moved it on already, or removed it (a delete would answer 404 for what it did)
      const answer = yield* get(principal, id)
      yield* changed(a.mail_domain_id, id)
      return answer
    })

    const remove = Effect.fn("EmailAutoreplies.remove")(function* (principal: Principal, id: EmailAccountId) {
      const a = yield* accountContext(sql, principal, id)
      const current = yield* get(principal, id)
      if (current.status !== "deleting" && a.tenant_status === "deleting") {
        return yield* Effect.fail(new Conflict({ message: "the tenant is being deleted" }))
      }
      yield* sql`UPDATE email_autoreplies SET ${markMailRow(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* changed(a.mail_domain_id, id)
      return answer
    })

    const retry = Effect.fn("EmailAutoreplies.retry")(function* (principal: Principal, id: EmailAccountId) {
      const a = yield* accountContext(sql, principal, id)
      const current = yield* get(principal, id)
      if (current.status !== "failed") {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed auto-reply can be retried; this one is ${current.status}` }),
        )
      }
      yield* sql`UPDATE email_autoreplies SET ${markMailRow(sql, "pending")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* changed(a.mail_domain_id, id)
      return answer
    })

    return { get, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
