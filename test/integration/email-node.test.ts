// The node side of email against real daemons: the agent's EmailNode starts Postfix, Dovecot and
// OpenDKIM on a private root and loopback ports and makes their files the plan of its domains;
// nodemailer sends (submission with SASL, or plain SMTP with any envelope) and imapflow reads.
import { execFileSync } from "node:child_process"
import { argon2 } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { promisify } from "node:util"
import { emailPaths, emailPids, postfixQueue } from "@hosting/agent"
import { hashMailPassword, MailDomainSpec } from "@hosting/core/node"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { verifyDkim } from "../support/dkim-verify.js"
import {
  dkimKey,
  type Fetched,
  imapLogin,
  inbox,
  makeTestEmailNode,
  send,
  type TestEmailNode,
} from "../support/email-node.js"
import { eventually } from "../support/web-node.js"

const A = "a.example.test"
const B = "b.example.test"
const PASS = "correct horse 1"
let stack: TestEmailNode
let hash: string
const keys = { [A]: dkimKey(), [B]: dkimKey() }

type AccountIn = Partial<(typeof MailDomainSpec.Encoded.accounts)[number]> & { local_part: string }
const account = (a: AccountIn) => ({
  password_hash: hash,
  quota_mb: 50,
  suspended: false,
  aliases: [],
  forwards: [],
  ...a,
})
const domainA = (over: Record<string, Partial<AccountIn>> = {}) =>
  Schema.decodeUnknownSync(MailDomainSpec)({
    domain: A,
    dkim: { selector: "hp1", private_key_pem: keys[A].privatePem },
    accounts: [
      { local_part: "alice", aliases: [`info@${A}`, `sales@${B}`] },
      { local_part: "bob", forwards: [{ address: `dave@${B}`, keep_copy: true }] },
      { local_part: "fwd", forwards: [{ address: `dave@${B}`, keep_copy: false }] },
      {
        local_part: "away",
        autoreply: { subject: 'Out of "office"', body: "Back on Monday.\nAlice", days: 1, enabled: true },
      },
      {
        local_part: "later",
        autoreply: { subject: "Later", body: "Not yet.", start_at: "2099-01-01T00:00:00Z", days: 1, enabled: true },
      },
      { local_part: "sus" },
    ].map((a) => account({ ...a, ...over[a.local_part] })),
  })
const domainB = () =>
  Schema.decodeUnknownSync(MailDomainSpec)({
    domain: B,
    dkim: { selector: "hp1", private_key_pem: keys[B].privatePem },
    accounts: [account({ local_part: "dave" })],
  })

const box = (user: string) => inbox(stack.ports.imap, user, PASS)
const waitFor = (user: string, what: string, ok: (m: ReadonlyArray<Fetched>) => boolean) =>
  eventually(`${user}: ${what}`, () => box(user), ok)
const subjects = (m: ReadonlyArray<Fetched>) => m.map((x) => x.subject)
/** Every message handed to Postfix so far has left its queue (delivered, bounced, or sent back). */
const queueEmpty = () =>
  eventually(
    "postfix queue empty",
    () => postfixQueue(stack.root),
    (q) => q.length === 0,
  )
const submit = (user: string, message: Record<string, unknown>, pass = PASS) =>
  send(stack.ports.submission, { from: user, ...message }, { user, pass })
const smtp = (from: string, to: string, subject: string, headers: Record<string, string> = {}) =>
  send(stack.ports.smtp, { from, to, subject, text: `${subject}\n`, headers, envelope: { from, to } })

beforeAll(async () => {
  hash = await Effect.runPromise(hashMailPassword(PASS, (p) => promisify(argon2)("argon2id", p)))
  stack = await makeTestEmailNode()
  const started = Date.now()
  await stack.node.start()
  console.log(`postfix, dovecot and opendkim up in ${Date.now() - started} ms`)
  await stack.node.ensureDomain(domainB())
  await stack.node.ensureDomain(domainA())
}, 120_000)

afterAll(async () => {
  await stack?.cleanup()
})

