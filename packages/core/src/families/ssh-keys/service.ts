import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Conflict } from "../../domain/errors.js"
import { randomUuid, type TenantId } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { Reactions } from "../../lifecycle/reactions.js"
import { onConstraint } from "../../sql/constraints.js"
import { brandFilter, filters, listPage } from "../../sql/list.js"
import { rowDecoder } from "../../sql/rows.js"
import type { Principal } from "../access/domain-api-key.js"
import {
  getScoped,
  lockLiveTenant,
  markFor,
  type ScopedSpec,
  tenantBeingDeleted,
  visibleTenant,
} from "../tenancy/service-rows.js"
import { type CreateSshKey, SshKey, type SshKeyId, sshFingerprint, type UpdateSshKey } from "./domain.js"

const spec: ScopedSpec = {
  from: "ssh_keys t JOIN tenants tn ON tn.id = t.tenant_id",
  select: "t.*, tn.status AS tenant_status",
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "name",
  searchColumns: ["t.name"],
  statusColumn: "t.status",
  brandColumn: "tn.brand_id",
}

const beingDeleted = () => new Conflict({ message: "the SSH key is being deleted" })

/** SSH public keys that may log in (SFTP and SSH) as their tenant. */
export class SshKeys extends Effect.Service<SshKeys>()("@hosting/SshKeys", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const reactions = yield* Reactions
    const decode = rowDecoder(SshKey)
    const withTenant = (row: unknown) =>
      Effect.map(decode(row), (key) => ({
        key,
        tenantStatus: String((row as { tenant_status: unknown }).tenant_status),
      }))
    const current = (principal: Principal, id: SshKeyId) => getScoped(sql, spec, principal, id, "ssh key", withTenant)

    const get = Effect.fn("SshKeys.get")(function* (principal: Principal, id: SshKeyId) {
      return yield* getScoped(sql, spec, principal, id, "ssh key", decode)
    })

    const list = Effect.fn("SshKeys.list")(function* (principal: Principal, tenantId: TenantId, query: ListQuery) {
      yield* visibleTenant(sql, principal, tenantId)
      return yield* listPage(
        sql,
        spec,
        query,
        filters(sql`t.tenant_id = ${tenantId}`, brandFilter(sql, spec.brandColumn, principal)),
        decode,
      )
    })

    const create = Effect.fn("SshKeys.create")(function* (
      principal: Principal,
      tenantId: TenantId,
      input: typeof CreateSshKey.Type,
    ) {
      const tenant = yield* visibleTenant(sql, principal, tenantId)
      if (tenant.status === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const fingerprint = yield* Effect.promise(() => sshFingerprint(input.public_key))
      const id = randomUuid()
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* lockLiveTenant(sql, tenantId)
            yield* sql`INSERT INTO ssh_keys (id, tenant_id, name, public_key, fingerprint, status)
              VALUES (${id}, ${tenantId}, ${input.name}, ${input.public_key}, ${fingerprint}, 'pending')`
          }),
        )
        .pipe(
          onConstraint({
            unique: () =>
              new Conflict({
                message: `this key is already on the tenant (${fingerprint})`,
                details: { fingerprint },
              }),
          }),
        )
      const answer = yield* get(principal, id as SshKeyId)
      yield* reactions.changed({ kind: "ssh-key.changed", tenantId, sshKeyId: id })
      return answer
    })

    const update = Effect.fn("SshKeys.update")(function* (
      principal: Principal,
      id: SshKeyId,
      patch: typeof UpdateSshKey.Type,
    ) {
      const { tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      // the label never reaches a node: no new revision, no sync
      const rows = yield* sql`UPDATE ssh_keys SET name = ${patch.name}, updated_at = now()
        WHERE id = ${id} AND status <> 'deleting' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* Effect.fail(beingDeleted())
      return yield* get(principal, id)
    })

    const remove = Effect.fn("SshKeys.remove")(function* (principal: Principal, id: SshKeyId) {
      const { key, tenantStatus } = yield* current(principal, id)
      // deleting again sends the delete again; anything else under a tenant being deleted is refused
      if (key.status !== "deleting" && tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      yield* sql`UPDATE ssh_keys SET ${markFor(sql, "deleting")} WHERE id = ${id}`.pipe(Effect.orDie)
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "ssh-key.changed", tenantId: key.tenant_id, sshKeyId: id })
      return answer
    })

    const retry = Effect.fn("SshKeys.retry")(function* (principal: Principal, id: SshKeyId) {
      const { key, tenantStatus } = yield* current(principal, id)
      if (tenantStatus === "deleting") return yield* Effect.fail(tenantBeingDeleted())
      const rows = yield* sql`UPDATE ssh_keys SET ${markFor(sql, "pending")}
        WHERE id = ${id} AND status = 'failed' RETURNING id`.pipe(Effect.orDie)
      if (rows.length === 0) {
        return yield* Effect.fail(
          new Conflict({ message: `only a failed SSH key can be retried; this one is ${key.status}` }),
        )
      }
      const answer = yield* get(principal, id)
      yield* reactions.changed({ kind: "ssh-key.changed", tenantId: key.tenant_id, sshKeyId: id })
      return answer
    })

    return { list, get, create, update, remove, retry } as const
  }),
  dependencies: [Reactions.Default],
}) {}
