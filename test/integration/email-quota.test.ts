// A mailbox's quota on a real email node: Dovecot enforces the account's quota_mb (passwd-file
// userdb quota rule), Postfix asks Dovecot's quota-status at RCPT and refuses a full mailbox with
// 552 in the SMTP conversation; what gets past it (no size announced, an alias) is refused by LMTP
// with 552 and bounced. Nothing refused reaches the INBOX.
import { argon2 } from "node:crypto"
import { promisify } from "node:util"
import { postfixQueue } from "@hosting/agent"
import { hashMailPassword, MailDomainSpec } from "@hosting/core/node"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  dkimKey,
  type Fetched,
  inbox,
  makeTestEmailNode,
  send,
  sendAnnouncingSize,
  storageQuota,
  type TestEmailNode,
} from "../support/email-node.js"
import { eventually } from "../support/web-node.js"

const A = "quota.example.test"
const FULL = `full@${A}`
const SENDER = `sender@${A}`
const PASS = "correct horse 1"
const MB = 1024 * 1024
let stack: TestEmailNode
let hash: string
const key = dkimKey()

const spec = (quotaMb: number) =>
  Schema.decodeUnknownSync(MailDomainSpec)({
    domain: A,
    dkim: { selector: "hp1", private_key_pem: key.privatePem },
    accounts: [
      { local_part: "full", quota_mb: quotaMb, aliases: [`info@${A}`] },
      { local_part: "sender", quota_mb: 50, aliases: [] },
    ].map((a) => ({ password_hash: hash, suspended: false, forwards: [], ...a })),
  })

/** A plain-text message of about `bytes` bytes (76-character lines). */
const message = (subject: string, bytes: number) =>
  `From: <${SENDER}>\r\nTo: <${FULL}>\r\nSubject: ${subject}\r\n\r\n${`${"x".repeat(76)}\r\n`.repeat(Math.ceil(bytes / 78))}`
const subjects = (m: ReadonlyArray<Fetched>) => m.map((x) => x.subject)
const box = (user: string) => inbox(stack.ports.imap, user, PASS)
/** Every message handed to Postfix has left its queue (delivered or bounced). */
const queueEmpty = () =>
  eventually(
    "postfix queue empty",
    () => postfixQueue(stack.root),
    (q) => q.length === 0,
  )
const deliver = async (subject: string, bytes: number) => {
  expect(await sendAnnouncingSize(stack.ports.smtp, { from: SENDER, to: FULL }, message(subject, bytes))).toMatch(
    /^250 /,
  )
  await eventually(
    `${subject} delivered`,
    () => box(FULL),
    (m) => subjects(m).includes(subject),
  )
}
const refusal = { responseCode: 552, response: `552 5.2.2 <${FULL}>: Recipient address rejected: Mailbox is full` }

beforeAll(async () => {
  hash = await Effect.runPromise(hashMailPassword(PASS, (p) => promisify(argon2)("argon2id", p)))
  stack = await makeTestEmailNode()
  await stack.node.start()
  await stack.node.ensureDomain(spec(2))
}, 120_000)

afterAll(async () => {
  await stack?.cleanup()
})

describe("a mailbox's quota", () => {
  it("is the account's quota_mb, as Dovecot reports it", async () => {
    expect(await storageQuota(stack.ports.imap, FULL, PASS)).toEqual({ usage: 0, limit: 2 * MB })
    expect((await storageQuota(stack.ports.imap, SENDER, PASS)).limit).toBe(50 * MB)
  })

  it("takes mail while it fits; a message announced too big is refused at RCPT with 552", async () => {
    for (const subject of ["first", "second", "third"]) await deliver(subject, 480_000)
    const { usage } = await storageQuota(stack.ports.imap, FULL, PASS)
    expect(usage).toBeGreaterThan(1.3 * MB)
    expect(usage).toBeLessThan(1.5 * MB)
    // 1.4 MB used of 2 MB: a 1 MB message does not fit, even with Dovecot's 10% grace
    await expect(
      sendAnnouncingSize(stack.ports.smtp, { from: SENDER, to: FULL }, message("too big", MB)),
    ).rejects.toMatchObject({ ...refusal, command: "RCPT TO" })
    await queueEmpty()
    expect(subjects(await box(FULL))).toEqual(["first", "second", "third"])
    // refused in the conversation: nothing was accepted, so nothing bounces back to the sender
    expect(await box(SENDER)).toEqual([])
  })

  it("refuses by LMTP (552 5.2.2, bounced) what Postfix accepted without knowing its size", async () => {
    // nodemailer announces no SIZE, and an alias is no user quota-status knows: both pass RCPT
    await send(stack.ports.smtp, {
      from: SENDER,
      to: `info@${A}`,
      subject: "too big, unannounced",
      text: "x".repeat(MB),
      envelope: { from: SENDER, to: `info@${A}` },
    })
    const [bounce] = await eventually(
      "the bounce",
      () => box(SENDER),
      (m) => m.length === 1,
    )
    expect(bounce!.subject).toBe("Undelivered Mail Returned to Sender")
    // the delivery status report: LMTP's own answer, for the mailbox behind the alias
    const report = bounce!.source.replace(/\r\n/g, "\n")
    expect(report).toContain(
      `Final-Recipient: rfc822; ${FULL}\nOriginal-Recipient: rfc822;info@${A}\nAction: failed\nStatus: 5.2.2\n`,
    )
    expect(report).toContain(`Diagnostic-Code: smtp; 552 5.2.2 <${FULL}> Quota exceeded\n`)
    await queueEmpty()
    expect(subjects(await box(FULL))).toEqual(["first", "second", "third"])
  })

  it("refuses even a small message once the mailbox is over a lowered quota, and takes it again when raised", async () => {
    await stack.node.ensureDomain(spec(1))
    await eventually(
      "the lowered quota",
      () => storageQuota(stack.ports.imap, FULL, PASS),
      (q) => q.limit === MB,
    )
    await expect(
      sendAnnouncingSize(stack.ports.smtp, { from: SENDER, to: FULL }, message("small", 1_000)),
    ).rejects.toMatchObject({ ...refusal, command: "RCPT TO" })
    // without a size too: the mailbox is full whatever comes
    await expect(
      send(stack.ports.smtp, {
        from: SENDER,
        to: FULL,
        subject: "small",
        text: "x",
        envelope: { from: SENDER, to: FULL },
      }),
    ).rejects.toMatchObject(refusal)
    expect(await postfixQueue(stack.root)).toEqual([])
    expect(subjects(await box(FULL))).toEqual(["first", "second", "third"])

    await stack.node.ensureDomain(spec(50))
    await eventually(
      "the raised quota",
      () => storageQuota(stack.ports.imap, FULL, PASS),
      (q) => q.limit === 50 * MB,
    )
    await deliver("small again", 1_000)
    expect(subjects(await box(FULL))).toEqual(["first", "second", "third", "small again"])
  })
})
