import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Option } from "effect"
import { type ApiKeyId, randomUuid } from "../../domain/ids.js"
import { textArray } from "../../sql/rows.js"
import type { BrandAccess, Principal, Scope } from "./domain-api-key.js"
import { hashApiKeySecret } from "./domain-api-key.js"

interface KeyRow {
  readonly id: ApiKeyId
  readonly name: string
  readonly scopes: ReadonlyArray<Scope>
  readonly brands: BrandAccess
}

/** Persistence of API keys; only SHA-256 hashes of secrets are stored. */
export class ApiKeysRepo extends Effect.Service<ApiKeysRepo>()("@hosting/ApiKeysRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient
    // last_used_at is written at most once a minute per key, not on every request
    const lastWrites = new Map<string, number>()
    const touch = (id: ApiKeyId) => {
      const now = Date.now()
      if (now - (lastWrites.get(id) ?? 0) < 60_000) return Effect.void
      lastWrites.set(id, now)
      return sql`UPDATE api_keys SET last_used_at = now() WHERE id = ${id}`.pipe(Effect.asVoid)
    }

    // Every request authenticates; a short-lived cache of known keys saves the hash (Web Crypto's
    // digest is asynchronous and costs a thread-pool hop) and a database round trip per request.
    // It is keyed by the secret itself, which this process holds during the request anyway, and
    // is never persisted. Changes made through this process invalidate it at once; another API
    // replica sees a revocation within CACHE_MS.
    const CACHE_MS = 5_000
    const cache = new Map<string, { readonly principal: Principal; readonly until: number }>()
    const invalidate = (keyId: ApiKeyId) =>
      Effect.sync(() => {
        for (const [secret, entry] of cache) if (entry.principal.keyId === keyId) cache.delete(secret)
      })

    /** The principal behind a secret, if the key exists and is not revoked. */
    const authenticate = Effect.fn("ApiKeysRepo.authenticate")(function* (secret: string) {
      const cached = cache.get(secret)
      if (cached !== undefined && cached.until > Date.now()) return Option.some(cached.principal)
      const hash = yield* hashApiKeySecret(secret)
      const rows = yield* sql<KeyRow>`SELECT id, name, scopes, brands FROM api_keys
        WHERE key_hash = ${hash} AND revoked_at IS NULL`
      const row = rows[0]
      if (row === undefined) {
        cache.delete(secret)
        return Option.none<Principal>()
      }
      yield* touch(row.id)
      const principal: Principal = { keyId: row.id, name: row.name, scopes: row.scopes, brands: row.brands }
      if (cache.size >= 10_000) cache.clear()
      cache.set(secret, { principal, until: Date.now() + CACHE_MS })
      return Option.some(principal)
    }, Effect.orDie)

    /**
     * Makes `secret` a valid key with the given grants; used for the bootstrap admin key. Running
     * it again restores those grants (and un-revokes it), so start-up can call it every time.
     */
    const ensure = Effect.fn("ApiKeysRepo.ensure")(function* (k: {
      readonly secret: string
      readonly name: string
      readonly scopes: ReadonlyArray<Scope>
      readonly brands: BrandAccess
    }) {
      const hash = yield* hashApiKeySecret(k.secret)
      const rows = yield* sql<{ id: ApiKeyId }>`INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, brands)
        VALUES (${randomUuid()}, ${k.name}, ${hash}, ${k.secret.slice(0, 8)}, ${textArray(sql, k.scopes)}, ${textArray(sql, k.brands)})
        ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, scopes = EXCLUDED.scopes, brands = EXCLUDED.brands
        RETURNING id`
      return (rows[0] as { id: ApiKeyId }).id
    }, Effect.orDie)

    return { authenticate, ensure, invalidate } as const
  }),
}) {}
