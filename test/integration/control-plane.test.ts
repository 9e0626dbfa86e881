// The control plane's resources through the SDK against the real API, worker and agent, on
// real PostgreSQL: lifecycle, conflicts, isolation, keys, audit, metrics.
import { randomUUID } from "node:crypto"
import {
  Conflict,
  createClient,
  Forbidden,
  InvalidInput,
  NotFound,
  type PromiseClient,
  Unavailable,
} from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { DATABASES, type TestDatabase } from "../support/databases.js"
import { type Stack, startStack } from "../support/stack.js"

const fail = <A>(p: Promise<A>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
    },
    (e: unknown) => e,
  )

describe.each(DATABASES)("control plane on %s", (_name, makeDb) => {
  let db: TestDatabase
  let stack: Stack
  let admin: PromiseClient

  beforeAll(async () => {
    db = await makeDb(inject("postgresAdminUrl"), "hp_cp")
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      // short, so the dead-node case fails within the test
      env: { HOSTING_AGENT_TIMEOUT_SECONDS: "4" },
    })
    admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  })

  afterAll(async () => {
    await stack?.stop()
    await db?.stop()
  })

  const keyFor = async (scopes: Array<string>, brands: Array<string>) => {
    const created = await admin.apiKeys.create({
      payload: { name: `k-${randomUUID().slice(0, 8)}`, scopes, brands: brands as never },
    })
    return createClient({ baseUrl: stack.baseUrl, apiKey: created.key })
  }

  it("whoami tells a key what it may do", async () => {
    const me = await admin.session.whoami()
    expect(me).toMatchObject({ scopes: ["*"], brands: ["*"] })
  })

  it("platform config: defaults, update, and brands default their NS from it", async () => {
    const before = await admin.platform.getConfig()
    expect(before.audit_retention_days).toBe(90)
    const after = await admin.platform.updateConfig({
      payload: { ns_hostnames: ["ns1.example.net", "ns2.example.net"], hostmaster: "hostmaster@example.net" },
    })
    expect(after).toMatchObject({ ns_hostnames: ["ns1.example.net", "ns2.example.net"], audit_retention_days: 90 })
    const brand = await admin.brands.create({ payload: { name: `Defaults ${randomUUID()}` } })
    expect(brand).toMatchObject({
      ns_hostnames: ["ns1.example.net", "ns2.example.net"],
      hostmaster: "hostmaster@example.net",
    })
    const own = await admin.brands.create({
      payload: { name: `Own NS ${randomUUID()}`, ns_hostnames: ["ns.reseller.test"] },
    })
    expect(own.ns_hostnames).toEqual(["ns.reseller.test"])
  })

  it("brands: CRUD, duplicate names are 409, unknown ids 404, cluster mappings", async () => {
    const name = `Acme ${randomUUID()}`
    const brand = await admin.brands.create({ payload: { name } })
    expect(await fail(admin.brands.create({ payload: { name } }))).toBeInstanceOf(Conflict)
    expect((await admin.brands.get({ path: { id: brand.id } })).name).toBe(name)
    const renamed = await admin.brands.update({ path: { id: brand.id }, payload: { name: `${name} GmbH` } })
    expect(renamed.name).toBe(`${name} GmbH`)
    const region = await admin.regions.create({ payload: { name: `r-${randomUUID().slice(0, 8)}` } })
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c1" } })
    expect(
      await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id, cluster.id] } }),
    ).toEqual({
      cluster_ids: [cluster.id],
    })
    expect(await admin.brands.getClusters({ path: { id: brand.id } })).toEqual({ cluster_ids: [cluster.id] })
    const missing = await fail(
      admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [randomUUID() as never] } }),
    )
    expect(missing).toBeInstanceOf(InvalidInput)
    await admin.brands.delete({ path: { id: brand.id } })
    expect(await fail(admin.brands.get({ path: { id: brand.id } }))).toBeInstanceOf(NotFound)
  })

  it("regions, runtimes, clusters, LB addresses, shards and nodes form the placement tree", async () => {
    const region = await admin.regions.create({ payload: { name: `eu-${randomUUID().slice(0, 8)}` } })
    expect(await fail(admin.regions.create({ payload: { name: region.name } }))).toBeInstanceOf(Conflict)
    const runtimes = await admin.regions.setRuntimes({
      path: { id: region.id },
      payload: {
        runtimes: [
          { runtime: "php", versions: ["8.2", "8.3"] },
          { runtime: "static", versions: [] },
        ],
      },
    })
    expect(runtimes.runtimes.map((r) => r.runtime)).toEqual(["php", "static"])
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "web-a" } })
    expect(await fail(admin.regions.delete({ path: { id: region.id } }))).toBeInstanceOf(Conflict)
    const v4 = await admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.10" } })
    const v6 = await admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "2001:DB8::10" } })
    expect([v4.family, v6.family, v6.address]).toEqual([4, 6, "2001:db8::10"])
    expect(
      await fail(admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.10" } })),
    ).toBeInstanceOf(Conflict)
    const web = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web-1", role: "web" } })
    expect(web).toMatchObject({ role: "web", status: "active", node_ids: [] })
    const badConfig = await fail(
      admin.shards.create({
        path: { id: cluster.id },
        payload: { name: "web-2", role: "web", config: { primary_node_id: randomUUID() as never } },
      }),
    )
    expect(badConfig).toBeInstanceOf(InvalidInput)
    const node = await admin.nodes
      .create({
        path: { id: cluster.id },
        payload: {
          id: stack.nodeId as never,
          hostname: "web1.example.net",
          addresses: ["192.0.2.21"],
          shard_ids: [web.id],
        },
      })
      .catch(async (e) => {
        // the stack registered its local node already; move it into this cluster's shard instead
        if (!(e instanceof Conflict)) throw e
        return undefined
      })
    const nodeId =
      node?.id ??
      (
        await admin.nodes.create({
          path: { id: cluster.id },
          payload: { hostname: "web1.example.net", shard_ids: [web.id] },
        })
      ).id
    const got = await admin.nodes.get({ path: { id: nodeId } })
    expect(got).toMatchObject({ roles: ["web"], shard_ids: [web.id], task_queue: `node-${nodeId}` })
    expect(await fail(admin.shards.delete({ path: { id: web.id } }))).toBeInstanceOf(Conflict)
    const page = await admin.nodes.list({ path: { id: cluster.id }, urlParams: {} })
    expect(page.items.map((n) => n.id)).toEqual([nodeId])
    await admin.nodes.delete({ path: { id: nodeId } })
    await admin.shards.delete({ path: { id: web.id } })
  })

  it("converging a shard reaches every node's agent; a dead node fails it, retry recovers", async () => {
    const region = await admin.regions.create({ payload: { name: `cv-${randomUUID().slice(0, 8)}` } })
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
    const shard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
    const ghost = await admin.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "ghost.example.net", shard_ids: [shard.id] },
    })
    // a plan asks every node what it would change: a node that cannot answer makes it a 503 naming it
    const plan = await fail(admin.shards.converge({ path: { id: shard.id }, payload: { plan: true } }))
    expect(plan).toBeInstanceOf(Unavailable)
    expect((plan as Unavailable).message).toContain(`node ${ghost.id}`)
    expect((await admin.shards.get({ path: { id: shard.id } })).status).toBe("active")
    const started = await admin.shards.converge({ path: { id: shard.id }, payload: {} })
    expect(started.shard.status).toBe("provisioning")
    expect(started.plan).toBeNull()
    // the ghost node has no agent: after the per-node timeout the shard fails, naming it
    let failed = started.shard
    for (let i = 0; i < 150 && failed.status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 500))
      failed = await admin.shards.get({ path: { id: shard.id } })
    }
    expect(failed.status).toBe("failed")
    expect(failed.status_message).toContain(`node ${ghost.id}`)
    // the same as a cause: the node, and why, kept apart
    const [cause] = failed.status_details?.causes ?? []
    expect(failed.status_details).toEqual({ causes: [{ node_id: ghost.id, message: cause?.message }] })
    expect(failed.status_message).toBe(`node ${ghost.id}: ${cause?.message}`)
    // start an agent for the ghost node, retry, and the shard becomes active
    const agent = stack.startAgent(ghost.id)
    await waitForAgent(admin, ghost.id)
    const retried = await admin.shards.retry({ path: { id: shard.id } })
    expect(retried.status).toBe("provisioning")
    let done = retried
    for (let i = 0; i < 100 && done.status === "provisioning"; i++) {
      await new Promise((r) => setTimeout(r, 200))
      done = await admin.shards.get({ path: { id: shard.id } })
    }
    expect(done).toMatchObject({ status: "active", status_message: null, status_details: null })
    expect(await fail(admin.shards.retry({ path: { id: shard.id } }))).toBeInstanceOf(Conflict)
    await agent.stop()
  })

  it("API keys: shown once, never stronger than their creator, revocable", async () => {
    const brand = await admin.brands.create({ payload: { name: `Keys ${randomUUID()}` } })
    const created = await admin.apiKeys.create({
      payload: { name: "reseller", scopes: ["brands:read", "api-keys:*"], brands: [brand.id] },
    })
    expect(created.key).toMatch(/^hpk_[A-Za-z0-9]{40}$/)
    expect(created.key_prefix).toBe(created.key.slice(0, 12))
    const listed = await admin.apiKeys.get({ path: { id: created.id } })
    expect(listed).not.toHaveProperty("key")
    const reseller = createClient({ baseUrl: stack.baseUrl, apiKey: created.key })
    expect(await reseller.session.whoami()).toMatchObject({ id: created.id, brands: [brand.id] })
    // escalation: more scopes, other brands, or all brands are refused
    for (const payload of [
      { name: "x", scopes: ["*"], brands: [brand.id] },
      { name: "x", scopes: ["brands:write"], brands: [brand.id] },
      { name: "x", scopes: ["brands:read"], brands: ["*"] },
      { name: "x", scopes: ["brands:read"], brands: [randomUUID()] },
    ]) {
      expect(await fail(reseller.apiKeys.create({ payload: payload as never }))).toBeInstanceOf(Forbidden)
    }
    const child = await reseller.apiKeys.create({
      payload: { name: "child", scopes: ["brands:read"], brands: [brand.id] },
    })
    const keys = await reseller.apiKeys.list({ urlParams: {} })
    expect(keys.items.map((k) => k.id).sort()).toEqual([created.id, child.id].sort())
    await reseller.apiKeys.delete({ path: { id: child.id } })
    const revoked = createClient({ baseUrl: stack.baseUrl, apiKey: child.key })
    expect((await fail(revoked.session.whoami())) as { _tag: string }).toMatchObject({ _tag: "Unauthorized" })
  })

  it("lists page with cursors, search, sort and limits", async () => {
    const tag = randomUUID().slice(0, 8)
    for (let i = 0; i < 7; i++)
      await admin.brands.create({ payload: { name: `Page ${tag} ${String(i).padStart(2, "0")}` } })
    const seen: Array<string> = []
    let cursor: string | undefined
    for (let pages = 0; pages < 10; pages++) {
      const page = await admin.brands.list({
        urlParams: { search: `page ${tag}`, limit: 3, ...(cursor ? { cursor } : {}) },
      })
      seen.push(...page.items.map((b) => b.name))
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull()
        break
      }
      cursor = page.next_cursor!
    }
    expect(seen).toEqual([...Array(7).keys()].map((i) => `Page ${tag} ${String(i).padStart(2, "0")}`))
    const desc = await admin.brands.list({ urlParams: { search: tag, sort: "-name", limit: 2 } })
    expect(desc.items.map((b) => b.name)).toEqual([`Page ${tag} 06`, `Page ${tag} 05`])
    const pct = await admin.brands.list({ urlParams: { search: "%" } })
    expect(pct.items).toEqual([])
    const res = await fetch(`${stack.baseUrl}/api/v1/brands?cursor=bm90LWEtY3Vyc29y`, {
      headers: { "X-API-Key": stack.apiKey },
    })
    expect(res.status).toBe(400)
  })

  it("dashboard and search see only the key's brands", async () => {
    const mine = await admin.brands.create({ payload: { name: `Visible ${randomUUID()}` } })
    const other = await admin.brands.create({ payload: { name: `Hidden ${randomUUID()}` } })
    const reseller = await keyFor(["dashboard:read", "search:read", "brands:read"], [mine.id])
    const stats = await reseller.dashboard.stats()
    expect(stats.counts["brands"]?.total).toBe(1)
    expect(stats.counts["regions"]).toBeUndefined()
    const adminStats = await admin.dashboard.stats()
    expect(adminStats.counts["brands"]!.total).toBeGreaterThan(1)
    const found = await reseller.search.search({ urlParams: { q: "Visible" } })
    expect(found.groups).toEqual([{ type: "brands", items: [{ id: mine.id, name: mine.name }] }])
    expect((await reseller.search.search({ urlParams: { q: "Hidden" } })).groups).toEqual([])
    expect((await admin.search.search({ urlParams: { q: other.name } })).groups[0]?.items[0]?.id).toBe(other.id)
  })

  it("audits every mutation with secrets redacted, filterable, visible within the brand", async () => {
    const brand = await admin.brands.create({ payload: { name: `Audited ${randomUUID()}` } })
    const key = await admin.apiKeys.create({ payload: { name: "audited key", scopes: ["*"], brands: [brand.id] } })
    // a request body carrying secrets is stored redacted, even when the request is refused
    await fetch(`${stack.baseUrl}/api/v1/brands/${brand.id}`, {
      method: "PUT",
      headers: { "X-API-Key": stack.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", password: "hunter2", nested: { api_key: "sk_live_1", token: "t0k" } }),
    })
    const entries = await admin.auditLogs.list({ urlParams: { resource_type: "brands", resource_id: brand.id } })
    expect(entries.items.map((e) => [e.action, e.status_code])).toEqual([
      ["brands.update", 400],
      ["brands.create", 201],
    ])
    const refused = entries.items[0]!
    expect(JSON.stringify(refused.request_body)).not.toMatch(/hunter2|sk_live_1|t0k/)
    expect(refused.request_body).toMatchObject({
      password: "[REDACTED]",
      nested: { api_key: "[REDACTED]", token: "[REDACTED]" },
    })
    const keyEntries = await admin.auditLogs.list({ urlParams: { action: "apiKeys.create", resource_id: key.id } })
    expect(keyEntries.items).toHaveLength(1)
    expect(JSON.stringify(keyEntries.items[0])).not.toContain(key.key)
    // the brand's own key sees what keys of its brand did, not the platform admin's actions
    const brandClient = createClient({ baseUrl: stack.baseUrl, apiKey: key.key })
    await brandClient.brands.update({ path: { id: brand.id }, payload: { name: `Audited by brand ${randomUUID()}` } })
    const theirs = await brandClient.auditLogs.list({ urlParams: {} })
    expect(theirs.items.map((e) => e.action)).toEqual(["brands.update"])
    expect(theirs.items[0]?.key_id).toBe(key.id)
  })

  it("the daily purge removes audit entries past the retention, and only those", async () => {
    const pgClient = new pg.Client({ connectionString: db.url })
    await pgClient.connect()
    try {
      await admin.platform.updateConfig({ payload: { audit_retention_days: 30 } })
      const old = randomUUID()
      await pgClient.query(
        `INSERT INTO audit_logs (id, created_at, brands, action, method, path, resource_type, status_code)
         VALUES ($1, now() - interval '31 days', '{}', 'brands.create', 'POST', '/api/v1/brands', 'brands', 201)`,
        [old],
      )
      const before = Number((await pgClient.query("SELECT count(*) FROM audit_logs")).rows[0].count)
      // the worker registered the daily schedule; run its workflow now instead of waiting a day
      const connection = await Connection.connect({ address: inject("temporalAddress") })
      try {
        const temporal = new Client({ connection })
        expect((await temporal.schedule.getHandle("purge-audit-logs").describe()).action).toMatchObject({
          workflowType: "PurgeAuditLogsWorkflow",
        })
        const purged = await temporal.workflow.execute("PurgeAuditLogsWorkflow", {
          taskQueue: "control-plane",
          workflowId: `purge-test-${randomUUID()}`,
        })
        expect(purged).toBe(1)
      } finally {
        await connection.close()
      }
      const after = await pgClient.query("SELECT id FROM audit_logs")
      expect(after.rows.map((r) => r.id)).not.toContain(old)
      expect(after.rows.length).toBeGreaterThanOrEqual(before - 1)
    } finally {
      await pgClient.end()
    }
  })

  it("exposes Prometheus metrics per route template", async () => {
    await admin.brands.list({ urlParams: {} })
    const text = await (await fetch(`${stack.baseUrl}/metrics`)).text()
    expect(text).toContain("# TYPE hosting_http_requests_total counter")
    expect(text).toMatch(/hosting_http_requests_total\{method="GET",route="\/api\/v1\/brands",status="200"\} \d+/)
    expect(text).toMatch(
      /hosting_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/brands",status="200",le="\+Inf"\} \d+/,
    )
    expect(text).not.toMatch(/route="\/api\/v1\/brands\/[0-9a-f-]{36}"/)
  })
})
