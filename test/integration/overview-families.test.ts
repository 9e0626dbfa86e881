// The dashboard and search over the database, S3 and email families, through the real API
// process. Only the API runs (no worker, no agents): every row stays as the API wrote it
// (`pending`), and failures are written with SQL. Each brand gets one of every resource, so the
// counts are exact and another brand's key must see its own and none of the first's.
import { randomUUID } from "node:crypto"
import type { PromiseClient } from "@hosting/sdk"
import { beforeAll, describe, expect, it } from "vitest"
import { createBrandResources } from "../support/brand-resources.js"
import { tenancySuite } from "../support/tenancy-suite.js"

const NEW_KINDS = [
  "databases",
  "database-users",
  "s3-buckets",
  "s3-access-keys",
  "email-accounts",
  "email-aliases",
  "email-forwards",
] as const

/** The dashboard's counts of the new kinds only. */
const newCounts = async (c: PromiseClient) => {
  const { counts } = await c.dashboard.stats()
  return Object.fromEntries(NEW_KINDS.map((k) => [k, counts[k]]))
}

const each = (by_status: Record<string, number>, total = 1) =>
  Object.fromEntries(NEW_KINDS.map((k) => [k, { total, by_status }]))

describe("dashboard and search: databases, S3 and email", () => {
  const suite = tenancySuite("hp_overview_families")
  const tag = randomUUID().slice(0, 8)
  let mine: Awaited<ReturnType<typeof createBrandResources>>
  let theirs: Awaited<ReturnType<typeof createBrandResources>>
  let viewer: PromiseClient

  beforeAll(async () => {
    mine = await createBrandResources(suite.admin, suite.f.brand1, suite.f.clusterA, `ov1-${tag}`)
    theirs = await createBrandResources(suite.admin, suite.f.brand2, suite.f.clusterB, `ov2-${tag}`)
    viewer = suite.client(await suite.keyFor(["dashboard:read", "search:read"], [suite.f.brand2]))
  })

  it("counts each kind by status within the key's brands, and lists a failed database and bucket", async () => {
    // the API left everything pending
    expect(await newCounts(suite.c1)).toEqual(each({ pending: 1 }))
    expect(await newCounts(viewer)).toEqual(each({ pending: 1 }))
    expect(await newCounts(suite.admin)).toEqual(each({ pending: 2 }, 2))
    expect((await suite.c1.dashboard.stats()).recent_failures).toEqual([])

    const [db] = await suite.query<{ updated_at: Date }>(
      `UPDATE databases SET status = 'failed', status_message = 'node db-1: disk full', updated_at = now()
        WHERE id = $1 RETURNING updated_at`,
      [mine.database.id],
    )
    const [bucket] = await suite.query<{ updated_at: Date }>(
      `UPDATE s3_buckets SET status = 'failed', status_message = 'node s3-1: quota refused',
        updated_at = now() - interval '1 minute' WHERE id = $1 RETURNING updated_at`,
      [mine.s3Bucket.id],
    )
    expect(await newCounts(suite.c1)).toEqual({
      ...each({ pending: 1 }),
      databases: { total: 1, by_status: { failed: 1 } },
      "s3-buckets": { total: 1, by_status: { failed: 1 } },
    })
    // newest first
    const failures = [
      {
        type: "databases",
        id: mine.database.id,
        name: mine.database.name,
        status_message: "node db-1: disk full",
        updated_at: db!.updated_at.toISOString(),
      },
      {
        type: "s3-buckets",
        id: mine.s3Bucket.id,
        name: mine.s3Bucket.name,
        status_message: "node s3-1: quota refused",
        updated_at: bucket!.updated_at.toISOString(),
      },
    ]
    expect((await suite.c1.dashboard.stats()).recent_failures).toEqual(failures)
    expect((await suite.admin.dashboard.stats()).recent_failures).toEqual(failures)
    // another brand's key counts its own rows, all pending, and sees none of the failures
    expect(await newCounts(viewer)).toEqual(each({ pending: 1 }))
    expect((await viewer.dashboard.stats()).recent_failures).toEqual([])
    expect((await suite.c2.dashboard.stats()).recent_failures).toEqual([])
  })

  it("finds a database, its user, a bucket, an access key and addresses, within the key's brands", async () => {
    const search = (c: PromiseClient, q: string) => c.search.search({ urlParams: { q } }).then((r) => r.groups)
    const status = async (table: string, id: string) => (await suite.rowOf(table, id)).status as string
    // a user is named after its database, so the database's name finds both
    expect(await search(suite.c1, mine.database.name)).toEqual([
      {
        type: "databases",
        items: [
          { id: mine.database.id, name: mine.database.name, status: await status("databases", mine.database.id) },
        ],
      },
      {
        type: "database-users",
        items: [{ id: mine.databaseUser.id, name: mine.databaseUser.username, status: "pending" }],
      },
    ])
    expect(await search(suite.c1, mine.databaseUser.username)).toEqual([
      {
        type: "database-users",
        items: [{ id: mine.databaseUser.id, name: mine.databaseUser.username, status: "pending" }],
      },
    ])
    expect(await search(suite.c1, mine.s3Bucket.name)).toEqual([
      {
        type: "s3-buckets",
        items: [
          { id: mine.s3Bucket.id, name: mine.s3Bucket.name, status: await status("s3_buckets", mine.s3Bucket.id) },
        ],
      },
    ])
    expect(await search(suite.c1, mine.s3AccessKey.access_key_id)).toEqual([
      {
        type: "s3-access-keys",
        items: [{ id: mine.s3AccessKey.id, name: mine.s3AccessKey.access_key_id, status: "pending" }],
      },
    ])
    // the whole address, case aside, finds the mailbox alone; its local part finds its alias and forward too
    const address = mine.emailAccount.address
    expect(address).toBe(`ov1${tag}@ov1-${tag}.example.test`)
    expect(await search(suite.c1, address.toUpperCase())).toEqual([
      { type: "email-accounts", items: [{ id: mine.emailAccount.id, name: address, status: "pending" }] },
    ])
    expect(await search(suite.c1, `ov1${tag}`)).toEqual([
      { type: "email-accounts", items: [{ id: mine.emailAccount.id, name: address, status: "pending" }] },
      {
        type: "email-aliases",
        items: [{ id: mine.emailAlias.id, name: `ov1${tag}-alias@ov1-${tag}.example.test`, status: "pending" }],
      },
      {
        type: "email-forwards",
        items: [{ id: mine.emailForward.id, name: `ov1${tag}@forward.example`, status: "pending" }],
      },
    ])
    // another brand's key finds none of them, but its own
    for (const q of [
      mine.database.name,
      mine.databaseUser.username,
      mine.s3Bucket.name,
      mine.s3AccessKey.access_key_id,
      address,
      `ov1${tag}`,
    ]) {
      expect(await search(viewer, q), q).toEqual([])
      expect(await search(suite.c2, q), q).toEqual([])
    }
    expect(await search(viewer, theirs.emailAccount.address)).toEqual([
      {
        type: "email-accounts",
        items: [{ id: theirs.emailAccount.id, name: theirs.emailAccount.address, status: "pending" }],
      },
    ])
    // the platform admin finds both brands' mailboxes
    expect((await search(suite.admin, `@ov`)).find((g) => g.type === "email-accounts")?.items.map((i) => i.id)).toEqual(
      [mine.emailAccount.id, theirs.emailAccount.id],
    )
  })

  it("answers no secret: no password hash, S3 secret or DKIM key", async () => {
    const secrets = [
      ...(await suite.query<{ s: string }>(`SELECT password_hash AS s FROM database_users UNION ALL
        SELECT password_hash FROM email_accounts UNION ALL SELECT secret FROM s3_access_keys UNION ALL
        SELECT dkim_private_key FROM mail_domains`)),
    ].map((r) => r.s)
    // each brand's database user, mailbox, access key and mail domain
    expect(secrets.length).toBe(2 * 4)
    expect(secrets).toContain(mine.s3AccessKey.secret_access_key)
    const answers = JSON.stringify([
      await suite.admin.dashboard.stats(),
      ...(await Promise.all(
        ["ov1", "ov2", "db_", "_app", "@", mine.s3AccessKey.access_key_id.slice(0, 4)].map((q) =>
          suite.admin.search.search({ urlParams: { q, limit: 50 } }),
        ),
      )),
    ])
    for (const s of secrets) expect(answers).not.toContain(s)
  })
})
