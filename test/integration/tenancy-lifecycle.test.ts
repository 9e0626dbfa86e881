// The tenancy resources' lifecycle through the real API process: deletes that cascade, retries of
// what failed, and every write handed to its sync (what happens when the engine refuses it).
// Only the API runs (no control-plane worker, no agents), so every row written stays
// `pending`/`deleting` as the API left it; failures are set with SQL where a test needs them.
import { randomUUID } from "node:crypto"
import { Conflict, Unavailable } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import { describe, expect, inject, it } from "vitest"
import { fail, sshKeygen, tenancySuite } from "../support/tenancy-suite.js"

describe("tenancy lifecycle", () => {
  const suite = tenancySuite("hp_tenancy_life")

  it("deleting: cascades, repeats as 202, and refuses every other change under the tenant", async () => {
    const t = await suite.newTenant()
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const host = `gone.${randomUUID().slice(0, 8)}.example.test`
    const fq = await suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: host } })
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(suite.logDir, "k@x").publicKey },
    })
    // a webroot delete takes its fqdns along, and repeats
    const w2 = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })
    const fq2 = await suite.c1.fqdns.create({ path: { id: w2.id }, payload: { hostname: `2.${host}` } })
    expect((await suite.c1.webroots.delete({ path: { id: w2.id } })).status).toBe("deleting")
    expect((await suite.c1.fqdns.get({ path: { id: fq2.id } })).status).toBe("deleting")
    expect((await suite.c1.webroots.delete({ path: { id: w2.id } })).status).toBe("deleting")
    expect(await fail(suite.c1.webroots.update({ path: { id: w2.id }, payload: { runtime: "php" } }))).toBeInstanceOf(
      Conflict,
    )
    expect(
      await fail(suite.c1.fqdns.create({ path: { id: w2.id }, payload: { hostname: `3.${host}` } })),
    ).toBeInstanceOf(Conflict)
    // the tenant: everything it owns goes with it, in one step
    const before = await suite.rowOf("fqdns", fq.id)
    const deleting = await suite.c1.tenants.delete({ path: { id: t.id } })
    expect(deleting).toMatchObject({ id: t.id, status: "deleting" })
    const all = await suite.c1.tenants.resources({ path: { id: t.id } })
    expect(
      [...all.webroots, ...all.fqdns, ...all.ssh_keys].every((r) => r.status === "deleting"),
      JSON.stringify(all),
    ).toBe(true)
    expect(BigInt((await suite.rowOf("fqdns", fq.id))!.revision)).toBeGreaterThan(BigInt(before!.revision))
    expect((await suite.c1.tenants.delete({ path: { id: t.id } })).status).toBe("deleting")
    expect((await suite.c1.fqdns.delete({ path: { id: fq.id } })).status).toBe("deleting")
    expect((await suite.c1.sshKeys.delete({ path: { id: key.id } })).status).toBe("deleting")
    const refusals: Array<() => Promise<unknown>> = [
      () => suite.c1.tenants.update({ path: { id: t.id }, payload: { display_name: "x" } }),
      () => suite.c1.tenants.suspend({ path: { id: t.id } }),
      () => suite.c1.tenants.unsuspend({ path: { id: t.id } }),
      () => suite.c1.tenants.migrate({ path: { id: t.id }, payload: { shard_id: suite.f.webB as never } }),
      () => suite.c1.tenants.retry({ path: { id: t.id } }),
      () => suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } }),
      () => suite.c1.webroots.update({ path: { id: w.id }, payload: { runtime: "static" } }),
      () => suite.c1.webroots.retry({ path: { id: w.id } }),
      () => suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `4.${host}` } }),
      () => suite.c1.fqdns.retry({ path: { id: fq.id } }),
      () =>
        suite.c1.sshKeys.create({
          path: { id: t.id },
          payload: { name: "n", public_key: sshKeygen(suite.logDir, "n@x").publicKey },
        }),
      () => suite.c1.sshKeys.update({ path: { id: key.id }, payload: { name: "renamed" } }),
      () => suite.c1.sshKeys.retry({ path: { id: key.id } }),
    ]
    for (const [i, attempt] of refusals.entries()) {
      const e = await fail(attempt())
      expect(e, `refusal ${i}`).toBeInstanceOf(Conflict)
      expect((e as Conflict).message, `refusal ${i}`).toMatch(/being deleted/)
    }
    // still readable until the sync removes it
    expect((await suite.c1.tenants.get({ path: { id: t.id } })).status).toBe("deleting")
  })

  it("retry: only what failed, back to pending under new revisions", async () => {
    const t = await suite.newTenant()
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await suite.c1.fqdns.create({
      path: { id: w.id },
      payload: { hostname: `r.${randomUUID().slice(0, 8)}.example.test` },
    })
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(suite.logDir, "r@x").publicKey },
    })
    for (const attempt of [
      (): Promise<unknown> => suite.c1.tenants.retry({ path: { id: t.id } }),
      () => suite.c1.webroots.retry({ path: { id: w.id } }),
      () => suite.c1.fqdns.retry({ path: { id: fq.id } }),
      () => suite.c1.sshKeys.retry({ path: { id: key.id } }),
    ]) {
      const e = await fail(attempt())
      expect(e).toBeInstanceOf(Conflict)
      expect((e as Conflict).message).toContain("only a failed")
    }
    // the tenant's retry takes its failed children along and leaves the others alone
    await suite.setFailed("tenants", t.id)
    await suite.setFailed("webroots", w.id)
    await suite.query("UPDATE ssh_keys SET status = 'active' WHERE id = $1", [key.id])
    const [wBefore, kBefore] = [await suite.rowOf("webroots", w.id), await suite.rowOf("ssh_keys", key.id)]
    const retried = await suite.c1.tenants.retry({ path: { id: t.id } })
    expect(retried).toMatchObject({ status: "pending", status_message: null })
    const wAfter = await suite.rowOf("webroots", w.id)
    expect(wAfter).toMatchObject({ status: "pending", status_message: null })
    expect(BigInt(wAfter!.revision)).toBeGreaterThan(BigInt(wBefore!.revision))
    expect(await suite.rowOf("ssh_keys", key.id)).toEqual(kBefore)
    // a child's retry takes only that row
    for (const [table, id, retry] of [
      ["webroots", w.id, () => suite.c1.webroots.retry({ path: { id: w.id } })],
      ["fqdns", fq.id, () => suite.c1.fqdns.retry({ path: { id: fq.id } })],
      ["ssh_keys", key.id, () => suite.c1.sshKeys.retry({ path: { id: key.id } })],
    ] as const) {
      await suite.setFailed(table, id)
      const tenantBefore = await suite.rowOf("tenants", t.id)
      expect(await retry()).toMatchObject({ id, status: "pending", status_message: null })
      expect(await suite.rowOf("tenants", t.id)).toEqual(tenantBefore)
    }
  })

  it("retry on an active tenant re-sends its failed children only; with none failed it is a 409", async () => {
    const t = await suite.newTenant()
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const fq = await suite.c1.fqdns.create({
      path: { id: w.id },
      payload: { hostname: `ra.${randomUUID().slice(0, 8)}.example.test` },
    })
    const key = await suite.c1.sshKeys.create({
      path: { id: t.id },
      payload: { name: "k", public_key: sshKeygen(suite.logDir, "ra@x").publicKey },
    })
    await suite.query("UPDATE tenants SET status = 'active' WHERE id = $1", [t.id])
    for (const table of ["webroots", "fqdns", "ssh_keys"])
      await suite.query(`UPDATE ${table} SET status = 'active' WHERE tenant_id = $1`, [t.id])
    const none = await fail(suite.c1.tenants.retry({ path: { id: t.id } }))
    expect(none).toBeInstanceOf(Conflict)
    expect((none as Conflict).message).toBe(
      "nothing to retry: the tenant is active and none of its webroots, FQDNs, SSH keys or certificates failed",
    )
    await suite.setFailed("webroots", w.id)
    await suite.setFailed("fqdns", fq.id)
    const [tBefore, kBefore, wBefore] = [
      await suite.rowOf("tenants", t.id),
      await suite.rowOf("ssh_keys", key.id),
      await suite.rowOf("webroots", w.id),
    ]
    const signals = suite.engine.state.signals
    const retried = await suite.c1.tenants.retry({ path: { id: t.id } })
    expect(retried).toMatchObject({ id: t.id, status: "active" })
    // the tenant and what did not fail stay as they were; the failed children wait for a round
    expect(await suite.rowOf("tenants", t.id)).toEqual(tBefore)
    expect(await suite.rowOf("ssh_keys", key.id)).toEqual(kBefore)
    for (const id of [w.id, fq.id]) {
      const row = await suite.query(
        "SELECT status, status_message, status_details FROM webroots WHERE id = $1 UNION ALL SELECT status, status_message, status_details FROM fqdns WHERE id = $1",
        [id],
      )
      expect(row).toEqual([{ status: "pending", status_message: null, status_details: null }])
    }
    expect(BigInt((await suite.rowOf("webroots", w.id))!.revision)).toBeGreaterThan(BigInt(wBefore!.revision))
    // handed to the tenant's sync once
    expect(suite.engine.state.signals).toBe(signals + 1)
  })

  it("every write hands the tenant to its sync; when the engine refuses, the rows say why and the caller gets 503", async () => {
    const t = await suite.newTenant()
    // the sync workflow of the tenant exists in Temporal, started by the create
    const connection = await Connection.connect({ address: inject("temporalAddress") })
    try {
      const described = await new Client({ connection }).workflow.getHandle(`tenant:${t.id}:sync`).describe()
      expect(described.type).toBe("SyncTenantWorkflow")
    } finally {
      await connection.close()
    }
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const signals = suite.engine.state.signals
    await suite.c1.tenants.get({ path: { id: t.id } })
    await suite.c1.tenants.update({ path: { id: t.id }, payload: { display_name: "no node change" } })
    await suite.c1.webroots.update({ path: { id: w.id }, payload: { numprocs: 1 } })
    expect(suite.engine.state.signals - signals).toBe(1)
    suite.engine.state.refusing = true
    try {
      const e = await fail(suite.c1.tenants.suspend({ path: { id: t.id } }))
      expect(e).toBeInstanceOf(Unavailable)
      expect(await suite.rowOf("tenants", t.id)).toMatchObject({ status: "failed" })
      expect((await suite.rowOf("tenants", t.id))!.status_message).toMatch(
        /^could not start workflow: workflow engine: /,
      )
      // nothing else of the tenant was touched
      expect((await suite.rowOf("webroots", w.id))!.status).toBe("pending")
      // a failed create leaves a failed row for retry to send again
      expect(
        await fail(suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "static" } })),
      ).toBeInstanceOf(Unavailable)
      const failed = (await suite.c1.webroots.list({ path: { id: t.id }, urlParams: { status: "failed" } })).items
      expect(failed.map((x) => x.runtime)).toEqual(["static"])
      // a failed delete stays `deleting` (deleting again sends it again)
      expect(await fail(suite.c1.tenants.delete({ path: { id: t.id } }))).toBeInstanceOf(Unavailable)
      expect(await suite.rowOf("tenants", t.id)).toMatchObject({ status: "deleting" })
      expect((await suite.rowOf("webroots", w.id))!.status_message).toMatch(/^could not start workflow: /)
    } finally {
      suite.engine.state.refusing = false
    }
    const again = await suite.c1.tenants.delete({ path: { id: t.id } })
    expect(again).toMatchObject({ status: "deleting", status_message: null })
    expect((await suite.rowOf("webroots", w.id))!.status_message).toBeNull()
  })

  it("binding a name wakes what the reactions table says; a refused hand-off asks nothing more, a node change still succeeds", async () => {
    const tag = randomUUID().slice(0, 8)
    await suite.admin.brands.update({
      path: { id: suite.f.brand1 as never },
      payload: { ns_hostnames: ["ns1.example.test"] },
    })
    const zone = await suite.c1.zones.create({
      payload: { name: `z${tag}.example.test`, brand_id: suite.f.brand1 as never },
    })
    const t = await suite.newTenant()
    const w = await suite.c1.webroots.create({ path: { id: t.id }, payload: { runtime: "php" } })
    const signals = suite.engine.state.signals
    await suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `www.z${tag}.example.test` } })
    // the tenant's sync and the covering zone's; cluster A has no lb shard, so no LB sync
    expect(suite.engine.state.signals - signals).toBe(2)
    const zoneBefore = await suite.rowOf("zones", zone.id)
    // a node joining a cluster with an lb shard wakes that cluster's LB sync
    const region = await suite.admin.regions.create({ payload: { name: `r-${tag}` } })
    const lbCluster = await suite.admin.clusters.create({ path: { id: region.id }, payload: { name: "lb" } })
    const lb = await suite.admin.shards.create({ path: { id: lbCluster.id }, payload: { name: "lb-1", role: "lb" } })
    const before = suite.engine.state.signals
    await suite.admin.nodes.create({
      path: { id: lbCluster.id },
      payload: { hostname: `n1-${tag}`, shard_ids: [lb.id] },
    })
    expect(suite.engine.state.signals - before).toBe(1)
    suite.engine.state.refusing = true
    try {
      const e = await fail(
        suite.c1.fqdns.create({ path: { id: w.id }, payload: { hostname: `shop.z${tag}.example.test` } }),
      )
      expect(e).toBeInstanceOf(Unavailable)
      const [bound] = await suite.query("SELECT status, status_message FROM fqdns WHERE hostname = $1", [
        `shop.z${tag}.example.test`,
      ])
      expect(bound.status).toBe("failed")
      expect(bound.status_message).toMatch(/^could not start workflow: /)
      // the zone was not asked: a refused derived request would have marked it failed
      expect(await suite.rowOf("zones", zone.id)).toEqual(zoneBefore)
      // a node change wakes its cluster's LB sync best effort: the write stands
      const node = await suite.admin.nodes.create({ path: { id: lbCluster.id }, payload: { hostname: `n2-${tag}` } })
      expect(node.hostname).toBe(`n2-${tag}`)
    } finally {
      suite.engine.state.refusing = false
    }
  })
})
