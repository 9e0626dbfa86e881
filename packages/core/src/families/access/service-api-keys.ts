import { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { Forbidden, notFound } from "../../domain/errors.js"
import { type ApiKeyId, randomUuid } from "../../domain/ids.js"
import type { ListQuery } from "../../domain/list.js"
import { filters, type ListSpec, listPage } from "../../sql/list.js"
import { rowDecoder, textArray } from "../../sql/rows.js"
import {
  ApiKey,
  type CreateApiKey,
  CreatedApiKey,
  generateApiKeySecret,
  hashApiKeySecret,
  isPlatformAdmin,
  type Principal,
  scopeAllows,
  type UpdateApiKey,
} from "./domain-api-key.js"
import { ApiKeysRepo } from "./repo-api-keys.js"

const select = "t.id, t.name, t.key_prefix, t.scopes, t.brands, t.created_at, t.last_used_at"
const spec: ListSpec = {
  from: "api_keys t",
  select,
  sortColumns: { name: "t.name", created_at: "t.created_at" },
  defaultSort: "created_at",
  searchColumns: ["t.name", "t.key_prefix"],
}

// A sentinel resource no contract scope names: a grant covers "everything" only if it covers this.
const OTHER = "zz-any-other"

/**
 * Whether `granted` covers every permission `requested` would give, over the resources the
 * contract knows (plus one it does not, for wildcards). Keys cannot mint stronger keys.
 */
export const scopesCover = (
  granted: ReadonlyArray<string>,
  requested: ReadonlyArray<string>,
  resources: ReadonlyArray<string>,
) =>
  requested.every((scope) => {
    const [r, a] = scope === "*" ? ["*", "*"] : (scope.split(":") as [string, string])
    const rs = r === "*" ? [...resources, OTHER] : [r]
    const as = a === "*" ? ["read", "write"] : [a]
    return rs.every((res) => as.every((act) => scopeAllows(granted, `${res}:${act}`)))
  })

/** API keys: created by keys, never stronger than their creator, visible within its brands. */
export class ApiKeys extends Effect.Service<ApiKeys>()("@hosting/ApiKeys", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    const repo = yield* ApiKeysRepo
    const decode = rowDecoder(ApiKey)

    // Non-admins see keys whose every brand is one of theirs.
    const visible = (p: Principal) =>
      isPlatformAdmin(p)
        ? undefined
        : sql`t.brands <@ ${textArray(sql, p.brands as ReadonlyArray<string>)} AND NOT ('*' = ANY(t.brands))`

    const list = (p: Principal, query: ListQuery) =>
      listPage(sql, spec, query, filters(sql`t.revoked_at IS NULL`, visible(p)), decode)

    const get = Effect.fn("ApiKeys.get")(function* (p: Principal, id: ApiKeyId) {
      const scope = visible(p)
      const rows = yield* sql`SELECT ${sql.literal(select)} FROM api_keys t
        WHERE t.id = ${id} AND t.revoked_at IS NULL ${scope ? sql`AND ${scope}` : sql.literal("")}`.pipe(Effect.orDie)
      if (rows[0] === undefined) return yield* Effect.fail(notFound("api key", id))
      return yield* decode(rows[0])
    })

    const checkGrants = (
      p: Principal,
      grants: {
        readonly scopes?: ReadonlyArray<string> | undefined
        readonly brands?: ReadonlyArray<string> | undefined
      },
      resources: ReadonlyArray<string>,
    ) =>
      Effect.gen(function* () {
        if (grants.scopes !== undefined && !scopesCover(p.scopes, grants.scopes, resources)) {
          return yield* Effect.fail(new Forbidden({ message: "a key cannot grant scopes its creator does not have" }))
        }
        if (
          grants.brands !== undefined &&
          !isPlatformAdmin(p) &&
          !grants.brands.every((b) => b !== "*" && (p.brands as ReadonlyArray<string>).includes(b))
        ) {
          return yield* Effect.fail(new Forbidden({ message: "a key cannot grant brands its creator does not have" }))
        }
      })

    const create = Effect.fn("ApiKeys.create")(function* (
      p: Principal,
      input: typeof CreateApiKey.Type,
      resources: ReadonlyArray<string>,
    ) {
      yield* checkGrants(p, input, resources)
      const secret = generateApiKeySecret()
      const hash = yield* hashApiKeySecret(secret)
      const rows = yield* sql`INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, brands)
        VALUES (${randomUuid()}, ${input.name}, ${hash}, ${secret.slice(0, 12)}, ${textArray(sql, input.scopes)},
          ${textArray(sql, input.brands as ReadonlyArray<string>)})
        RETURNING ${sql.literal(select.replace(/t\./g, ""))}`.pipe(Effect.orDie)
      const key = yield* decode(rows[0])
      return CreatedApiKey.make({ ...key, key: secret })
    })

    const update = Effect.fn("ApiKeys.update")(function* (
      p: Principal,
      id: ApiKeyId,
      patch: typeof UpdateApiKey.Type,
      resources: ReadonlyArray<string>,
    ) {
      const current = yield* get(p, id)
      yield* checkGrants(p, patch, resources)
      yield* sql`UPDATE api_keys SET name = ${patch.name ?? current.name},
        scopes = ${textArray(sql, patch.scopes ?? current.scopes)},
        brands = ${textArray(sql, (patch.brands ?? current.brands) as ReadonlyArray<string>)} WHERE id = ${id}`.pipe(
        Effect.orDie,
      )
      yield* repo.invalidate(id)
      return yield* get(p, id)
    })

    /** Revokes a key; the row stays so the audit log can still name it. */
    const revoke = Effect.fn("ApiKeys.revoke")(function* (p: Principal, id: ApiKeyId) {
      yield* get(p, id)
      yield* sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${id}`.pipe(Effect.orDie)
      yield* repo.invalidate(id)
    })

    return { list, get, create, update, revoke } as const
  }),
  dependencies: [ApiKeysRepo.Default],
}) {}
