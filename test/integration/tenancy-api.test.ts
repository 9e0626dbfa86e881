// Tenants, webroots, FQDNs and SSH keys through the SDK against the real API process:
// placement, the resources and their rules (runtimes, versions, names bound once, real SSH keys).
// Only the API runs (no control-plane worker, no agents), so every row written stays
// `pending`/`deleting` as the API left it; failures are set with SQL where a test needs them.
import { randomUUID } from "node:crypto"
import { Conflict, Forbidden, InvalidInput, NotFound } from "@hosting/sdk"
import { describe, expect, it } from "vitest"
import { send } from "../support/contract.js"
import { fail, sshKeygen, tenancySuite } from "../support/tenancy-suite.js"

describe("tenancy API", () => {
  const suite = tenancySuite("hp_tenancy")

  it("places a tenant on the web shard with the fewest tenants of the brand's clusters", async () => {
    const region = await suite.admin.regions.create({ payload: { name: `p-${randomUUID().slice(0, 8)}` } })
    const cluster = await suite.admin.clusters.create({ path: { id: region.id }, payload: { name: "p" } })
    const brand = await suite.admin.brands.create({ payload: { name: `Placement ${randomUUID()}` } })
    // no cluster mapped, then a cluster without a web shard: 422 telling how to fix it
    for (const setup of [
      async () => {},
      async () => {
        await suite.admin.shards.create({ path: { id: cluster.id }, payload: { name: "dns", role: "dns" } })
        await suite.admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
      },
    ]) {
      await setup()
      const none = await fail(suite.admin.tenants.create({ payload: { brand_id: brand.id } }))
      expect(none).toBeInstanceOf(InvalidInput)
      expect((none as InvalidInput).message).toContain(`PUT /api/v1/brands/${brand.id}/clusters`)
    }
    const s1 = await suite.admin.shards.create({ path: { id: cluster.id }, payload: { name: "s1", role: "web" } })
    const s2 = await suite.admin.shards.create({ path: { id: cluster.id }, payload: { name: "s2", role: "web" } })
    const placed: Array<string> = []
    for (let i = 0; i < 3; i++)
      placed.push((await suite.admin.tenants.create({ payload: { brand_id: brand.id } })).shard_id)
    // ties go by name: s1, then s2 (fewer tenants), then s1 again
    expect(placed).toEqual([s1.id, s2.id, s1.id])
    const onS2 = await suite.admin.tenants.create({ payload: { brand_id: brand.id, cluster_id: cluster.id } })
    expect(onS2.shard_id).toBe(s2.id)
    // a cluster the brand may not use, by anyone
    const unmapped = await fail(
      suite.admin.tenants.create({ payload: { brand_id: brand.id, cluster_id: suite.f.clusterA as never } }),
    )
    expect(unmapped).toBeInstanceOf(InvalidInput)
    expect((unmapped as InvalidInput).message).toContain("/clusters")
    // shard_id: platform admins only, and only a web shard
    const chosen = await suite.admin.tenants.create({
      payload: { brand_id: suite.f.brand1 as never, shard_id: suite.f.webB as never },
    })
    expect(chosen.shard_id).toBe(suite.f.webB)
    expect(
      await fail(
        suite.admin.tenants.create({ payload: { brand_id: suite.f.brand1 as never, shard_id: suite.f.dbA as never } }),
      ),
    ).toBeInstanceOf(InvalidInput)
    expect(
      await fail(
        suite.c1.tenants.create({ payload: { brand_id: suite.f.brand1 as never, shard_id: suite.f.webA1 as never } }),
      ),
    ).toBeInstanceOf(Forbidden)
    // another brand's id, or one that does not exist
    for (const brandId of [suite.f.brand2, randomUUID()]) {
      expect(await fail(suite.c1.tenants.create({ payload: { brand_id: brandId as never } }))).toBeInstanceOf(NotFound)
    }
  })

  it("tenants: create, read, list, rename, suspend, migrate, resources", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await suite.c1.tenants.create({
      payload: { brand_id: suite.f.brand1 as never, display_name: `Shop ${tag}` },
    })
    expect(t).toMatchObject({
      brand_id: suite.f.brand1,
      status: "pending",
      suspended: false,
      display_name: `Shop ${tag}`,
    })
    expect(t.name).toMatch(/^t_[a-z0-9]{10}$/)
    expect([suite.f.webA1, suite.f.webA2]).toContain(t.shard_id)
    const created = await suite.rowOf("tenants", t.id)
    expect(created).toMatchObject({ status: "pending", status_message: null })
    expect(await suite.c1.tenants.get({ path: { id: t.id } })).toEqual(t)
    const found = await suite.c1.tenants.list({ urlParams: { search: `shop ${tag}`, status: "pending" } })
    expect(found.items.map((x) => x.id)).toEqual([t.id])
    expect((await suite.c1.tenants.list({ urlParams: { search: t.name } })).items.map((x) => x.id)).toEqual([t.id])
    expect((await suite.c1.tenants.list({ urlParams: { search: tag, status: "active" } })).items).toEqual([])
    // the display name never reaches a node: 200, same revision, same status
    const renamed = await suite.c1.tenants.update({ path: { id: t.id }, payload: { display_name: `Shop ${tag} Ltd` } })
    expect(renamed).toMatchObject({ display_name: `Shop ${tag} Ltd`, status: "pending" })
    expect((await suite.rowOf("tenants", t.id))!.revision).toBe(created!.revision)
    const cleared = await suite.c1.tenants.update({ path: { id: t.id }, payload: { display_name: null } })
    expect(cleared.display_name).toBeNull()
    // suspend and unsuspend are writes a node must see: pending under a new revision
    await suite.query("UPDATE tenants SET status = 'active' WHERE id = $1", [t.id])
    // and so must its databases (their users are locked): pending too, under new revisions
    const db = await suite.c1.databases.create({ path: { id: t.id }, payload: {} })
    await suite.query("UPDATE databases SET status = 'active' WHERE id = $1", [db.id])
    const dbBefore = await suite.rowOf("databases", db.id)
    const suspended = await suite.c1.tenants.suspend({ path: { id: t.id } })
    expect(suspended).toMatchObject({ suspended: true, status: "pending" })
    const afterSuspend = await suite.rowOf("tenants", t.id)
    expect(BigInt(afterSuspend!.revision)).toBeGreaterThan(BigInt(created!.revision))
    const dbAfter = await suite.rowOf("databases", db.id)
    expect(dbAfter!.status).toBe("pending")
    expect(BigInt(dbAfter!.revision)).toBeGreaterThan(BigInt(dbBefore!.revision))
    expect((await suite.c1.tenants.unsuspend({ path: { id: t.id } })).suspended).toBe(false)
    // migrate: another web shard of the brand's clusters; not the same one, not a foreign or non-web one
    const target = t.shard_id === suite.f.webA1 ? suite.f.webA2 : suite.f.webA1
    const same = await fail(suite.c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: t.shard_id } }))
    expect(same).toBeInstanceOf(Conflict)
    for (const shard of [suite.f.webB, suite.f.dbA, randomUUID()]) {
      const refused = await fail(
        suite.c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: shard as never } }),
      )
      expect(refused).toBeInstanceOf(InvalidInput)
    }
    const migrating = await suite.c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: target as never } })
    expect(migrating).toMatchObject({ status: "pending", shard_id: t.shard_id })
    expect((await suite.query("SELECT migrate_to FROM tenants WHERE id = $1", [t.id]))[0].migrate_to).toBe(target)
    // a platform admin may move it to any web shard
    await suite.admin.tenants.migrate({ path: { id: t.id }, payload: { shard_id: suite.f.webB as never } })
    expect((await suite.query("SELECT migrate_to FROM tenants WHERE id = $1", [t.id]))[0].migrate_to).toBe(suite.f.webB)
    // resources: everything the tenant owns
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const host = `www.${tag}.example.test`
    const fq = await suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: host } })
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "laptop", public_key: sshKeygen(suite.logDir, "me@laptop").publicKey },
    })
    const all = await suite.c1.tenants.resources({ path: { id: t.id } })
    expect(all.tenant.id).toBe(t.id)
    expect(all.webroots.map((x) => x.id)).toEqual([w.id])
    expect(all.fqdns.map((x) => [x.id, x.webroot_id, x.tenant_id])).toEqual([[fq.id, w.id, t.id]])
    expect(all.ssh_keys.map((x) => x.id)).toEqual([key.id])
  })

  it("webroots: runtime, version, entrypoint and process rules; create, update, list", async () => {
    const t = await suite.newTenant()
    const create = (payload: Record<string, unknown>) =>
      suite.c1.webroots.create({ path: { id: t.id }, payload: payload as never })
    const php = await create({ runtime: "php" })
    expect(php).toMatchObject({
      tenant_id: t.id,
      runtime: "php",
      runtime_version: "8.2",
      entrypoint: null,
      numprocs: 1,
      status: "pending",
      path: `/webroots/${php.name}`,
    })
    expect(php.name).toMatch(/^web_[a-z0-9]{10}$/)
    const defaults = []
    for (const runtime of ["node", "python", "ruby", "worker", "static"] as const)
      defaults.push(await create({ runtime }))
    expect(defaults.map((w) => [w.runtime, w.runtime_version, w.entrypoint, w.numprocs])).toEqual([
      ["node", null, "server.js", 1],
      ["python", null, "app.py", 1],
      ["ruby", null, "app.rb", 1],
      ["worker", null, "worker.js", 1],
      ["static", null, null, 1],
    ])
    const worker = await create({ runtime: "worker", entrypoint: "bin/run.js", numprocs: 3 })
    expect(worker).toMatchObject({ entrypoint: "bin/run.js", numprocs: 3 })
    for (const [payload, says] of [
      [{ runtime: "php", runtime_version: "7.4" }, "8.2"],
      [{ runtime: "node", runtime_version: "20" }, "only to php"],
      [{ runtime: "static", runtime_version: "1" }, "only to php"],
      [{ runtime: "php", entrypoint: "index.php" }, "entrypoint"],
      [{ runtime: "static", entrypoint: "index.html" }, "entrypoint"],
      [{ runtime: "node", numprocs: 2 }, "worker"],
      [{ runtime: "php", numprocs: 2 }, "worker"],
    ] as const) {
      const before = await suite.counts()
      const e = await fail(create(payload))
      expect(e, JSON.stringify(payload)).toBeInstanceOf(InvalidInput)
      expect((e as InvalidInput).message).toContain(says)
      expect(await suite.counts()).toBe(before)
    }
    // numprocs out of range and bad entrypoints never reach the service
    for (const body of [
      { runtime: "worker", numprocs: 9 },
      { runtime: "node", entrypoint: "../server.js" },
      { runtime: "node", entrypoint: "/etc/passwd" },
      { runtime: "python", entrypoint: "app.py; rm -rf /" },
      { runtime: "perl" },
    ]) {
      const res = await send(
        suite.baseUrl,
        { method: "POST" },
        `/api/v1/tenants/${t.id}/webroots`,
        suite.f.key1,
        JSON.stringify(body),
      )
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    // a new runtime starts from its defaults; the same runtime keeps what is not patched
    const before = await suite.rowOf("webroots", php.id)
    const toNode = await suite.c1.webroots.update({ path: { id: php.id }, payload: { runtime: "node" } })
    expect(toNode).toMatchObject({ runtime: "node", runtime_version: null, entrypoint: "server.js", status: "pending" })
    expect(BigInt((await suite.rowOf("webroots", php.id))!.revision)).toBeGreaterThan(BigInt(before!.revision))
    const moved = await suite.c1.webroots.update({ path: { id: php.id }, payload: { entrypoint: "dist/main.js" } })
    expect(moved).toMatchObject({ runtime: "node", entrypoint: "dist/main.js", name: php.name, path: php.path })
    const kept = await suite.c1.webroots.update({ path: { id: php.id }, payload: {} })
    expect(kept.entrypoint).toBe("dist/main.js")
    const reset = await suite.c1.webroots.update({ path: { id: php.id }, payload: { entrypoint: null } })
    expect(reset.entrypoint).toBe("server.js")
    expect(
      await fail(suite.c1.webroots.update({ path: { id: php.id }, payload: { runtime_version: "20" } })),
    ).toBeInstanceOf(InvalidInput)
    const back = await suite.c1.webroots.update({ path: { id: php.id }, payload: { runtime: "php" } })
    expect(back).toMatchObject({ runtime: "php", runtime_version: "8.2", entrypoint: null })
    // a webroot with host names cannot become a worker (a worker serves no HTTP)
    await suite.c1.fqdns.create({
      path: { id: php.id },
      payload: { hostname: `w.${randomUUID().slice(0, 8)}.example.test` },
    })
    expect(
      await fail(suite.c1.webroots.update({ path: { id: php.id }, payload: { runtime: "worker" } })),
    ).toBeInstanceOf(InvalidInput)
    // lists: the tenant's webroots only, with status filter and sort
    const page = await suite.c1.webroots.list({ path: { id: t.id }, urlParams: { sort: "-name" } })
    const names = [php, ...defaults, worker].map((w) => w.name)
    expect(page.items.map((w) => w.name)).toEqual(names.sort().reverse())
    expect(await suite.c1.webroots.get({ path: { id: worker.id } })).toEqual(worker)
    await suite.setFailed("webroots", worker.id)
    const failedOnly = await suite.c1.webroots.list({ path: { id: t.id }, urlParams: { status: "failed" } })
    expect(failedOnly.items.map((w) => w.id)).toEqual([worker.id])
    expect(await fail(suite.c1.webroots.list({ path: { id: randomUUID() as never }, urlParams: {} }))).toBeInstanceOf(
      NotFound,
    )
  })

  it("webroots: a region that lists its runtimes offers only those (and only the listed versions)", async () => {
    const t = await suite.newTenant()
    const region = (await suite.admin.regions.list({ urlParams: { search: "tenancy" } })).items[0]!
    await suite.admin.regions.setRuntimes({
      path: { id: region.id },
      payload: {
        runtimes: [
          { runtime: "php", versions: ["8.2"] },
          { runtime: "static", versions: [] },
        ],
      },
    })
    try {
      const refused = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "node" } }).then(
        () => undefined,
        (e: { _tag?: string; message?: string }) => e,
      )
      expect(refused?._tag).toBe("InvalidInput")
      expect(refused?.message).toContain("does not offer node")
      expect(
        (await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })).runtime_version,
      ).toBe("8.2")
      expect((await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })).runtime).toBe(
        "static",
      )
    } finally {
      await suite.admin.regions.setRuntimes({ path: { id: region.id }, payload: { runtimes: [] } })
    }
  })

  it("fqdns: bound once platform-wide, without the trailing dot, never to a worker", async () => {
    const tag = randomUUID().slice(0, 8)
    const t = await suite.newTenant()
    const site = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
    const worker = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "worker" } })
    const fq = await suite.c1.fqdns.create({
      path: { id: site.id },
      payload: { hostname: `shop.${tag}.example.test.` },
    })
    expect(fq).toMatchObject({ hostname: `shop.${tag}.example.test`, webroot_id: site.id, tenant_id: t.id })
    expect(fq.status).toBe("pending")
    // the same name again, with or without the dot, here or under another brand: 409
    const other = await suite.newTenant(suite.c2, suite.f.brand2)
    const otherSite = await suite.c2.webroots.create({ path: { id: other.id }, payload: { runtime: "static" } })
    for (const [c, webroot, hostname] of [
      [suite.c1, site.id, `shop.${tag}.example.test`],
      [suite.c1, site.id, `shop.${tag}.example.test.`],
      [suite.c2, otherSite.id, `shop.${tag}.example.test`],
    ] as const) {
      const e = await fail(c.fqdns.create({ path: { id: webroot }, payload: { hostname } }))
      expect(e).toBeInstanceOf(Conflict)
      expect((e as Conflict).message).toContain("already bound")
    }
    for (const hostname of [`Shop.${tag}.example.test`, `shop_${tag}.example.test`, `-x.${tag}.test`]) {
      const res = await send(
        suite.baseUrl,
        { method: "POST" },
        `/api/v1/webroots/${site.id}/fqdns`,
        suite.f.key1,
        JSON.stringify({ hostname }),
      )
      expect(res.status, hostname).toBe(400)
    }
    const onWorker = await fail(
      suite.c1.fqdns.create({ path: { id: worker.id }, payload: { hostname: `job.${tag}.test` } }),
    )
    expect(onWorker).toBeInstanceOf(InvalidInput)
    expect((onWorker as InvalidInput).message).toContain("worker")
    const second = await suite.c1.fqdns.create({
      path: { id: site.id },
      payload: { hostname: `a.${tag}.example.test` },
    })
    const page = await suite.c1.fqdns.list({ path: { id: site.id }, urlParams: {} })
    expect(page.items.map((x) => x.hostname)).toEqual([second.hostname, fq.hostname])
    expect(await suite.c1.fqdns.get({ path: { id: fq.id } })).toEqual(fq)
    expect((await suite.c1.fqdns.list({ path: { id: worker.id }, urlParams: {} })).items).toEqual([])
  })

  it("ssh keys: real keys with ssh-keygen's fingerprint, one per tenant, bad keys refused", async () => {
    const t = await suite.newTenant()
    const { publicKey, fingerprint } = sshKeygen(suite.logDir, "alice@example.test")
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "Alice's laptop", public_key: publicKey },
    })
    expect(key).toMatchObject({ tenant_id: t.id, name: "Alice's laptop", public_key: publicKey, status: "pending" })
    expect(key.fingerprint).toBe(fingerprint)
    const dup = await fail(
      suite.c1.sshKeys.create({ path: { id: t.id }, payload: { name: "again", public_key: publicKey } }),
    )
    expect(dup).toBeInstanceOf(Conflict)
    // the same key on another tenant is fine
    const t2 = await suite.newTenant()
    expect(
      (await suite.c1.sshKeys.create({ path: { id: t2.id }, payload: { name: "a", public_key: publicKey } }))
        .fingerprint,
    ).toBe(fingerprint)
    // renaming is synchronous: 200, same revision
    const before = await suite.rowOf("ssh_keys", key.id)
    const renamed = await suite.c1.sshKeys.update({ path: { id: key.id }, payload: { name: "Alice (work)" } })
    expect(renamed).toMatchObject({ name: "Alice (work)", status: "pending" })
    expect((await suite.rowOf("ssh_keys", key.id))!.revision).toBe(before!.revision)
    const [type, blob] = publicKey.split(" ") as [string, string]
    const rsaBlob = Buffer.concat([
      Buffer.from([0, 0, 0, 7]),
      Buffer.from("ssh-rsa"),
      Buffer.from([0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    ]).toString("base64")
    for (const bad of [
      `command="/bin/sh" ${publicKey}`,
      `no-pty,from="*" ${publicKey}`,
      `${type} ${blob}\n${type} ${blob} second`,
      `${type} ${blob.slice(0, 20)}\n${blob.slice(20)}`,
      `ssh-rsa ${blob}`,
      `${type} ${rsaBlob}`,
      `${type} not*base64`,
      `${type} ${blob} comment with spaces`,
      `${type} ${blob} $(id)`,
      `ssh-dss ${blob}`,
      "",
    ]) {
      const before = await suite.counts()
      const res = await send(
        suite.baseUrl,
        { method: "POST" },
        `/api/v1/tenants/${t.id}/ssh-keys`,
        suite.f.key1,
        JSON.stringify({ name: "bad", public_key: bad }),
      )
      expect(res.status, bad).toBe(400)
      expect(res.json).toMatchObject({ error: { code: "invalid_request" } })
      expect(await suite.counts()).toBe(before)
    }
    expect((await suite.c1.sshKeys.list({ path: { id: t.id }, urlParams: {} })).items.map((k) => k.id)).toEqual([
      key.id,
    ])
  })
})
