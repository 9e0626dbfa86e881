// `npm run dev` as a user runs it: a fresh directory, no settings, the private PostgreSQL cluster
// and the Temporal dev server started by the launcher; then Ctrl-C, and a second start on the same
// data. Its ports and roots are the test's own (support/dev-box.ts).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { portOpen, waitFor } from "@hosting/dev"
import { createClient, type DnsRecord, type PromiseClient, type Zone } from "@hosting/sdk"
import { afterAll, describe, expect, it } from "vitest"
import { alive, type DevBox, makeDevBox } from "../support/dev-box.js"
import { dig } from "../support/dns-node.js"
import { eventually, httpGet, settled } from "../support/web-node.js"

let box: DevBox | undefined

const probeLocalNode = async (client: PromiseClient, nodeId: string) => {
  const probe = await client.nodes.probe({ path: { id: nodeId as never } })
  return eventually(
    "the probe to finish",
    () => client.nodes.getProbe({ path: { id: probe.id } }),
    (p) => p.status === "active" || p.status === "failed",
    10_000,
  )
}

/** The user id a process runs as. */
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1])

afterAll(async () => {
  await box?.cleanup()
})

describe("npm run dev", () => {
  it("starts the whole platform with nothing configured, and Ctrl-C stops all of it", async () => {
    box = await makeDevBox()
    const { proc, output, seconds } = await box.start()
    console.log(`dev stack ready in ${seconds.toFixed(1)} s (cold: initdb, migrations)`)

    const apiKey = box.apiKey()
    expect(output()).toContain(apiKey)
    const nodeId = readFileSync(join(box.dataDir, "node-id"), "utf8").trim()
    const client = createClient({ baseUrl: box.baseUrl, apiKey })
    const ready = await (await fetch(`${box.baseUrl}/readyz`)).json()
    expect(ready).toMatchObject({ ready: true, checks: { database: { ok: true }, temporal: { ok: true } } })
    expect((await probeLocalNode(client, nodeId)).status).toBe("active")
    // the database is the box's own PostgreSQL, run as the postgres user on its private port
    const postgres = box.pid("postgres")
    expect(uidOf(postgres)).not.toBe(0)
    expect(await portOpen("127.0.0.1", box.ports.postgres)).toBe(true)
    // the admin UI is served, and reaches the API through its proxy
    const ui = await fetch(`http://127.0.0.1:${box.ports.ui}/`)
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('<div id="root">')
    expect((await fetch(`http://127.0.0.1:${box.ports.ui}/readyz`)).status).toBe(200)

    // a name bound on the box is served through its own HAProxy, as an LB node would route it
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const shards = await client.shards.list({ path: { id: cluster.id }, urlParams: {} })
    expect(shards.items.map((s) => s.role).sort()).toEqual(["database", "dns", "email", "lb", "web"])
    const brand = await client.brands.create({
      payload: { name: `dev box ${Date.now()}`, ns_hostnames: ["ns1.devbox.example", "ns2.devbox.example"] },
    })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: "devbox.example.test" } })
    const viaLb = await eventually(
      "the name served through HAProxy",
      () => httpGet(box!.ports.lbHttp, "devbox.example.test"),
      (r) => r.status === 200,
      60_000,
    )
    expect(viaLb.body).toContain("This site is ready")

    // the box answers DNS: a zone and a record made through the API resolve on its PowerDNS
    const zone: Zone = await client.zones.create({ payload: { name: "devbox-zone.test", brand_id: brand.id } })
    const record: DnsRecord = await client.dnsRecords.create({
      path: { id: zone.id },
      payload: { type: "A", name: "www", address: "192.0.2.7" },
    } as Parameters<PromiseClient["dnsRecords"]["create"]>[0])
    await settled("zone", () => client.zones.get({ path: { id: zone.id } }))
    await settled("record", () => client.dnsRecords.get({ path: { id: record.id } }))
    await eventually(
      "dig to answer the record",
      async () => dig(box!.ports.dns, "www.devbox-zone.test", "A"),
      (a) => a.join() === "192.0.2.7",
    )
    expect(dig(box.ports.dns, "devbox-zone.test", "NS")).toEqual(["ns1.devbox.example.", "ns2.devbox.example."])

    const haproxy = Number.parseInt(readFileSync(join(box.lbRoot, "haproxy.pid"), "utf8"), 10)
    const pdns = Number.parseInt(readFileSync(join(box.nodeRoot, "pdns", "pdns_server.pid"), "utf8"), 10)
    await client.tenants.delete({ path: { id: tenant.id } })
    await eventually(
      "the tenant gone",
      () =>
        client.tenants.get({ path: { id: tenant.id } }).then(
          () => "present",
          () => "gone",
        ),
      (s) => s === "gone",
      60_000,
    )

    const pids = [...["api", "cp-worker", "agent", "ui", "temporal"].map((n) => box!.pid(n)), postgres, haproxy, pdns]
    proc.child.kill("SIGINT")
    expect(await proc.exited).toBe(0)
    await waitFor("every process of the stack to end", async () => pids.every((p) => !alive(p)), 30_000)
    expect(await portOpen("127.0.0.1", box.ports.postgres)).toBe(false)
    expect(await portOpen("127.0.0.1", box.ports.dns)).toBe(false)
    for (const name of ["api", "postgres", "dev"])
      expect(() => box!.pid(name), `run/${name}.pid after Ctrl-C`).toThrow()

    // second start: same key (not printed again), same node, data kept (the zone is still served)
    const again = await box.start()
    console.log(`dev stack ready in ${again.seconds.toFixed(1)} s (warm)`)
    expect(again.output()).not.toContain("generated a platform-admin API key")
    expect(readFileSync(join(box.dataDir, "node-id"), "utf8").trim()).toBe(nodeId)
    expect((await probeLocalNode(client, nodeId)).status).toBe("active")
    expect((await client.zones.get({ path: { id: zone.id } })).status).toBe("active")
    await eventually(
      "dig to answer after the restart",
      async () => dig(box!.ports.dns, "www.devbox-zone.test", "A"),
      (a) => a.join() === "192.0.2.7",
    )
    const postgresAgain = box.pid("postgres")
    again.proc.child.kill("SIGINT")
    expect(await again.proc.exited).toBe(0)
    await waitFor("PostgreSQL to stop", async () => !alive(postgresAgain), 30_000)
  })
})
