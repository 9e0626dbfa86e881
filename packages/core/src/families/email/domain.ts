import { Schema } from "effect"
import { Hostname, publicHostnameProblem } from "../../domain/validation.js"

/**
 * What an email node receives: each mail domain it hosts with its DKIM key and accounts. Every
 * string here ends up in a Postfix map, Dovecot's passwd-file, a Sieve script or an OpenDKIM
 * table, so each is an allow-list; the planners (render.ts, sieve.ts) escape on top of that.
 */

// The dot-atom subset of RFC 5321 local parts that is safe in every target: letters, digits, `_`
// and `-`, atoms joined by single dots. The other atext characters are metacharacters somewhere
// (`%` Dovecot variables, `$` Postfix expansion, `#` map comments, `/` paths, quotes and `|`
// shells and Sieve), and `+` is the sub-address separator, never part of an account name.
const LOCAL_PART = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/

/** A hosted mailbox's local part: lower-case dot-atom of `[a-z0-9_-]`, 1–64 characters, no `+`. */
export const MailLocalPart = Schema.String.pipe(
  Schema.maxLength(64),
  Schema.pattern(LOCAL_PART),
  Schema.annotations({
    title: "MailLocalPart",
    description: "lower-case local part: letters, digits, '_' and '-', atoms joined by single dots; 1–64 characters",
    arbitrary: () => (fc) =>
      fc.stringMatching(/^[a-z0-9]([a-z0-9_.-]{0,10}[a-z0-9])?$/).filter((s) => LOCAL_PART.test(s)),
  }),
)

/** A domain an email node hosts: a fully qualified host name (names under test TLDs allowed here). */
export const MailDomainName = Hostname.pipe(
  Schema.filter((h) => (h.endsWith(".") ? "must not end with a dot" : (publicHostnameProblem(h) ?? true))),
  Schema.annotations({ title: "MailDomainName" }),
)

/** `local@domain` with a hosted-style local part: an account's address or an alias. */
export const HostedAddress = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.filter((a) => {
    const at = a.lastIndexOf("@")
    return (
      (at > 0 && Schema.is(MailLocalPart)(a.slice(0, at)) && Schema.is(MailDomainName)(a.slice(at + 1))) ||
      "must be local@domain with a lower-case local part of [a-z0-9_-] atoms"
    )
  }),
  Schema.annotations({
    title: "HostedAddress",
    arbitrary: () => (fc) =>
      fc
        .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[a-z]{1,6}\.(com|net|org)$/))
        .map(([l, d]) => `${l}@${d}`),
  }),
)

// A forward may leave for any mailbox, whose local part can carry a `+` tag or other atext; still
// no quotes, backslashes, spaces or controls (nothing a Sieve string or a header needs escaped).
const FORWARD_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/

/** A forward's destination: lower-case `local@domain`, dot-atom local part (RFC 5321 atext). */
export const ForwardAddress = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.filter((a) => {
    const at = a.lastIndexOf("@")
    return (
      (at > 0 && at <= 64 && FORWARD_LOCAL.test(a.slice(0, at)) && Schema.is(MailDomainName)(a.slice(at + 1))) ||
      "must be a lower-case local@domain address (dot-atom local part)"
    )
  }),
  Schema.annotations({
    title: "ForwardAddress",
    arbitrary: () => (fc) =>
      fc
        .tuple(
          fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,12}$/),
          fc.stringMatching(/^[a-z]{1,6}\.(com|net|org)$/),
        )
        .map(([l, d]) => `${l}@${d}`),
  }),
)

/**
 * A password hash in a Dovecot scheme the platform writes: `{ARGON2ID}$argon2id$…` or
 * `{BLF-CRYPT}$2y$…`. The alphabet has no `:` (passwd-file's separator), spaces or controls.
 */
export const PasswordHash = Schema.String.pipe(
  Schema.maxLength(512),
  Schema.pattern(
    /^\{(ARGON2ID\}\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+|BLF-CRYPT\}\$2[aby]\$\d\d\$[A-Za-z0-9./]{53})$/,
  ),
  Schema.annotations({
    title: "PasswordHash",
    description: "Dovecot {ARGON2ID} or {BLF-CRYPT} hash",
    arbitrary: () => (fc) =>
      fc
        .tuple(fc.base64String({ minLength: 4, maxLength: 24 }), fc.base64String({ minLength: 4, maxLength: 44 }))
        .map(
          ([salt, tag]) =>
            `{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$${salt.replace(/=+$/, "") || "AAAA"}$${tag.replace(/=+$/, "") || "AAAA"}`,
        ),
  }),
)

/** A DKIM selector: one DNS label. */
export const DkimSelector = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
  Schema.annotations({ title: "DkimSelector" }),
)

