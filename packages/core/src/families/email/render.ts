import { accountAddress, type MailAccountSpec, type MailDomainSpec } from "./domain.js"
import { planAccountSieve } from "./sieve.js"

/** A file a mail manager owns: its name in its directory and its whole content. */
export interface MailFile {
  readonly file: string
  readonly content: string
}

/** Where an email node keeps mailboxes and which user owns them. */
export interface MailLayout {
  /** Mailbox homes are `<mailRoot>/<domain>/<local part>`. */
  readonly mailRoot: string
  /** OpenDKIM's private keys (the KeyTable names them by path). */
  readonly dkimKeyDir: string
  /** The one user every mailbox file belongs to. */
  readonly vmail: { readonly uid: number; readonly gid: number }
}

/** Every platform-owned file of an email node, by the directory it lives in. */
export interface MailPlan {
  /** Postfix texthash maps (read at start and reload: no postmap). */
  readonly postfix: ReadonlyArray<MailFile>
  /** Dovecot's passwd-file (re-read by Dovecot whenever it changes). */
  readonly dovecot: ReadonlyArray<MailFile>
  /** One Sieve script per account that forwards or auto-replies, `hp-<address>.sieve`. */
  readonly sieve: ReadonlyArray<MailFile>
  /** OpenDKIM's KeyTable and SigningTable. */
  readonly dkimTables: ReadonlyArray<MailFile>
  /** One private key per domain, `hp-<domain>.private`. */
  readonly dkimKeys: ReadonlyArray<MailFile>
  /** Domains whose mailbox directories belong on this node. */
  readonly domains: ReadonlyArray<string>
  /** What was left out, and why (the rest of the node is still planned). */
  readonly rejected: ReadonlyArray<{ readonly address: string; readonly reason: string }>
}

/** Prefix of every platform-owned file name in the mail directories. */
export const MAIL_FILE_PREFIX = "hp-"
/** Names of the Postfix maps main.cf points at. */
export const POSTFIX_MAPS = {
  domains: "hp-domains",
  mailboxes: "hp-mailboxes",
  aliases: "hp-aliases",
  transport: "hp-transport",
  /** Who may send as an address on submission: its account (an alias: the account it delivers to). */
  senders: "hp-senders",
} as const
/** Name of Dovecot's passwd-file. */
export const DOVECOT_USERS = "hp-users"
/** Names of OpenDKIM's tables. */
export const DKIM_TABLES = { keys: "hp-keytable", signing: "hp-signingtable" } as const
/** The Sieve script file of an address (Dovecot: `file:<dir>/hp-%u.sieve`). */
export const sieveFile = (address: string) => `${MAIL_FILE_PREFIX}${address}.sieve`
/** The private key file of a domain. */
export const dkimKeyFile = (domain: string) => `${MAIL_FILE_PREFIX}${domain}.private`

// Postfix tempfails mail for a suspended mailbox: it stays in the queue and is delivered after an
// unsuspend (map reload and queue flush), never bounced back to the sender.
const SUSPENDED_TRANSPORT = "retry:4.2.1 mailbox temporarily suspended"

