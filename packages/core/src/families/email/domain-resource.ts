import { Schema } from "effect"
import { TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { strict } from "../../domain/validation.js"
import { FqdnId } from "../tenancy/domain.js"
import { AutoreplyBody, AutoreplySubject, ForwardAddress, MAX_FORWARDS, MailLocalPart, UtcSecond } from "./domain.js"

/**
 * Mail accounts, aliases, forwards and auto-replies as the API shows and takes them. Their
 * strings are the node spec's own schemas (domain.ts): what the API accepts is exactly what a
 * node can be sent, one truth for both.
 */

/** UUID of a mail account. */
export const EmailAccountId = uuidId("EmailAccountId", "an email account")
/** Branded email account id. */
export type EmailAccountId = typeof EmailAccountId.Type
/** UUID of an email alias. */
export const EmailAliasId = uuidId("EmailAliasId", "an email alias")
/** Branded email alias id. */
export type EmailAliasId = typeof EmailAliasId.Type
/** UUID of an email forward. */
export const EmailForwardId = uuidId("EmailForwardId", "an email forward")
/** Branded email forward id. */
export type EmailForwardId = typeof EmailForwardId.Type

/** The most accounts of one mail domain (its spec's limit). */
export const MAX_ACCOUNTS_PER_DOMAIN = 10_000
/** The most aliases of one account (its spec's limit). */
export const MAX_ALIASES_PER_ACCOUNT = 100

/**
 * A mailbox password: 12–128 characters, no control characters. Only its Argon2id hash is stored
 * and sent to nodes, so quotes or `:` never reach a passwd-file; messages never echo the value.
 */
export const MailPassword = Schema.String.pipe(
  Schema.filter((p) => {
    const n = [...p].length
    if (n < 12) return `a password has at least 12 characters (this one has ${n})`
    if (n > 128) return `a password has at most 128 characters (this one has ${n})`
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    if (/[\u0000-\u001f\u007f]/.test(p)) return "a password may not contain control characters (NUL, line breaks, tabs)"
    return true
  }),
  Schema.annotations({
    title: "MailPassword",
    description: "write-only: 12–128 characters; never returned",
    // quotes, colons and backslashes included: only the hash reaches a passwd-file
    arbitrary: () => (fc) =>
      fc.string({ unit: fc.constantFrom(..."ab:\"'\\ $%{}xyz019"), minLength: 12, maxLength: 40 }),
  }),
)

/** A display name: 1–100 printable characters on one line (no header injection). */
export const MailDisplayName = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(100),
  Schema.pattern(/^[^\p{Cc}\p{Cs}\u2028\u2029"<>\\]+$/u, {
    message: () => "a display name is 1–100 printable characters, without quotes, angle brackets or backslashes",
  }),
  Schema.annotations({ title: "MailDisplayName" }),
)

/** Quota of a mailbox in MB. */
export const MailQuotaMb = Schema.Int.pipe(Schema.between(1, 1_048_576), Schema.annotations({ title: "MailQuotaMb" }))

const lifecycle = {
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}

/** A mailbox at `local_part@<the FQDN>`; its password is write-only. */
export class EmailAccount extends Schema.Class<EmailAccount>("EmailAccount")({
  id: EmailAccountId,
  fqdn_id: FqdnId,
  tenant_id: TenantId,
  address: Schema.String,
  local_part: Schema.String,
  display_name: Schema.NullOr(Schema.String),
  quota_mb: Schema.Int,
  ...lifecycle,
}) {}

/** Body of POST /fqdns/{id}/email-accounts. */
export const CreateEmailAccount = strict(
  Schema.Struct({
    local_part: MailLocalPart,
    password: MailPassword,
    quota_mb: Schema.optional(MailQuotaMb).annotations({ description: "default 1024" }),
    display_name: Schema.optional(MailDisplayName),
  }),
)

/** Body of PUT /email-accounts/{id}: a new password, quota or display name (null clears it). */
export const UpdateEmailAccount = strict(
  Schema.Struct({
    password: Schema.optional(MailPassword),
    quota_mb: Schema.optional(MailQuotaMb),
    display_name: Schema.optional(Schema.NullOr(MailDisplayName)),
  }),
)

/** Another address delivered to an account: a local part on an FQDN of the same tenant. */
export class EmailAlias extends Schema.Class<EmailAlias>("EmailAlias")({
  id: EmailAliasId,
  account_id: EmailAccountId,
  fqdn_id: FqdnId,
  address: Schema.String,
  ...lifecycle,
}) {}

/** Body of POST /email-accounts/{id}/aliases: on the account's FQDN unless `fqdn_id` names another of the tenant's. */
export const CreateEmailAlias = strict(
  Schema.Struct({
    local_part: MailLocalPart,
    fqdn_id: Schema.optional(FqdnId).annotations({
      description: "an FQDN of the same tenant (default: the account's)",
    }),
  }),
)

/** Where a copy of every message of an account goes. */
export class EmailForward extends Schema.Class<EmailForward>("EmailForward")({
  id: EmailForwardId,
  account_id: EmailAccountId,
  address: Schema.String,
  keep_copy: Schema.Boolean,
  ...lifecycle,
}) {}

/** Body of POST /email-accounts/{id}/forwards (at most {@link MAX_FORWARDS} per account). */
export const CreateEmailForward = strict(
  Schema.Struct({
    address: ForwardAddress,
    keep_copy: Schema.optional(Schema.Boolean).annotations({
      description: "also keep it in the mailbox (default true)",
    }),
  }),
)

/** An account's vacation reply. */
export class EmailAutoreply extends Schema.Class<EmailAutoreply>("EmailAutoreply")({
  id: EmailAccountId.annotations({ description: "the account's id (one auto-reply per account)" }),
  subject: Schema.String,
  body: Schema.String,
  start_at: Schema.NullOr(Schema.String),
  end_at: Schema.NullOr(Schema.String),
  days: Schema.Int,
  enabled: Schema.Boolean,
  ...lifecycle,
}) {}

/** Body of PUT /email-accounts/{id}/autoreply. */
export const PutEmailAutoreply = strict(
  Schema.Struct({
    subject: AutoreplySubject,
    body: AutoreplyBody,
    start_at: Schema.optional(UtcSecond),
    end_at: Schema.optional(UtcSecond),
    days: Schema.optional(Schema.Int.pipe(Schema.between(1, 30))).annotations({
      description: "answer each sender at most once per this many days (default 1)",
    }),
    enabled: Schema.optional(Schema.Boolean).annotations({ description: "default true" }),
  }),
).pipe(
  Schema.filter(
    (a) =>
      a.start_at === undefined || a.end_at === undefined || a.start_at < a.end_at || "start_at must be before end_at",
  ),
)
