// A private email node for tests: Postfix, Dovecot and OpenDKIM on their own root and loopback
// ports, driven by the agent's EmailNode; nodemailer and imapflow talk to it as a customer's
// clients would. Everything is stopped by PID and the root removed afterwards.
import { generateKeyPairSync } from "node:crypto"
import { mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { EmailNode, emailNodeConfigFromEnv, stopEmailServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { ImapFlow } from "imapflow"
import nodemailer, { type SendMailOptions } from "nodemailer"
import SMTPConnection from "nodemailer/lib/smtp-connection"

const TEST_ROOT = "/var/lib/hosting-test"

export interface TestEmailNode {
  readonly root: string
  readonly ports: { readonly smtp: number; readonly submission: number; readonly imap: number }
  readonly env: NodeJS.ProcessEnv
  readonly node: EmailNode
  /** A second EmailNode over the same root, as a restarted agent would make. */
  restart(): Promise<EmailNode>
  cleanup(): Promise<void>
}

export const makeTestEmailNode = async (): Promise<TestEmailNode> => {
  const tag = `e${Math.random().toString(36).slice(2, 8)}`
  const root = join(TEST_ROOT, tag)
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  const ports = { smtp: await freePort(), submission: await freePort(), imap: await freePort() }
  const env = {
    HOSTING_AGENT_ROLES: "email",
    HOSTING_NODE_ROOT: root,
    HOSTING_MAIL_HOST: "127.0.0.1",
    HOSTING_MAIL_HOSTNAME: "mx.node.example.test",
    HOSTING_SMTP_PORT: String(ports.smtp),
    HOSTING_SUBMISSION_PORT: String(ports.submission),
    HOSTING_IMAP_PORT: String(ports.imap),
  }
  const config = emailNodeConfigFromEnv(env)
  const nodes: Array<EmailNode> = []
  const node = new EmailNode(config)
  nodes.push(node)
  return {
    root,
    ports,
    env,
    node,
    restart: async () => {
      const next = new EmailNode(config)
      nodes.push(next)
      await next.start()
      return next
    },
    cleanup: async () => {
      for (const n of nodes) await n.close()
      await stopEmailServices(root)
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** A fresh 2048-bit RSA DKIM key: the private PEM a spec carries, the public key a TXT record would. */
export const dkimKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey,
  }
}

/** Sends over SMTP (port 25 style, no auth: any envelope) or submission (SASL as `auth`). */
export const send = (port: number, message: SendMailOptions, auth?: { readonly user: string; readonly pass: string }) =>
  nodemailer
    .createTransport({
      host: "127.0.0.1",
      port,
      secure: false,
      ignoreTLS: true,
      ...(auth === undefined ? {} : { auth: { user: auth.user, pass: auth.pass } }),
    })
    .sendMail(message)

/**
 * Sends a raw message over plain SMTP announcing its size (`MAIL FROM:<…> SIZE=n`), as MTAs do
 * and nodemailer's transports do not. Answers the server's final reply; rejects with the
 * SMTPError (responseCode, response, command) of the refused step.
 */
export const sendAnnouncingSize = (
  port: number,
  envelope: { readonly from: string; readonly to: string },
  raw: string,
): Promise<string> =>
  new Promise((resolve, reject) => {
    const c = new SMTPConnection({ host: "127.0.0.1", port, secure: false, ignoreTLS: true })
    c.once("error", reject)
    c.connect((err) => {
      if (err) return reject(err)
      c.send({ ...envelope, size: Buffer.byteLength(raw) }, raw, (e, info) => {
        c.quit()
        if (e) reject(e)
        else resolve(info.response)
      })
    })
  })

export interface Fetched {
  readonly subject: string
  readonly from: string
  readonly source: string
}

/** Every message in a mailbox's INBOX (subject, sender address, raw source). */
export const inbox = async (port: number, user: string, pass: string): Promise<Array<Fetched>> => {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  })
  await client.connect()
  try {
    const box = await client.mailboxOpen("INBOX")
    if (box.exists === 0) return []
    const out: Array<Fetched> = []
    for await (const m of client.fetch("1:*", { envelope: true, source: true }))
      out.push({
        subject: m.envelope?.subject ?? "",
        from: m.envelope?.from?.[0]?.address ?? "",
        source: m.source?.toString("utf8") ?? "",
      })
    return out
  } finally {
    await client.logout().catch(() => {})
  }
}

/** The INBOX's storage quota as Dovecot reports it over IMAP (GETQUOTAROOT), in bytes. */
export const storageQuota = async (
  port: number,
  user: string,
  pass: string,
): Promise<{ readonly usage: number; readonly limit: number }> => {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  })
  await client.connect()
  try {
    const q = await client.getQuota("INBOX")
    if (q === false || q.storage?.limit === undefined) throw new Error(`no storage quota for ${user}`)
    return { usage: q.storage.usage ?? 0, limit: q.storage.limit }
  } finally {
    await client.logout().catch(() => {})
  }
}

/** Whether an IMAP login succeeds (false: the server refused it). */
export const imapLogin = async (port: number, user: string, pass: string): Promise<boolean> => {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  })
  try {
    await client.connect()
    await client.logout()
    return true
  } catch (e) {
    if ((e as { authenticationFailed?: boolean }).authenticationFailed === true) return false
    throw e
  }
}