// Every value below comes through the schemas' allow-lists (no whitespace, `:`, `#` or controls);
// this is a second line: a value that could split a map line or a passwd-file field is a defect.
const field = (s: string) => {
  if (!/^[^\s:#\\]+$/.test(s)) throw new Error(`unsafe value for a mail map: ${JSON.stringify(s)}`)
  return s
}

const lines = (rows: ReadonlyArray<string>) => (rows.length === 0 ? "" : `${[...rows].sort().join("\n")}\n`)

/**
 * Plans every file of an email node from the domains it hosts. Domains and accounts are taken in
 * name order; a repeated domain or account, an alias on a domain this node does not host (it
 * would capture outbound mail of the submission users), or an alias already taken by an account
 * or another alias is left out and reported.
 */
export const planMail = (layout: MailLayout, specs: ReadonlyArray<MailDomainSpec>): MailPlan => {
  const rejected: Array<{ address: string; reason: string }> = []
  const domains = new Map<string, MailDomainSpec>()
  for (const d of [...specs].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0)))
    if (domains.has(d.domain)) rejected.push({ address: d.domain, reason: "domain listed twice" })
    else domains.set(d.domain, d)

  const accounts = new Map<string, { domain: string; account: MailAccountSpec }>()
  for (const [domain, d] of domains)
    for (const account of [...d.accounts].sort((a, b) => (a.local_part < b.local_part ? -1 : 1))) {
      const address = accountAddress(domain, account)
      if (accounts.has(address)) rejected.push({ address, reason: "account listed twice" })
      else accounts.set(address, { domain, account })
    }

  const aliasTarget = new Map<string, string>()
  const aliasesOf = new Map<string, Array<string>>()
  for (const [address, { account }] of accounts) {
    const kept: Array<string> = []
    for (const alias of account.aliases) {
      const aliasDomain = alias.slice(alias.lastIndexOf("@") + 1)
      const reason = !domains.has(aliasDomain)
        ? `alias of ${address} on ${aliasDomain}, a domain this node does not host`
        : accounts.has(alias)
          ? `alias of ${address} is the address of an account`
          : aliasTarget.has(alias)
            ? `alias of ${address} already delivers to ${aliasTarget.get(alias)}`
            : undefined
      if (reason !== undefined) rejected.push({ address: alias, reason })
      else {
        aliasTarget.set(alias, address)
        kept.push(alias)
      }
    }
    aliasesOf.set(address, kept)
  }

  const { uid, gid } = layout.vmail
  const postfix: Array<MailFile> = [
    { file: POSTFIX_MAPS.domains, content: lines([...domains.keys()].map((d) => `${field(d)} OK`)) },
    { file: POSTFIX_MAPS.mailboxes, content: lines([...accounts.keys()].map((a) => `${field(a)} OK`)) },
    { file: POSTFIX_MAPS.aliases, content: lines([...aliasTarget].map(([a, t]) => `${field(a)} ${field(t)}`)) },
    {
      file: POSTFIX_MAPS.transport,
      content: lines(
        [...accounts].filter(([, v]) => v.account.suspended).map(([a]) => `${field(a)} ${SUSPENDED_TRANSPORT}`),
      ),
    },
    {
      file: POSTFIX_MAPS.senders,
      content: lines(
        [...[...accounts.keys()].map((a) => [a, a] as const), ...aliasTarget].map(
          ([a, t]) => `${field(a)} ${field(t)}`,
        ),
      ),
    },
  ]
  const users = [...accounts].map(([address, { domain, account }]) => {
    const home = `${layout.mailRoot}/${domain}/${account.local_part}`
    const extra = [
      `userdb_quota_rule=*:storage=${account.quota_mb}M`,
      // nologin: the password may match, the login (IMAP, submission's SASL) is still refused
      ...(account.suspended ? ["nologin", "reason=account_suspended"] : []),
    ]
    return [field(address), field(account.password_hash), uid, gid, "", field(home), "", extra.join(" ")].join(":")
  })
  const sieve = [...accounts].flatMap(([address, { account }]) => {
    const script = planAccountSieve(address, aliasesOf.get(address) ?? [], account)
    return script === undefined ? [] : [{ file: sieveFile(address), content: script }]
  })
  const dkimTables: Array<MailFile> = [
    {
      file: DKIM_TABLES.keys,
      content: lines(
        [...domains.values()].map(
          (d) =>
            `${field(d.domain)} ${field(d.domain)}:${field(d.dkim.selector)}:${layout.dkimKeyDir}/${dkimKeyFile(d.domain)}`,
        ),
      ),
    },
    { file: DKIM_TABLES.signing, content: lines([...domains.keys()].map((d) => `${field(d)} ${field(d)}`)) },
  ]
  const dkimKeys = [...domains.values()].map((d) => ({
    file: dkimKeyFile(d.domain),
    content: d.dkim.private_key_pem.endsWith("\n") ? d.dkim.private_key_pem : `${d.dkim.private_key_pem}\n`,
  }))
  return {
    postfix,
    dovecot: [{ file: DOVECOT_USERS, content: lines(users) }],
    sieve,
    dkimTables,
    dkimKeys,
    domains: [...domains.keys()],
    rejected,
  }
}
