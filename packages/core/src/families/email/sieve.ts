import type { MailAccountSpec } from "./domain.js"

/**
 * A Sieve quoted string (RFC 5228 §2.4.2): `\` and `"` escaped, line breaks as CRLF (the only
 * line break a quoted string may hold). The schemas already refuse NUL and other controls.
 */
export const sieveString = (s: string): string =>
  `"${s
    .replace(/\r\n|\r|\n/g, "\n")
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, "\r\n")}"`

/** A Sieve string list. */
export const sieveList = (items: ReadonlyArray<string>): string => `[${items.map(sieveString).join(", ")}]`

/**
 * An account's Sieve script, or undefined when it needs none: the auto-reply (only inside its
 * date range; Pigeonhole's vacation itself never answers lists, bulk mail or auto-replies) and then
 * its forwards. The message stays in the mailbox unless every forward says not to keep a copy.
 */
export const planAccountSieve = (address: string, aliases: ReadonlyArray<string>, account: MailAccountSpec) => {
  const vacation = account.autoreply?.enabled === true ? account.autoreply : undefined
  if (vacation === undefined && account.forwards.length === 0) return undefined
  const require = new Set<string>()
  const lines: Array<string> = []
  if (vacation !== undefined) {
    require.add("vacation")
    const range = [
      ...(vacation.start_at === undefined
        ? []
        : [`currentdate :zone "+0000" :value "ge" "iso8601" ${sieveString(vacation.start_at)}`]),
      ...(vacation.end_at === undefined
        ? []
        : [`currentdate :zone "+0000" :value "lt" "iso8601" ${sieveString(vacation.end_at)}`]),
    ]
    if (range.length > 0) for (const r of ["date", "relational"]) require.add(r)
    const action = [
      `vacation :days ${vacation.days}`,
      `:subject ${sieveString(vacation.subject)}`,
      `:from ${sieveString(address)}`,
      ...(aliases.length === 0 ? [] : [`:addresses ${sieveList(aliases)}`]),
      `${sieveString(vacation.body)};`,
    ].join(" ")
    if (range.length === 0) lines.push(action)
    else lines.push(`if allof (${range.join(", ")}) {`, `  ${action}`, "}")
  }
  // a redirect without :copy cancels the implicit keep: keep when any forward asks for a copy
  const keep = account.forwards.some((f) => f.keep_copy)
  if (account.forwards.length > 0 && keep) require.add("copy")
  for (const f of account.forwards) lines.push(`redirect${keep ? " :copy" : ""} ${sieveString(f.address)};`)
  const head = require.size === 0 ? [] : [`require ${sieveList([...require].sort())};`]
  return `# written by the hosting agent\n${[...head, ...lines].join("\n")}\n`
}
