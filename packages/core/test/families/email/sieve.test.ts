import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck } from "effect"
import { MailAccountSpec } from "../../../src/families/email/domain.js"
import { planAccountSieve, sieveString } from "../../../src/families/email/sieve.js"
import { lexSieve, shape, strings } from "./sieve-lexer.js"

const crlf = (s: string) => s.replace(/\n/g, "\r\n")

describe("Sieve quoting", () => {
  it.prop(
    "any string, however hostile, reads back as itself and stays one token",
    [FastCheck.string({ unit: "binary" })],
    ([s]) => {
      const tokens = lexSieve(`redirect ${sieveString(s.replace(/\r/g, ""))};`)
      expect(tokens.map((t) => t.t)).toEqual(["id", "str", "punct"])
      expect(strings(tokens)).toEqual([crlf(s.replace(/\r/g, ""))])
    },
  )

  it("escapes exactly backslash and double quote", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${x} is the hostile input
    expect(sieveString('a"b\\c${x};')).toBe('"a\\"b\\\\c${x};"')
    expect(sieveString("two\nlines")).toBe('"two\r\nlines"')
  })
})

const Account = Arbitrary.make(MailAccountSpec)

describe("planAccountSieve", () => {
  it.prop(
    "a script has exactly the commands its account asks for; every string is the account's own",
    [Account, FastCheck.array(FastCheck.stringMatching(/^[a-z]{1,5}@[a-z]{1,5}\.test$/), { maxLength: 3 })],
    ([account, aliases]) => {
      const address = `${account.local_part}@mail.example.test`
      const script = planAccountSieve(address, aliases, account)
      const vacation = account.autoreply?.enabled === true ? account.autoreply : undefined
      if (vacation === undefined && account.forwards.length === 0) {
        expect(script).toBeUndefined()
        return
      }
      const tokens = lexSieve(script!)
      const range = [
        ...(vacation?.start_at === undefined ? [] : [["ge", vacation.start_at]]),
        ...(vacation?.end_at === undefined ? [] : [["lt", vacation.end_at]]),
      ]
      const keep = account.forwards.some((f) => f.keep_copy)
      const require = [
        ...(keep && account.forwards.length > 0 ? ["copy"] : []),
        ...(range.length > 0 ? ["date", "relational"] : []),
        ...(vacation === undefined ? [] : ["vacation"]),
      ].sort()
      const list = (n: number) => `[ ${Array.from({ length: n }, () => "S").join(" , ")} ]`
      const vacationShape =
        vacation === undefined
          ? []
          : [
              `vacation :days ${vacation.days} :subject S :from S${aliases.length === 0 ? "" : ` :addresses ${list(aliases.length)}`} S ;`,
            ]
      const expected = [
        ...(require.length === 0 ? [] : [`require ${list(require.length)} ;`]),
        ...(range.length === 0
          ? vacationShape
          : [
              `if allof ( ${range.map(() => "currentdate :zone S :value S S S").join(" , ")} ) {`,
              ...vacationShape,
              "}",
            ]),
        ...account.forwards.map(() => `redirect${keep ? " :copy" : ""} S ;`),
      ].join(" ")
      expect(shape(tokens)).toBe(expected)
      expect(strings(tokens)).toEqual([
        ...require,
        ...range.flatMap(([op, at]) => ["+0000", op!, "iso8601", at!]),
        ...(vacation === undefined ? [] : [crlf(vacation.subject), address, ...aliases, crlf(vacation.body)]),
        ...account.forwards.map((f) => f.address),
      ])
    },
    { fastCheck: { numRuns: 300 } },
  )
})
