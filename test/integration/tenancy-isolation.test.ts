// Brand isolation and hostile input on the tenancy resources, through the real API process.
// Only the API runs (no control-plane worker, no agents), so every row written stays
// `pending`/`deleting` as the API left it; failures are set with SQL where a test needs them.
import { randomUUID } from "node:crypto"
import { NotFound } from "@hosting/sdk"
import { describe, expect, it } from "vitest"
import { send } from "../support/contract.js"
import { fail, sshKeygen, tenancySuite } from "../support/tenancy-suite.js"

describe("tenancy isolation and bad input", () => {
  const suite = tenancySuite("hp_tenancy_iso")

  it("brand isolation: another brand's key sees none of it, dashboard and search included", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await suite.c1.tenants.create({
      payload: { brand_id: suite.f.brand1 as never, display_name: `Iso ${tag}` },
    })
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `iso.${tag}.example.test` } })
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: `iso-${tag}`, public_key: sshKeygen(suite.logDir, "i@x").publicKey },
    })
    const attempts: Array<() => Promise<unknown>> = [
      () => suite.c2.tenants.get({ path: { id: t.id } }),
      () => suite.c2.tenants.resources({ path: { id: t.id } }),
      () => suite.c2.tenants.update({ path: { id: t.id }, payload: { display_name: "mine now" } }),
      () => suite.c2.tenants.suspend({ path: { id: t.id } }),
      () => suite.c2.tenants.migrate({ path: { id: t.id }, payload: { shard_id: suite.f.webB as never } }),
      () => suite.c2.tenants.retry({ path: { id: t.id } }),
      () => suite.c2.tenants.delete({ path: { id: t.id } }),
      () => suite.c2.webroots.list({ path: { id: t.id }, urlParams: {} }),
      () => suite.c2.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } }),
      () => suite.c2.webroots.get({ path: { id: w.id } }),
      () => suite.c2.webroots.update({ path: { id: w.id }, payload: { runtime: "static" } }),
      () => suite.c2.webroots.delete({ path: { id: w.id } }),
      () => suite.c2.fqdns.list({ path: { id: w.id }, urlParams: {} }),
      () => suite.c2.fqdns.create({ path: { id: w.id }, payload: { hostname: `x.${tag}.example.test` } }),
      () => suite.c2.fqdns.get({ path: { id: fq.id } }),
      () => suite.c2.fqdns.delete({ path: { id: fq.id } }),
      () => suite.c2.sshKeys.list({ path: { id: t.id }, urlParams: {} }),
      () => suite.c2.sshKeys.get({ path: { id: key.id } }),
      () => suite.c2.sshKeys.update({ path: { id: key.id }, payload: { name: "x" } }),
      () => suite.c2.sshKeys.delete({ path: { id: key.id } }),
    ]
    for (const [i, attempt] of attempts.entries())
      expect(await fail(attempt()), `attempt ${i}`).toBeInstanceOf(NotFound)
    // nothing changed
    expect(await suite.c1.tenants.get({ path: { id: t.id } })).toMatchObject({
      display_name: `Iso ${tag}`,
      status: "pending",
    })
    const theirs = await suite.c2.tenants.list({ urlParams: { limit: 200 } })
    expect(theirs.items.every((x) => x.brand_id === suite.f.brand2)).toBe(true)
    expect(JSON.stringify(theirs)).not.toContain(t.id)
    // dashboard counts and search follow the brand through the tenant
    const viewer = suite.client(await suite.keyFor(["dashboard:read", "search:read"], [suite.f.brand2]))
    const mine = await suite.c1.tenants.list({ urlParams: { limit: 200 } })
    const [stats1, stats2] = [await suite.c1.dashboard.stats(), await viewer.dashboard.stats()]
    expect(stats1.counts["tenants"]?.total).toBe(mine.items.length)
    expect(stats2.counts["tenants"]?.total).toBe(theirs.items.length)
    const total = async (table: string, brand: string) =>
      Number(
        (
          await suite.query(
            `SELECT count(*) AS n FROM ${table} x JOIN tenants t ON t.id = x.tenant_id WHERE t.brand_id = $1`,
            [brand],
          )
        )[0].n,
      )
    for (const [type, table] of [
      ["webroots", "webroots"],
      ["fqdns", "fqdns"],
      ["ssh-keys", "ssh_keys"],
    ] as const) {
      expect(stats1.counts[type]?.total, type).toBe(await total(table, suite.f.brand1))
      expect(stats2.counts[type]?.total, type).toBe(await total(table, suite.f.brand2))
    }
    expect((await suite.c1.search.search({ urlParams: { q: t.name } })).groups).toEqual([
      { type: "tenants", items: [{ id: t.id, name: t.name, status: "pending" }] },
    ])
    expect((await suite.c1.search.search({ urlParams: { q: `iso.${tag}` } })).groups).toEqual([
      { type: "fqdns", items: [{ id: fq.id, name: fq.hostname, status: "pending" }] },
    ])
    for (const q of [t.name, w.name, fq.hostname, `iso-${tag}`]) {
      expect((await viewer.search.search({ urlParams: { q } })).groups, q).toEqual([])
    }
  })

  it("injection strings: machine-facing fields are refused with nothing written, labels kept verbatim", async () => {
    const t = await suite.newTenant()
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "node" } })
    const { publicKey } = sshKeygen(suite.logDir, "inj@x")
    const INJECTIONS = [
      "example.com; return 200",
      "example.com\nserver { listen 80; }",
      "../../etc/passwd",
      "$(id)",
      "$HOME/.ssh",
      "`id`",
      "a'b\"c",
      "exаmple.com", // Cyrillic а
      "ex\u200bample.com",
      " example.com",
    ]
    const cases: Array<{ path: string; body: (evil: string) => Record<string, unknown> }> = [
      { path: `/api/v1/webroots/${w.id}/fqdns`, body: (evil) => ({ hostname: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: "node", entrypoint: evil }) },
      { path: `/api/v1/tenants/${t.id}/webroots`, body: (evil) => ({ runtime: "php", runtime_version: evil }) },
      { path: `/api/v1/tenants/${t.id}/ssh-keys`, body: (evil) => ({ name: "k", public_key: `${publicKey} ${evil}` }) },
      { path: `/api/v1/tenants/${t.id}/ssh-keys`, body: (evil) => ({ name: "k", public_key: evil }) },
      { path: "/api/v1/tenants", body: (evil) => ({ brand_id: evil }) },
      { path: "/api/v1/tenants", body: (evil) => ({ brand_id: suite.f.brand1, cluster_id: evil }) },
      { path: `/api/v1/tenants/${t.id}/migrate`, body: (evil) => ({ shard_id: evil }) },
    ]
    for (const c of cases) {
      for (const evil of INJECTIONS) {
        const before = await suite.counts()
        const res = await send(suite.baseUrl, { method: "POST" }, c.path, suite.f.key1, JSON.stringify(c.body(evil)))
        expect(res.status, `${c.path} ${JSON.stringify(c.body(evil))}`).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        expect(res.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
        expect(await suite.counts()).toBe(before)
      }
    }
    // the PUT bodies' machine-facing fields, too
    for (const evil of INJECTIONS) {
      const res = await send(
        suite.baseUrl,
        { method: "PUT" },
        `/api/v1/webroots/${w.id}`,
        suite.f.key1,
        JSON.stringify({ entrypoint: evil }),
      )
      expect(res.status, evil).toBe(400)
    }
    expect((await suite.c1.webroots.get({ path: { id: w.id } })).entrypoint).toBe("server.js")
    // labels are free text: printable ones are stored exactly as sent (control characters are not)
    for (const evil of INJECTIONS.filter((s) => !/\p{C}/u.test(s) && s.trim() === s)) {
      const renamed = await suite.c1.tenants.update({ path: { id: t.id }, payload: { display_name: evil } })
      expect(renamed.display_name).toBe(evil)
    }
    const res = await send(
      suite.baseUrl,
      { method: "PUT" },
      `/api/v1/tenants/${t.id}`,
      suite.f.key1,
      JSON.stringify({ display_name: "a\nb" }),
    )
    expect(res.status).toBe(400)
  })
})
