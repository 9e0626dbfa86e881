import { Effect, Schema } from "effect"
import { ApiKeyId } from "../../domain/ids.js"
import { DisplayName } from "../../domain/validation.js"

/** Every secret starts with this prefix so leaked keys are easy to recognise and scan for. */
export const API_KEY_PREFIX = "hpk_"

const KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const KEY_RANDOM_LENGTH = 40

/**
 * A scope is `resource:action` (`tenants:write`), `resource:*` (both actions), `*:action` (the
 * action on every resource: `*:read` is a read-only key), or `*` for everything.
 */
export const Scope = Schema.String.pipe(
  Schema.pattern(/^(\*|\*:(read|write)|[a-z][a-z0-9-]{0,62}:(\*|read|write))$/),
  Schema.annotations({
    title: "Scope",
    description:
      "`resource:action` with action read or write, `resource:*` for both, `*:read` or `*:write` for every resource, or `*` for everything",
  }),
)
/** A permission scope string. */
export type Scope = typeof Scope.Type

/** Most brands one key may name; a key for more brands than that is a platform key (`["*"]`). */
export const MAX_KEY_BRANDS = 100

/**
 * Brand access of a key: brand UUIDs, or `["*"]` for a platform administrator. One array of
 * "UUID or `*`" rather than a union with the tuple `["*"]`: the tuple renders as `prefixItems` +
 * `items: false`, which tools that predate JSON Schema 2020-12 read as an array holding nothing.
 */
export const BrandAccess = Schema.Array(Schema.Union(Schema.UUID, Schema.Literal("*"))).pipe(
  Schema.filter((b) => !b.includes("*") || b.length === 1 || '"*" stands alone: every brand, or a list of brand ids', {
    title: "BrandAccess",
    description: 'brand UUIDs, or `["*"]` alone for every brand (a platform administrator)',
    // keeps the title and description in the JSON Schema (a filter without it renders as its base)
    jsonSchema: {},
  }),
)
/** Brand access list. */
export type BrandAccess = typeof BrandAccess.Type

/** The authenticated caller, resolved from the X-API-Key header. */
export interface Principal {
  readonly keyId: ApiKeyId
  readonly name: string
  readonly scopes: ReadonlyArray<Scope>
  readonly brands: BrandAccess
}

/** Whether the principal may act on every brand and on platform resources. */
export const isPlatformAdmin = (p: Pick<Principal, "brands">): boolean => p.brands.length === 1 && p.brands[0] === "*"

/** Whether a set of granted scopes covers a required `resource:action` scope. */
export const scopeAllows = (granted: ReadonlyArray<string>, required: string): boolean => {
  const [resource, action] = required.split(":") as [string, string]
  return granted.some(
    (g) =>
      g === "*" ||
      g === required ||
      g === `*:${action}` ||
      g === `${resource}:*` ||
      // write implies read: a key that may change a resource may also look at it
      (action === "read" && (g === `${resource}:write` || g === "*:write")),
  )
}

/** A fresh API key secret: prefix plus 40 characters from a CSPRNG (~238 bits). */
export const generateApiKeySecret = (): string => {
  // 62 does not divide 256: draw bytes and reject the top of the range to keep the draw uniform
  const out: Array<string> = []
  while (out.length < KEY_RANDOM_LENGTH) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(64))
    for (const b of bytes) {
      if (b < 248 && out.length < KEY_RANDOM_LENGTH) out.push(KEY_ALPHABET[b % 62] as string)
    }
  }
  return API_KEY_PREFIX + out.join("")
}

/** SHA-256 of a key secret, hex; only this is stored. */
export const hashApiKeySecret = (secret: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))).pipe(
    Effect.map((buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("")),
  )

/** An API key as listed: never the secret, only its first characters. */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  name: Schema.String,
  key_prefix: Schema.String,
  scopes: Schema.Array(Scope),
  brands: BrandAccess,
  created_at: Schema.String,
  last_used_at: Schema.NullOr(Schema.String),
}) {}

/** The create response: the key object plus the secret, shown this once. */
export class CreatedApiKey extends Schema.Class<CreatedApiKey>("CreatedApiKey")({
  ...ApiKey.fields,
  key: Schema.String.annotations({ description: "the secret; shown only in this response" }),
}) {}

const KeyName = DisplayName
/** Most scopes one key may carry. */
export const MAX_KEY_SCOPES = 64
const KeyScopes = Schema.Array(Scope).pipe(
  Schema.minItems(1, { message: () => "a key needs at least one scope" }),
  Schema.maxItems(MAX_KEY_SCOPES, { message: () => `a key may carry at most ${MAX_KEY_SCOPES} scopes` }),
)
// Bounded so a key (cached per request, copied into every audit entry) stays small.
const KeyBrands = BrandAccess.pipe(
  Schema.minItems(1, { message: () => 'a key needs at least one brand, or ["*"]' }),
  Schema.maxItems(MAX_KEY_BRANDS, {
    message: () => `a key may name at most ${MAX_KEY_BRANDS} brands; ["*"] stands for every brand`,
    title: "BrandAccess",
    description: `1–${MAX_KEY_BRANDS} brand UUIDs, or \`["*"]\` alone for every brand (a platform administrator)`,
  }),
)

/** Body of POST /api-keys. */
export const CreateApiKey = Schema.Struct({
  name: KeyName,
  scopes: KeyScopes,
  brands: KeyBrands,
}).annotations({ parseOptions: { onExcessProperty: "error" } })

/** Body of PUT /api-keys/{id}. */
export const UpdateApiKey = Schema.Struct({
  name: Schema.optional(KeyName),
  scopes: Schema.optional(KeyScopes),
  brands: Schema.optional(KeyBrands),
}).annotations({ parseOptions: { onExcessProperty: "error" } })

/** GET /whoami: what the calling key may do. */
export class Whoami extends Schema.Class<Whoami>("Whoami")({
  id: ApiKeyId,
  name: Schema.String,
  scopes: Schema.Array(Scope),
  brands: BrandAccess,
}) {}
