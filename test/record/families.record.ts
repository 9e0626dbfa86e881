// Runs the serializers of the database, email and s3 families, their shards' converges and the s3
// usage workflows for real — API, control-plane worker, the stack's agent with the web, database
// and email roles (MariaDB, Postfix, Dovecot, OpenDKIM) and an s3 agent on the run's Ceph — then
// saves each run's history under test/fixtures/histories/ (histories.record.ts records the rest).
// Each resource is created, changed, given children and deleted, so its fixtures hold every kind
// of round: ensures, removals, and the round that finds the resource gone.
import { stopDatabaseServices, stopEmailServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { createTestDatabase } from "../support/postgres.js"
import { type SharedS3Node, sharedS3Node } from "../support/s3-node.js"
import { type Stack, startStack } from "../support/stack.js"
import { eventually, makeTestWebNode, settled, type TestWebNode } from "../support/web-node.js"
import { saveHistories } from "./save.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let sql: pg.Client
let web: TestWebNode
let s3: SharedS3Node
let stack: Stack
let client: PromiseClient
let temporal: Client
let s3NodeId: string

const PASSWORD = "correct horse battery"

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_record_families")
  web = await makeTestWebNode()
  s3 = await sharedS3Node()
  const mailHost = "mx.record.example"
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: {
      ...web.env,
      HOSTING_AGENT_ROLES: "web,database,email",
      HOSTING_LOCAL_NODE_ROLES: "web,database,email",
      HOSTING_LOCAL_NODE_ADDRESSES: "127.0.0.1",
      HOSTING_LOCAL_NODE_HOSTNAME: mailHost,
      HOSTING_AGENT_TIMEOUT_SECONDS: "60",
      HOSTING_MARIADB_HOST: "127.0.0.1",
      HOSTING_MARIADB_PORT: String(await freePort()),
      HOSTING_MARIADB_BUFFER_POOL_MB: "16",
      HOSTING_MAIL_HOST: "127.0.0.1",
      HOSTING_MAIL_HOSTNAME: mailHost,
      HOSTING_SMTP_PORT: String(await freePort()),
      HOSTING_SUBMISSION_PORT: String(await freePort()),
      HOSTING_IMAP_PORT: String(await freePort()),
    },
  })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  temporal = new Client({ connection: await Connection.connect({ address: inject("temporalAddress") }) })
  await waitForAgent(client, stack.nodeId, 60)
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const s3Shard = await client.shards.create({ path: { id: cluster.id }, payload: { name: "s3", role: "s3" } })
  s3NodeId = (
    await client.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "s3.record.example", addresses: ["127.0.0.1"], shard_ids: [s3Shard.id] },
    })
  ).id
  stack.startAgent(s3NodeId, s3.env)
  await waitForAgent(client, s3NodeId)
}, 300_000)

afterAll(async () => {
  await temporal?.connection.close()
  await sql?.end()
  await stack?.stop()
  await s3?.node.close()
  if (web !== undefined) {
    await stopDatabaseServices(web.root)
    await stopEmailServices(web.root)
    await web.cleanup()
  }
  await db?.drop()
})

/** Resolves once `read` answers NotFound (the resource's last round removed it). */
const gone = (what: string, read: () => Promise<unknown>) =>
  eventually(
    `${what} gone`,
    () =>
      read().then(
        () => false,
        (e: { _tag?: string }) => e._tag === "NotFound",
      ),
    (g) => g,
    60_000,
  )

