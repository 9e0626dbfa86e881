// Email end to end through the SDK: API → SyncMailDomainWorkflow → the node agent (email role:
// its own Postfix, Dovecot, OpenDKIM) and the zone's sync → PowerDNS (dns role of the same agent).
// nodemailer and imapflow are the customer's clients. The agent serves no web role, so tenants
// stay unprovisioned: mail depends only on the FQDN's row.
import { createPublicKey } from "node:crypto"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { stopEmailServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createClient, type EmailAccount, type PromiseClient } from "@hosting/sdk"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { verifyDkim } from "../support/dkim-verify.js"
import { dig, makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { imapLogin, inbox, send } from "../support/email-node.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, settled } from "../support/web-node.js"

let db: TestDatabase
let dns: TestDnsNode
let stack: Stack
let client: PromiseClient
let other: PromiseClient
let tenantId: string
let fqdnId: string
let otherFqdnId: string
let webrootId: string
const ports = { smtp: 0, submission: 0, imap: 0 }
const ZONE = "mail-e2e.test"
const HOST = `shop.${ZONE}`
const OTHER = `other.${ZONE}`
const MX = "mx1.mail-node.example"
const PASS = "correct horse battery"

const gone = async (what: string, read: () => Promise<unknown>, timeoutMs = 45_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      await read()
    } catch (e) {
      if ((e as { _tag?: string })._tag === "NotFound") return
      throw e
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} was not deleted`)
}
const fail = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e as { _tag: string; message: string },
  )
const query = async <R>(text: string, values: ReadonlyArray<unknown>): Promise<Array<R>> => {
  const c = new pg.Client({ connectionString: db.url })
  await c.connect()
  try {
    return (await c.query(text, [...values])).rows as Array<R>
  } finally {
    await c.end()
  }
}
const answers = (name: string, type: string, expected: ReadonlyArray<string>) =>
  eventually(
    `${name} ${type}`,
    async () => dig(dns.dnsPort, name, type),
    (a) => JSON.stringify(a) === JSON.stringify([...expected].sort()),
    45_000,
  )
const account = (a: EmailAccount) => () => client.emailAccounts.get({ path: { id: a.id } })
const arrived = (user: string, pass: string, subject: string) =>
  eventually(
    `${subject} in ${user}`,
    () => inbox(ports.imap, user, pass),
    (m) => m.some((x) => x.subject === subject),
  )
// PowerDNS splits long TXT text into 255-byte strings: dig shows them quoted, side by side
const txt = (text: string) => (text.match(/.{1,255}/g) ?? []).map((s) => `"${s}"`).join(" ")

describe("email through the SDK", () => {
  beforeAll(async () => {
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_email")
    dns = await makeTestDnsNode(inject("postgresAdminUrl"))
    Object.assign(ports, { smtp: await freePort(), submission: await freePort(), imap: await freePort() })
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      env: {
        ...dns.env,
        HOSTING_AGENT_ROLES: "dns,email",
        HOSTING_LOCAL_NODE_ROLES: "web,dns,email",
        HOSTING_LOCAL_NODE_HOSTNAME: MX,
        HOSTING_AGENT_TIMEOUT_SECONDS: "60",
        HOSTING_MAIL_HOST: "127.0.0.1",
        HOSTING_MAIL_HOSTNAME: MX,
        HOSTING_SMTP_PORT: String(ports.smtp),
        HOSTING_SUBMISSION_PORT: String(ports.submission),
        HOSTING_IMAP_PORT: String(ports.imap),
      },
    })
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    await waitForAgent(client, stack.nodeId)
    const brand = await client.brands.create({
      payload: { name: `mail ${Date.now()}`, ns_hostnames: ["ns1.mail-brand.example"] },
    })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    tenantId = tenant.id
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    webrootId = webroot.id
    fqdnId = (await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: HOST } })).id
    otherFqdnId = (await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: OTHER } })).id
    const zone = await client.zones.create({ payload: { name: ZONE, brand_id: brand.id } })
    await settled("zone", () => client.zones.get({ path: { id: zone.id } }))
    const otherBrand = await client.brands.create({ payload: { name: `mail other ${Date.now()}` } })
    const key = await client.apiKeys.create({ payload: { name: "other", scopes: ["*"], brands: [otherBrand.id] } })
    other = createClient({ baseUrl: stack.baseUrl, apiKey: key.key })
  }, 180_000)

  afterAll(async () => {
    await stack?.stop()
    if (dns !== undefined) await stopEmailServices(dns.root)
    await dns?.cleanup()
    await db?.stop()
  })

  let alice: EmailAccount

  it("creates a mailbox: mail sent to it is read over IMAP with its password, and the domain's records appear", async () => {
    const t0 = Date.now()
    alice = await client.emailAccounts.create({
      path: { id: fqdnId as never },
      payload: { local_part: "alice", password: PASS, display_name: "Alice" },
    })
    expect(alice).toMatchObject({
      address: `alice@${HOST}`,
      quota_mb: 1024,
      display_name: "Alice",
      tenant_id: tenantId,
    })
    expect(JSON.stringify(alice)).not.toContain(PASS)
    await settled("account", account(alice))
    await eventually(
      "first login",
      () => imapLogin(ports.imap, alice.address, PASS),
      (ok) => ok,
    )
    console.log(`account → first IMAP login: ${Date.now() - t0} ms`)
    expect(await imapLogin(ports.imap, alice.address, "wrong password!")).toBe(false)
    await send(ports.smtp, { from: "bob@sender.example.test", to: alice.address, subject: "hello alice", text: "hi" })
    await arrived(alice.address, PASS, "hello alice")

    const [{ dkim_public_key: p }] = await query<{ dkim_public_key: string }>(
      "SELECT dkim_public_key FROM mail_domains WHERE hostname = $1",
      [HOST],
    )
    await answers(HOST, "MX", [`10 ${MX}.`])
    await answers(HOST, "TXT", ['"v=spf1 mx -all"'])
    await answers(`_dmarc.${HOST}`, "TXT", ['"v=DMARC1; p=none"'])
    await answers(`hp1._domainkey.${HOST}`, "TXT", [txt(`v=DKIM1; k=rsa; p=${p}`)])
    // what goes out is signed with the key the TXT record publishes
    await send(
      ports.submission,
      { from: alice.address, to: alice.address, subject: "signed", text: "body" },
      { user: alice.address, pass: PASS },
    )
    const [signed] = (await arrived(alice.address, PASS, "signed")).filter((m) => m.subject === "signed")
    const publicKey = createPublicKey({ key: Buffer.from(p!, "base64"), format: "der", type: "spki" })
    expect(verifyDkim(signed!.source, publicKey)).toMatchObject({ bodyHashOk: true, signatureOk: true })
  })

  it("delivers an alias (on another FQDN of the tenant) and forwards with and without a copy", async () => {
    const alias = await client.emailAliases.create({
      path: { id: alice.id },
      payload: { local_part: "sales", fqdn_id: otherFqdnId as never },
    })
    expect(alias.address).toBe(`sales@${OTHER}`)
    await settled("alias", () => client.emailAliases.get({ path: { id: alias.id } }))
    await send(ports.smtp, { from: "c@sender.example.test", to: `sales@${OTHER}`, subject: "via alias", text: "x" })
    await arrived(alice.address, PASS, "via alias")

    const carol = await client.emailAccounts.create({
      path: { id: fqdnId as never },
      payload: { local_part: "carol", password: PASS },
    })
    await settled("carol", account(carol))
    const fw = await client.emailForwards.create({
      path: { id: alice.id },
      payload: { address: carol.address, keep_copy: false },
    })
    expect(fw).toMatchObject({ address: carol.address, keep_copy: false })
    await settled("forward", () => client.emailForwards.get({ path: { id: fw.id } }))
    await send(ports.smtp, { from: "d@sender.example.test", to: alice.address, subject: "forwarded", text: "x" })
    await arrived(carol.address, PASS, "forwarded")
    expect((await inbox(ports.imap, alice.address, PASS)).map((m) => m.subject)).not.toContain("forwarded")
    await client.emailForwards.delete({ path: { id: fw.id } })
    await gone("forward", () => client.emailForwards.get({ path: { id: fw.id } }))
  })

  it("answers once per sender with the auto-reply set through the API", async () => {
    const reply = await client.emailAutoreplies.update({
      path: { id: alice.id },
      payload: { subject: 'Away "until" Monday', body: "I am away.\nBack soon." },
    })
    expect(reply).toMatchObject({ days: 1, enabled: true, start_at: null })
    await settled("auto-reply", () => client.emailAutoreplies.get({ path: { id: alice.id } }))
    const carol = `carol@${HOST}`
    for (const subject of ["first", "second"])
      await send(ports.smtp, { from: carol, to: alice.address, subject, text: "x" })
    await arrived(alice.address, PASS, "second")
    const replies = await eventually(
      "the auto-reply",
      () => inbox(ports.imap, carol, PASS),
      (m) => m.some((x) => x.subject === 'Away "until" Monday'),
    )
    expect(replies.filter((m) => m.subject === 'Away "until" Monday')).toHaveLength(1)
    await client.emailAutoreplies.delete({ path: { id: alice.id } })
    await gone("auto-reply", () => client.emailAutoreplies.get({ path: { id: alice.id } }))
  })

  it("refuses bad input with 4xx and changes nothing", async () => {
    const before = (await client.emailAccounts.list({ path: { id: fqdnId as never }, urlParams: {} })).items.length
    const bad = [
      { local_part: 'a"b', password: PASS },
      { local_part: "a\nb", password: PASS },
      { local_part: "x+tag", password: PASS },
      { local_part: "ok", password: "short" },
      { local_part: "ok", password: "line\nbreak-in-password" },
    ]
    for (const payload of bad) {
      const e = await fail(client.emailAccounts.create({ path: { id: fqdnId as never }, payload }))
      expect(e._tag).toMatch(/ParseError|HttpApiDecodeError|InvalidInput/)
    }
    const subjects = ["a\r\nBcc: x@y.example", ""]
    for (const subject of subjects) {
      const e = await fail(client.emailAutoreplies.update({ path: { id: alice.id }, payload: { subject, body: "x" } }))
      expect(e._tag).toMatch(/ParseError|HttpApiDecodeError/)
    }
    const big = await fail(
      client.emailAutoreplies.update({ path: { id: alice.id }, payload: { subject: "s", body: "x".repeat(10_001) } }),
    )
    expect(big._tag).toMatch(/ParseError|HttpApiDecodeError/)
    for (const address of ['"x"@a.example', "a@b.example\nBcc: c@d.example", "x@localhost"]) {
      const e = await fail(client.emailForwards.create({ path: { id: alice.id }, payload: { address } }))
      expect(e._tag).toMatch(/ParseError|HttpApiDecodeError/)
    }
    // another brand sees nothing of these
    expect((await fail(other.emailAccounts.get({ path: { id: alice.id } })))._tag).toBe("NotFound")
    expect(
      (
        await fail(
          other.emailAccounts.create({ path: { id: fqdnId as never }, payload: { local_part: "z", password: PASS } }),
        )
      )._tag,
    ).toBe("NotFound")
    expect((await client.emailAccounts.list({ path: { id: fqdnId as never }, urlParams: {} })).items).toHaveLength(
      before,
    )
    await fail(client.emailAutoreplies.get({ path: { id: alice.id } }))
  })

  it("refuses IMAP logins while the tenant is suspended and accepts them after", async () => {
    await client.tenants.suspend({ path: { id: tenantId as never } })
    await eventually(
      "refused",
      () => imapLogin(ports.imap, alice.address, PASS),
      (ok) => !ok,
    )
    await client.tenants.unsuspend({ path: { id: tenantId as never } })
    await eventually(
      "accepted",
      () => imapLogin(ports.imap, alice.address, PASS),
      (ok) => ok,
    )
  })

  it("keeps an FQDN, and its webroot, while addresses live at it: 409 naming them, nothing changed", async () => {
    const accounts = (await client.emailAccounts.list({ path: { id: fqdnId as never }, urlParams: {} })).items
    const live = accounts.filter((a) => a.status !== "deleting")
    const aliases = (
      await Promise.all(accounts.map((a) => client.emailAliases.list({ path: { id: a.id }, urlParams: {} })))
    ).flatMap((page) => page.items.filter((x) => x.status !== "deleting"))
    const onOther = aliases.filter((x) => x.fqdn_id === otherFqdnId).length
    expect([live.length > 1, onOther]).toEqual([true, 1])
    const accountsPart = `${HOST} still has ${live.length} mailboxes`
    const hostAliases = aliases.length - onOther
    const hostPart = hostAliases === 0 ? accountsPart : `${accountsPart} and ${hostAliases} email aliases`
    const tail = ": delete them first (or the tenant, which removes everything)"
    const states = () =>
      query<{ hostname: string; status: string; revision: string }>(
        "SELECT hostname, status, revision::text FROM fqdns WHERE webroot_id = $1 ORDER BY hostname",
        [webrootId],
      )
    const before = await states()
    const refused = await fail(client.fqdns.delete({ path: { id: otherFqdnId as never } }))
    expect(refused).toMatchObject({ _tag: "Conflict", message: `${OTHER} still has 1 email alias${tail}` })
    const viaWebroot = await fail(client.webroots.delete({ path: { id: webrootId as never } }))
    expect(viaWebroot).toMatchObject({
      _tag: "Conflict",
      message: `${OTHER} still has 1 email alias; ${hostPart}${tail}`,
    })
    expect(before.map((r) => r.hostname)).toEqual([OTHER, HOST])
    expect(await states()).toEqual(before)
  })

  it("removes the mail domain and exactly its records with the last address", async () => {
    const mail = join(dns.root, "email", "mail", HOST)
    expect(existsSync(mail)).toBe(true)
    const accounts = (await client.emailAccounts.list({ path: { id: fqdnId as never }, urlParams: {} })).items
    // the 202 answers the row as marked, whatever the domain's round has done since (it used to
    // read it again after the hand-off, and a quick round's removal made the delete a 404)
    for (const a of accounts)
      expect((await client.emailAccounts.delete({ path: { id: a.id } })).status).toBe("deleting")
    for (const a of accounts) await gone(a.address, () => client.emailAccounts.get({ path: { id: a.id } }))
    await answers(HOST, "MX", [])
    await answers(HOST, "TXT", [])
    await answers(`_dmarc.${HOST}`, "TXT", [])
    await answers(`hp1._domainkey.${HOST}`, "TXT", [])
    // the alias went with alice, and its name had nothing else: its domain went too
    await answers(OTHER, "MX", [])
    // the other name's domain has a round of its own, after the DNS changes: as long a bound as theirs
    await eventually(
      "mail domains removed",
      () => query("SELECT hostname FROM mail_domains", []),
      (rows) => rows.length === 0,
      45_000,
    )
    // read once: a round records a removal only after its node answered, so the files went first
    expect(existsSync(mail)).toBe(false)
    // nothing lives at the other name any more: its delete is taken
    expect((await client.fqdns.delete({ path: { id: otherFqdnId as never } })).status).toBe("deleting")
  })

  it("a tenant's delete removes its mailboxes and their files", async () => {
    const dave = await client.emailAccounts.create({
      path: { id: fqdnId as never },
      payload: { local_part: "dave", password: PASS },
    })
    await settled("dave", account(dave))
    await send(ports.smtp, { from: "e@sender.example.test", to: dave.address, subject: "keep?", text: "x" })
    await arrived(dave.address, PASS, "keep?")
    await client.tenants.delete({ path: { id: tenantId as never } })
    await gone("dave", account(dave))
    expect(existsSync(join(dns.root, "email", "mail", HOST))).toBe(false)
    expect(await imapLogin(ports.imap, dave.address, PASS)).toBe(false)
    await answers(HOST, "MX", [])
  })
})
