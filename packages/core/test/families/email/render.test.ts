import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck, Schema } from "effect"
import { MailDomainSpec } from "../../../src/families/email/domain.js"
import { type MailLayout, planMail } from "../../../src/families/email/render.js"

const layout: MailLayout = { mailRoot: "/srv/mail", dkimKeyDir: "/srv/dkim/keys", vmail: { uid: 5000, gid: 5001 } }
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIBVQ==\n-----END PRIVATE KEY-----\n"
const HASH = "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"

const account = (local_part: string, extra: Partial<(typeof MailDomainSpec.Encoded.accounts)[number]> = {}) => ({
  local_part,
  password_hash: HASH,
  quota_mb: 100,
  suspended: false,
  aliases: [],
  forwards: [],
  ...extra,
})
const spec = (domain: string, accounts: ReadonlyArray<ReturnType<typeof account>>) =>
  Schema.decodeUnknownSync(MailDomainSpec)({ domain, dkim: { selector: "hp1", private_key_pem: PEM }, accounts })
const content = (files: ReadonlyArray<{ file: string; content: string }>, name: string) =>
  files.find((f) => f.file === name)?.content

describe("planMail", () => {
  it("renders maps, passwd-file, transport deferral and DKIM tables", () => {
    const plan = planMail(layout, [
      spec("b.example.test", [account("carol")]),
      spec("a.example.test", [
        account("alice", {
          aliases: ["info@a.example.test", "sales@b.example.test", "x@elsewhere.test", "carol@b.example.test"],
        }),
        account("bob", { suspended: true, quota_mb: 5, aliases: ["info@a.example.test"] }),
      ]),
    ])
    expect(content(plan.postfix, "hp-domains")).toBe("a.example.test OK\nb.example.test OK\n")
    expect(content(plan.postfix, "hp-mailboxes")).toBe(
      "alice@a.example.test OK\nbob@a.example.test OK\ncarol@b.example.test OK\n",
    )
    expect(content(plan.postfix, "hp-aliases")).toBe(
      "info@a.example.test alice@a.example.test\nsales@b.example.test alice@a.example.test\n",
    )
    expect(content(plan.postfix, "hp-senders")).toBe(
      "alice@a.example.test alice@a.example.test\nbob@a.example.test bob@a.example.test\ncarol@b.example.test carol@b.example.test\ninfo@a.example.test alice@a.example.test\nsales@b.example.test alice@a.example.test\n",
    )
    expect(content(plan.postfix, "hp-transport")).toBe("bob@a.example.test retry:4.2.1 mailbox temporarily suspended\n")
    expect(content(plan.dovecot, "hp-users")).toBe(
      [
        `alice@a.example.test:${HASH}:5000:5001::/srv/mail/a.example.test/alice::userdb_quota_rule=*:storage=100M`,
        `bob@a.example.test:${HASH}:5000:5001::/srv/mail/a.example.test/bob::userdb_quota_rule=*:storage=5M nologin reason=account_suspended`,
        `carol@b.example.test:${HASH}:5000:5001::/srv/mail/b.example.test/carol::userdb_quota_rule=*:storage=100M`,
        "",
      ].join("\n"),
    )
    expect(plan.rejected).toEqual([
      {
        address: "x@elsewhere.test",
        reason: "alias of alice@a.example.test on elsewhere.test, a domain this node does not host",
      },
      { address: "carol@b.example.test", reason: "alias of alice@a.example.test is the address of an account" },
      {
        address: "info@a.example.test",
        reason: "alias of bob@a.example.test already delivers to alice@a.example.test",
      },
    ])
    expect(content(plan.dkimTables, "hp-keytable")).toBe(
      "a.example.test a.example.test:hp1:/srv/dkim/keys/hp-a.example.test.private\nb.example.test b.example.test:hp1:/srv/dkim/keys/hp-b.example.test.private\n",
    )
    expect(content(plan.dkimTables, "hp-signingtable")).toBe(
      "a.example.test a.example.test\nb.example.test b.example.test\n",
    )
    expect(plan.dkimKeys.map((k) => k.file)).toEqual(["hp-a.example.test.private", "hp-b.example.test.private"])
    expect(plan.sieve).toEqual([])
    expect(plan.domains).toEqual(["a.example.test", "b.example.test"])
  })

  it.prop(
    "every map line has exactly its fields and every passwd-file line its eight, whatever the specs",
    [FastCheck.array(Arbitrary.make(MailDomainSpec), { maxLength: 3 })],
    ([specs]) => {
      const plan = planMail(layout, specs)
      const accounts = new Set(specs.flatMap((d) => d.accounts.map((a) => `${a.local_part}@${d.domain}`)))
      const mapLines = (name: string) =>
        content(plan.postfix, name)!
          .split("\n")
          .filter((l) => l !== "")
      for (const name of ["hp-domains", "hp-mailboxes"])
        for (const l of mapLines(name)) expect(l).toMatch(/^[a-z0-9._@-]+ OK$/)
      for (const l of mapLines("hp-senders")) expect(l).toMatch(/^[a-z0-9._-]+@[a-z0-9.-]+ [a-z0-9._-]+@[a-z0-9.-]+$/)
      for (const l of mapLines("hp-aliases")) expect(l).toMatch(/^[a-z0-9._-]+@[a-z0-9.-]+ [a-z0-9._-]+@[a-z0-9.-]+$/)
      for (const l of mapLines("hp-transport"))
        expect(l).toMatch(/^[a-z0-9._-]+@[a-z0-9.-]+ retry:4\.2\.1 mailbox temporarily suspended$/)
      expect(new Set(mapLines("hp-mailboxes").map((l) => l.split(" ")[0]))).toEqual(accounts)
      const users = content(plan.dovecot, "hp-users")!
        .split("\n")
        .filter((l) => l !== "")
      expect(users).toHaveLength(accounts.size)
      for (const l of users) {
        const [user, hash, uid, gid, gecos, home, shell, ...extra] = l.split(":")
        expect(accounts.has(user!)).toBe(true)
        expect(hash).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
        expect([uid, gid, gecos, shell]).toEqual(["5000", "5001", "", ""])
        expect(home).toBe(`/srv/mail/${user!.split("@")[1]}/${user!.split("@")[0]}`)
        // the quota rule's own colons are the only ones after the seventh field
        expect(extra.join(":")).toMatch(/^userdb_quota_rule=\*:storage=\d+M( nologin reason=account_suspended)?$/)
      }
      for (const l of content(plan.dkimTables, "hp-keytable")!
        .split("\n")
        .filter((x) => x !== ""))
        expect(l).toMatch(/^([a-z0-9.-]+) \1:[a-z0-9-]+:\/srv\/dkim\/keys\/hp-\1\.private$/)
    },
    { fastCheck: { numRuns: 200 } },
  )
})