describe("an email node", () => {
  it("delivers mail submitted with SASL to the recipient's INBOX, DKIM-signed", async () => {
    await submit(`alice@${A}`, { to: `dave@${B}`, subject: "hello dave", text: "first message\n" })
    const [m] = await waitFor(`dave@${B}`, "hello dave", (x) => subjects(x).includes("hello dave"))
    expect(m!.from).toBe(`alice@${A}`)
    const dkim = verifyDkim(m!.source, keys[A].publicKey)
    expect(dkim.tags).toMatchObject({ d: A, s: "hp1", a: "rsa-sha256", c: "relaxed/relaxed" })
    expect(dkim.bodyHashOk).toBe(true)
    expect(dkim.signatureOk).toBe(true)
    // against another domain's key it does not verify
    expect(verifyDkim(m!.source, keys[B].publicKey).signatureOk).toBe(false)
  })

  it("refuses a wrong password on IMAP and on submission, and a sender address that is not the login's", async () => {
    expect(await imapLogin(stack.ports.imap, `alice@${A}`, "wrong")).toBe(false)
    expect(await imapLogin(stack.ports.imap, `alice@${A}`, PASS)).toBe(true)
    await expect(submit(`alice@${A}`, { to: `dave@${B}`, subject: "x", text: "x" }, "wrong")).rejects.toMatchObject({
      responseCode: 535,
    })
    await expect(
      send(
        stack.ports.submission,
        { from: `dave@${B}`, to: `bob@${A}`, subject: "spoof", text: "x" },
        { user: `alice@${A}`, pass: PASS },
      ),
    ).rejects.toMatchObject({ responseCode: 553 })
  })

  it("delivers an alias, on its own domain or another of the node, to its mailbox", async () => {
    await smtp(`dave@${B}`, `info@${A}`, "to info")
    await smtp(`dave@${B}`, `sales@${B}`, "to sales")
    await waitFor(
      `alice@${A}`,
      "both aliases",
      (x) => subjects(x).includes("to info") && subjects(x).includes("to sales"),
    )
  })

  it("forwards to another hosted domain's account, keeping a copy only when asked", async () => {
    await smtp(`alice@${A}`, `bob@${A}`, "keep and forward")
    await smtp(`alice@${A}`, `fwd@${A}`, "forward only")
    await waitFor(
      `dave@${B}`,
      "both forwards",
      (x) => subjects(x).includes("keep and forward") && subjects(x).includes("forward only"),
    )
    await queueEmpty()
    expect(subjects(await box(`bob@${A}`))).toEqual(["keep and forward"])
    expect(subjects(await box(`fwd@${A}`))).toEqual([])
  })

  it("auto-replies once per sender, never to lists or bulk mail, and not outside its dates", async () => {
    await smtp(`alice@${A}`, `away@${A}`, "are you there?")
    await smtp(`alice@${A}`, `away@${A}`, "still there?")
    await smtp(`dave@${B}`, `away@${A}`, "bulk news", { Precedence: "bulk" })
    await smtp(`bob@${A}`, `away@${A}`, "list post", { "List-Id": "<news.example.test>" })
    await smtp(`alice@${A}`, `later@${A}`, "too early")
    await waitFor(`away@${A}`, "four messages", (x) => x.length === 4)
    await waitFor(`later@${A}`, "one message", (x) => x.length === 1)
    await queueEmpty()
    const replies = (await box(`alice@${A}`)).filter((m) => m.subject === 'Out of "office"')
    expect(replies.map((r) => r.from)).toEqual([`away@${A}`])
    expect(replies[0]!.source).toMatch(/Back on Monday\.\r\nAlice/)
    expect((await box(`alice@${A}`)).some((m) => m.subject === "Later")).toBe(false)
    expect(subjects(await box(`dave@${B}`)).filter((s) => s.includes("office"))).toEqual([])
    expect(subjects(await box(`bob@${A}`)).filter((s) => s.includes("office"))).toEqual([])
  })

  it("refuses a suspended account's logins and defers its mail until it is unsuspended", async () => {
    const report = await stack.node.ensureDomain(domainA({ sus: { suspended: true } }))
    expect(report.reloads).toEqual({ postfix: 1, dovecot: 1, opendkim: 0 })
    expect(report.flushed).toEqual([])
    // Dovecot's reload is asynchronous: logins are refused once its new auth process answers
    await eventually(
      "login refused",
      () => imapLogin(stack.ports.imap, `sus@${A}`, PASS),
      (ok) => !ok,
    )
    // another MTA is told to try again later (it keeps the message in its own queue)...
    await expect(smtp(`dave@${B}`, `sus@${A}`, "over SMTP")).rejects.toMatchObject({
      responseCode: 450,
      response: `450 4.2.1 <sus@${A}>: Recipient address rejected: mailbox temporarily suspended`,
    })
    // ...and a message already inside this Postfix (local submission, a forward) waits in its queue
    execFileSync(
      "/usr/sbin/sendmail",
      ["-C", emailPaths(stack.root).postfixConf, "-f", `dave@${B}`, "--", `sus@${A}`],
      {
        input: "Subject: while suspended\n\nkept for later\n",
      },
    )
    const queued = await eventually(
      "deferred in the queue",
      () => postfixQueue(stack.root),
      (q) => q.length === 1 && JSON.stringify(q).includes("mailbox temporarily suspended"),
    )
    expect((queued[0]!.recipients as Array<{ address: string }>).map((r) => r.address)).toEqual([`sus@${A}`])

    // the unsuspending ensure itself has Postfix retry what it held back: the message arrives
    // within waitFor's 20 s, where Postfix's own retry would come after minimal_backoff_time (300 s)
    const unsuspended = await stack.node.ensureDomain(domainA())
    expect(unsuspended.flushed).toEqual([`sus@${A}`])
    await waitFor(`sus@${A}`, "delivered after unsuspend", (x) => subjects(x).includes("while suspended"))
    await queueEmpty()
  })

  it("never sends mail to a domain it does not host: the recipient is refused at the door", async () => {
    const refusal = {
      responseCode: 550,
      response: "550 5.7.1 <someone@example.com>: Recipient address rejected: outbound mail is disabled on this node",
    }
    await expect(
      submit(`alice@${A}`, { to: "someone@example.com", subject: "leaving?", text: "x" }),
    ).rejects.toMatchObject(refusal)
    await expect(smtp(`alice@${A}`, "someone@example.com", "leaving too?")).rejects.toMatchObject(refusal)
    expect(await postfixQueue(stack.root)).toEqual([])
    expect(readFileSync(emailPaths(stack.root).maillog, "utf8")).not.toMatch(/to=<someone@example\.com>.*status=sent/)
  })

  it("is adopted, not restarted, by a restarted agent", async () => {
    const before = emailPids(stack.root)
    const next = await stack.restart()
    expect(emailPids(stack.root)).toEqual(before)
    expect(await next.describe()).toMatchObject({
      domains: [A, B],
      accounts: 7,
      daemons: { postfix: true, dovecot: true, opendkim: true },
    })
    expect((await next.converge([domainA(), domainB()], true)).changes).toEqual([])
  })

  it("removes a domain with its mailboxes' files and map entries", async () => {
    const p = emailPaths(stack.root)
    expect(existsSync(`${p.mail}/${B}/dave/Maildir`)).toBe(true)
    const report = await stack.node.removeDomain(B)
    expect(report.changes).toContainEqual({ action: "delete", kind: "mail_domain_files", target: B })
    expect(existsSync(`${p.mail}/${B}`)).toBe(false)
    expect(readFileSync(`${p.postfixMaps}/hp-domains`, "utf8")).toBe(`${A} OK\n`)
    expect(readFileSync(`${p.dovecotUsers}/hp-users`, "utf8")).not.toContain(B)
    expect(existsSync(`${p.opendkimKeys}/hp-${B}.private`)).toBe(false)
    expect(await imapLogin(stack.ports.imap, `dave@${B}`, PASS)).toBe(false)
    // alice's alias on the removed domain went with it
    expect(report.rejected).toEqual([
      { address: `sales@${B}`, reason: `alias of alice@${A} on ${B}, a domain this node does not host` },
    ])
  })
})