/** An unencrypted PKCS#8 or PKCS#1 private key in PEM, at most 8 KiB (RSA up to 4096 bits). */
export const DkimPrivateKeyPem = Schema.String.pipe(
  Schema.maxLength(8192),
  Schema.pattern(/^-----BEGIN (RSA )?PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END (RSA )?PRIVATE KEY-----\n?$/),
  Schema.annotations({
    title: "DkimPrivateKeyPem",
    arbitrary: () => (fc) =>
      fc
        .base64String({ minLength: 4, maxLength: 64 })
        .map((b) => `-----BEGIN PRIVATE KEY-----\n${b}\n-----END PRIVATE KEY-----\n`),
  }),
)

// Text a customer writes for an auto-reply. No controls (no CR/LF in a subject: no header
// injection; a body may have line feeds and tabs), no unpaired surrogates, no line separators.
const SUBJECT = /^[^\p{Cc}\p{Cs}\u2028\u2029]+$/u
const BODY = /^([^\p{Cc}\p{Cs}\u2028\u2029]|[\n\t])+$/u

/** An auto-reply's subject: 1–200 printable characters on one line. */
export const AutoreplySubject = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(200),
  Schema.pattern(SUBJECT),
  Schema.annotations({
    title: "AutoreplySubject",
    // quotes, backslashes, `${…}` and any Unicode: what the Sieve planner must quote safely
    arbitrary: () => (fc) =>
      fc
        .oneof(
          fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${x} is one of the hostile inputs
          fc.constantFrom('"', "\\", '\\"', "${x}", '";'),
        )
        .filter((x) => SUBJECT.test(x)),
  }),
)

/** An auto-reply's body: 1–10,000 printable characters, line feeds and tabs. */
export const AutoreplyBody = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(10_000),
  Schema.pattern(BODY),
  Schema.annotations({
    title: "AutoreplyBody",
    arbitrary: () => (fc) =>
      fc
        .array(
          fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("\n", '"', "\\", "\n.\n", "text:")),
          {
            minLength: 1,
            maxLength: 6,
          },
        )
        .map((parts) => parts.join(""))
        .filter((x) => BODY.test(x)),
  }),
)

/** A UTC instant `YYYY-MM-DDTHH:MM:SSZ`: the form Sieve's `currentdate :zone "+0000" "iso8601"` compares with. */
export const UtcSecond = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/),
  Schema.filter((s) => {
    const t = Date.parse(s)
    // a date that rolls over (February 30th) is not the one written
    return (!Number.isNaN(t) && `${new Date(t).toISOString().slice(0, 19)}Z` === s) || "must be a real date"
  }),
  Schema.annotations({
    title: "UtcSecond",
    description: "UTC date-time YYYY-MM-DDTHH:MM:SSZ",
    arbitrary: () => (fc) =>
      fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
        .map((d) => `${d.toISOString().slice(0, 19)}Z`),
  }),
)

/** Vacation replies: at most once per sender per `days`, only between `start_at` and `end_at`. */
export class Autoreply extends Schema.Class<Autoreply>("Autoreply")({
  subject: AutoreplySubject,
  body: AutoreplyBody,
  start_at: Schema.optional(UtcSecond),
  end_at: Schema.optional(UtcSecond),
  days: Schema.Int.pipe(Schema.between(1, 30)),
  enabled: Schema.Boolean,
}) {}

/** Where a copy of every message goes; `keep_copy` also keeps it in the mailbox. */
export class MailForward extends Schema.Class<MailForward>("MailForward")({
  address: ForwardAddress,
  keep_copy: Schema.Boolean,
}) {}

/** The most forwards an account may have (Pigeonhole's `sieve_max_redirects` is set to it). */
export const MAX_FORWARDS = 10

/** One mailbox of a mail domain as the node must serve it. */
export class MailAccountSpec extends Schema.Class<MailAccountSpec>("MailAccountSpec")({
  local_part: MailLocalPart,
  password_hash: PasswordHash,
  quota_mb: Schema.Int.pipe(Schema.between(1, 1_048_576)),
  /** Logins refused, inbound mail deferred (kept queued), not bounced. */
  suspended: Schema.Boolean,
  /** Other addresses delivered here, on this domain or another domain of the same node. */
  aliases: Schema.Array(HostedAddress).pipe(Schema.maxItems(100)),
  forwards: Schema.Array(MailForward).pipe(Schema.maxItems(MAX_FORWARDS)),
  autoreply: Schema.optional(Autoreply),
}) {}

/** One mail domain of an email node: its DKIM key and every account. */
export class MailDomainSpec extends Schema.Class<MailDomainSpec>("MailDomainSpec")({
  domain: MailDomainName,
  dkim: Schema.Struct({ selector: DkimSelector, private_key_pem: DkimPrivateKeyPem }),
  accounts: Schema.Array(MailAccountSpec).pipe(Schema.maxItems(10_000)),
}) {}

/** An account's address. */
export const accountAddress = (domain: string, account: { readonly local_part: string }) =>
  `${account.local_part}@${domain}`