describe("MailDomainSpec refuses hostile input", () => {
  const good = {
    domain: "example.test",
    dkim: { selector: "hp1", private_key_pem: PEM },
    accounts: [account("alice", { autoreply: { subject: "Away", body: "Back on Monday.\n", days: 1, enabled: true } })],
  }
  const refused = (patch: (s: typeof good) => unknown) =>
    Schema.decodeUnknownEither(MailDomainSpec)(patch(structuredClone(good)))._tag === "Left"
  const acc = (over: object) => (s: typeof good) => ({ ...s, accounts: [{ ...s.accounts[0], ...over }] })
  const reply = (over: object) => (s: typeof good) => ({
    ...s,
    accounts: [{ ...s.accounts[0], autoreply: { ...s.accounts[0]!.autoreply, ...over } }],
  })

  it("accepts the good spec", () => expect(refused((s) => s)).toBe(false))
  it.each([
    ["quote in a local part", acc({ local_part: 'a"b' })],
    ["plus tag as an account", acc({ local_part: "a+b" })],
    ["upper case", acc({ local_part: "Alice" })],
    ["percent (Dovecot variable)", acc({ local_part: "a%u" })],
    ["leading dot", acc({ local_part: ".a" })],
    ["double dot", acc({ local_part: "a..b" })],
    ["65 characters", acc({ local_part: "a".repeat(65) })],
    ["newline in a local part", acc({ local_part: "a\nb" })],
    ["colon in a hash", acc({ password_hash: `${HASH}:0:0` })],
    ["plain hash scheme", acc({ password_hash: "{PLAIN}secret" })],
    ["alias with a space", acc({ aliases: ["a b@example.test"] })],
    ["forward with a quote", acc({ forwards: [{ address: 'x"@example.com', keep_copy: true }] })],
    ["forward with a newline", acc({ forwards: [{ address: "x@example.com\nredirect", keep_copy: true }] })],
    [
      "eleven forwards",
      acc({ forwards: Array.from({ length: 11 }, (_, i) => ({ address: `f${i}@example.com`, keep_copy: true })) }),
    ],
    ["zero quota", acc({ quota_mb: 0 })],
    ["CR/LF in a subject (header injection)", reply({ subject: "Away\r\nBcc: victim@example.com" })],
    ["LF in a subject", reply({ subject: "Away\nX: y" })],
    ["NUL in a body", reply({ body: "a\u0000b" })],
    ["CR in a body", reply({ body: "a\r\nb" })],
    ["oversize body", reply({ body: "x".repeat(10_001) })],
    ["oversize subject", reply({ subject: "x".repeat(201) })],
    ["a date that is not UTC seconds", reply({ start_at: "2026-01-01 00:00" })],
    ["February 30th", reply({ end_at: "2026-02-30T00:00:00Z" })],
    ["zero days", reply({ days: 0 })],
    ["domain with a trailing dot", (s: typeof good) => ({ ...s, domain: "example.test." })],
    ["single-label domain", (s: typeof good) => ({ ...s, domain: "localhost" })],
    ["selector with a slash", (s: typeof good) => ({ ...s, dkim: { ...s.dkim, selector: "a/b" } })],
    [
      "key that is not PEM",
      (s: typeof good) => ({ ...s, dkim: { ...s.dkim, private_key_pem: "-----BEGIN PRIVATE KEY-----\nx y\n" } }),
    ],
  ])("refuses %s", (_, patch) => expect(refused(patch)).toBe(true))
})
