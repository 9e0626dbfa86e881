// An email-role agent SIGKILLed while 20 accounts are being created: the restarted agent adopts
// its Postfix and Dovecot, the mail domain's serializer runs its round again (the node gets the
// domain's whole spec, so a repeated ensure is harmless), and every account ends active exactly
// once: one passwd-file line, one map entry and one mailbox each, and each logs in over IMAP.
import { readdirSync, readFileSync } from "node:fs"
import { emailPaths } from "@hosting/agent"
import { createClient, type PromiseClient } from "@hosting/sdk"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { imapLogin, inbox, makeTestEmailNode, send, type TestEmailNode } from "../support/email-node.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, settled } from "../support/web-node.js"

let db: TestDatabase
let mail: TestEmailNode
let stack: Stack
let client: PromiseClient
let env: NodeJS.ProcessEnv
let fqdnId: string

const HOST = `restart-${Date.now().toString(36)}.example.test`
const PASSWORD = "restart password 1"
const COUNT = 20

const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")

describe("an email agent killed while accounts are created", () => {
  beforeAll(async () => {
    db = await postgresDatabase(inject("postgresAdminUrl"), "hp_mailrestart")
    mail = await makeTestEmailNode()
    env = { ...mail.env, HOSTING_AGENT_TIMEOUT_SECONDS: "120" }
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      // tenants need a web shard to be placed on; this agent serves only the email role
      env: { ...env, HOSTING_LOCAL_NODE_ROLES: "web,email" },
    })
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    await waitForAgent(client, stack.nodeId, 60)
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: "mail restart" } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    fqdnId = (await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: HOST } })).id
  }, 240_000)

  afterAll(async () => {
    await stack?.stop()
    await mail?.cleanup()
    await db?.stop()
  })

  it("ends with every account active once, in the passwd-file and maps once, and each logs in", async () => {
    const users = `${emailPaths(mail.root).dovecotUsers}/hp-users`
    const creating = Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        client.emailAccounts.create({
          path: { id: fqdnId as never },
          payload: { local_part: `user${String(i).padStart(2, "0")}`, password: PASSWORD },
        }),
      ),
    )
    // kill the agent in its first ensure of the domain (its passwd-file just written, reloads and the
    // activity's answer still to come), while the other accounts' POSTs and rounds are in flight
    const deadline = Date.now() + 60_000
    while (lines(users).length === 0) {
      if (Date.now() > deadline) throw new Error("the agent never wrote the domain's accounts")
      await new Promise((r) => setTimeout(r, 5))
    }
    const agent = stack.processes.get(`agent-${stack.nodeId}`)!
    agent.child.kill("SIGKILL")
    await agent.exited
    console.log(`agent killed with ${lines(users).length} of ${COUNT} accounts in its passwd-file`)
    stack.startAgent(stack.nodeId, env)
    const created = await creating
    for (const a of created) await settled(a.address, () => client.emailAccounts.get({ path: { id: a.id } }), 120_000)

    const addresses = created.map((a) => a.address).sort()
    const listed = await client.emailAccounts.list({ path: { id: fqdnId as never }, urlParams: { limit: 100 } })
    expect(listed.items.map((a) => [a.address, a.status]).sort()).toEqual(addresses.map((a) => [a, "active"]))
    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    try {
      const rows = await c.query("SELECT hostname, status FROM mail_domains")
      expect(rows.rows).toEqual([{ hostname: HOST, status: "active" }])
      expect((await c.query("SELECT count(*)::int AS n FROM email_accounts")).rows).toEqual([{ n: COUNT }])
    } finally {
      await c.end()
    }

    const p = emailPaths(mail.root)
    expect(lines(users).map((l) => l.split(":")[0])).toEqual(addresses)
    expect(lines(`${p.postfixMaps}/hp-mailboxes`)).toEqual(addresses.map((a) => `${a} OK`))
    expect(lines(`${p.postfixMaps}/hp-domains`)).toEqual([`${HOST} OK`])

    for (const a of addresses) {
      expect(await imapLogin(mail.ports.imap, a, PASSWORD)).toBe(true)
      await send(mail.ports.smtp, { from: "someone@sender.example.test", to: a, subject: `to ${a}`, text: "x" })
    }
    for (const a of addresses)
      await eventually(
        `mail for ${a}`,
        () => inbox(mail.ports.imap, a, PASSWORD),
        (m) => m.length === 1 && m[0]!.subject === `to ${a}`,
      )
    // one mailbox directory per account, nothing else in the domain's
    expect(readdirSync(`${p.mail}/${HOST}`).sort()).toEqual(addresses.map((a) => a.split("@")[0]))
  })
})