it("records a history of the database, email and s3 workflows", async () => {
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const shards = (await client.shards.list({ path: { id: cluster.id }, urlParams: {} })).items
  const brand = await client.brands.create({ payload: { name: `record families ${Date.now()}` } })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
  await settled("tenant", () => client.tenants.get({ path: { id: tenant.id } }), 90_000)

  // a database: created, a user added and changed, the user removed, then the database
  const database = await client.databases.create({ path: { id: tenant.id }, payload: {} })
  const user = await client.databaseUsers.create({
    path: { id: database.id },
    payload: { username: `${database.name}_app`, password: PASSWORD },
  })
  await settled("database user", () => client.databaseUsers.get({ path: { id: user.id } }), 90_000)
  await client.databaseUsers.update({ path: { id: user.id }, payload: { privileges: "read_only" } })
  await settled("database user", () => client.databaseUsers.get({ path: { id: user.id } }))

  // a mail domain: an account, an alias, a forward and an auto-reply, then the account removed
  const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
  const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "mail.record.test" } })
  const alice = await client.emailAccounts.create({
    path: { id: fqdn.id },
    payload: { local_part: "alice", password: PASSWORD },
  })
  // not waited on: the writes land while the domain's first round runs, so that run has several
  const alias = await client.emailAliases.create({ path: { id: alice.id }, payload: { local_part: "sales" } })
  await client.emailForwards.create({
    path: { id: alice.id },
    payload: { address: "bob@elsewhere.example.test", keep_copy: true },
  })
  await client.emailAutoreplies.update({ path: { id: alice.id }, payload: { subject: "away", body: "back soon" } })
  await settled("account", () => client.emailAccounts.get({ path: { id: alice.id } }), 90_000)
  await settled("alias", () => client.emailAliases.get({ path: { id: alias.id } }))
  await settled("auto-reply", () => client.emailAutoreplies.get({ path: { id: alice.id } }))

  // a bucket: created, a key added, made public, the key deleted
  const bucket = await client.s3Buckets.create({ path: { id: tenant.id }, payload: {} })
  const key = await client.s3AccessKeys.create({ path: { id: bucket.id }, payload: { access: "read_write" } })
  await settled("key", () => client.s3AccessKeys.get({ path: { id: key.id } }), 90_000)
  await client.s3Buckets.update({ path: { id: bucket.id }, payload: { public_read: true } })
  await settled("bucket", () => client.s3Buckets.get({ path: { id: bucket.id } }))
  await client.s3AccessKeys.delete({ path: { id: key.id } })
  await gone("key", () => client.s3AccessKeys.get({ path: { id: key.id } }))

  // each family's shard converged while it holds its resource, and the usage schedule's workflow
  for (const role of ["database", "email", "s3"]) {
    const shard = shards.find((s) => s.role === role)!
    await client.shards.converge({ path: { id: shard.id }, payload: {} })
    await eventually(
      `${role} converge`,
      () => client.shards.get({ path: { id: shard.id } }),
      (s) => s.status === "active",
      90_000,
    )
  }
  expect(
    await temporal.workflow.execute("CollectS3UsageWorkflow", {
      taskQueue: "control-plane",
      workflowId: "record-CollectS3UsageWorkflow",
    }),
  ).toBe(1)

  // deletes: the user, the database, the account (its domain goes with its last address), the
  // bucket (a plain delete asks its node whether it is empty first: S3BucketUsageWorkflow)
  const [{ id: mailDomainId }] = (
    await sql.query<{ id: string }>("SELECT id::text FROM mail_domains WHERE hostname = $1", ["mail.record.test"])
  ).rows as [{ id: string }]
  await client.databaseUsers.delete({ path: { id: user.id } })
  await gone("database user", () => client.databaseUsers.get({ path: { id: user.id } }))
  await client.databases.delete({ path: { id: database.id } })
  await client.emailAccounts.delete({ path: { id: alice.id } })
  await client.s3Buckets.delete({ path: { id: bucket.id }, urlParams: {} })
  await gone("database", () => client.databases.get({ path: { id: database.id } }))
  await gone("account", () => client.emailAccounts.get({ path: { id: alice.id } }))
  await eventually(
    "the mail domain gone",
    async () => (await sql.query("SELECT 1 FROM mail_domains WHERE id = $1", [mailDomainId])).rowCount,
    (n) => n === 0,
    60_000,
  )
  await gone("bucket", () => client.s3Buckets.get({ path: { id: bucket.id } }))

  const written = await saveHistories(temporal, [
    { workflowId: `database:${database.id}:sync` },
    { workflowId: `mail-domain:${mailDomainId}:sync` },
    { workflowId: `s3-bucket:${bucket.id}:sync` },
    { workflowId: `s3-bucket:${bucket.id}:usage` },
    { workflowId: "record-CollectS3UsageWorkflow" },
    ...["database", "email", "s3"].map((role) => ({
      workflowId: `shard:${shards.find((s) => s.role === role)!.id}:converge`,
      suffix: `-${role}`,
    })),
  ])
  console.log(`recorded ${written.length} histories: ${written.join(", ")}`)
})
