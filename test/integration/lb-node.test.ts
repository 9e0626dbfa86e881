// The LB role against a real HAProxy, driven through LbNode exactly as the agent's ensureLb
// activity drives it: two web shards (small HTTP servers standing for their web nodes) behind
// one HAProxy; names routed, unbound and healed through the runtime API without a reload.
import { readFileSync } from "node:fs"
import type { Server } from "node:http"
import { join } from "node:path"
import { haproxyCli, haproxyInfo, LbNode, lbNodeConfigFromEnv, stopLbServices } from "@hosting/agent"
import { type LbSpec, lbBackendName, lbServerName } from "@hosting/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeTestLbNode, startNamedServer, type TestLbNode } from "../support/lb-node.js"
import { httpGet } from "../support/web-node.js"

const SHARD_A = "0a000000-0000-4000-8000-000000000001"
const SHARD_B = "0b000000-0000-4000-8000-000000000002"
const node = (n: number) => `1e000000-0000-4000-8000-00000000000${n}`

let lbNode: TestLbNode
let lb: LbNode
const servers: Array<Server> = []
let backendA: LbSpec["backends"][number]
let backendB: LbSpec["backends"][number]

const get = (host: string) => httpGet(lbNode.httpPort, host)
const spec = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): LbSpec => ({
  backends: [
    { ...backendA, hosts: a },
    { ...backendB, hosts: b },
  ],
})
const cli = (command: string) => haproxyCli(join(lbNode.root, "admin.sock"), command)

beforeAll(async () => {
  lbNode = await makeTestLbNode()
  // shard A has two web nodes, shard B one
  const a1 = await startNamedServer("A1")
  const a2 = await startNamedServer("A2")
  const b1 = await startNamedServer("B1")
  servers.push(a1.server, a2.server, b1.server)
  const server = (n: number, port: number) => ({ name: lbServerName(node(n)), address: "127.0.0.1", port })
  backendA = { name: lbBackendName(SHARD_A), servers: [server(1, a1.port), server(2, a2.port)], hosts: [] }
  backendB = { name: lbBackendName(SHARD_B), servers: [server(3, b1.port)], hosts: [] }
  lb = new LbNode(lbNodeConfigFromEnv(lbNode.env))
  await lb.start()
})

afterAll(async () => {
  await lbNode?.cleanup()
  for (const s of servers) s.close()
})

describe("an LB node", () => {
  it("routes each name to its shard, answers 404 for unknown names, and binds/unbinds without a reload", async () => {
    const first = await lb.apply(spec(["one.test", "two.test"], ["three.test"]), false)
    // the first spec brings the two backends: the one reload
    expect(first.reloads.haproxy).toBe(1)
    expect((await get("one.test")).body).toMatch(/^A[12] one\.test$/)
    expect((await get("three.test")).body).toBe("B1 three.test")
    // the Host header is matched lower-cased and without its port
    expect((await get("ONE.Test:8080")).body).toMatch(/^A[12] ONE\.Test:8080$/)
    const unknown = await get("nobody.test")
    expect(unknown.status).toBe(404)

    const before = await haproxyInfo(lbNode.root)
    const bind = await lb.apply(spec(["one.test"], ["three.test", "four.test"]), false)
    expect(bind.reloads.haproxy).toBe(0)
    expect(bind.changes).toEqual(
      expect.arrayContaining([
        { action: "create", kind: "lb_route", target: "four.test", detail: backendB.name },
        { action: "delete", kind: "lb_route", target: "two.test" },
        expect.objectContaining({ kind: "lb_map_file" }),
      ]),
    )
    expect((await get("four.test")).body).toBe("B1 four.test")
    expect((await get("two.test")).status).toBe(404)
    // moving a name between shards is a `set map`, also without a reload
    const moved = await lb.apply(spec(["one.test", "four.test"], ["three.test"]), false)
    expect(moved.changes).toContainEqual({
      action: "update",
      kind: "lb_route",
      target: "four.test",
      detail: backendA.name,
    })
    expect((await get("four.test")).body).toMatch(/^A[12] four\.test$/)
    const after = await haproxyInfo(lbNode.root)
    expect(after.pid).toBe(before.pid)
    expect(after.startTime).toBe(before.startTime)
    // the map file follows, so a restart keeps the routes
    expect(readFileSync(join(lbNode.root, "hosts.map"), "utf8")).toBe(
      `four.test ${backendA.name}\none.test ${backendA.name}\nthree.test ${backendB.name}\n`,
    )
    // the same spec again changes nothing
    expect(await lb.apply(spec(["one.test", "four.test"], ["three.test"]), false)).toEqual({
      changes: [],
      reloads: { haproxy: 0 },
    })
  })

  it("hashes a host consistently onto one web node of its shard", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `h${i}.hash.test`)
    await lb.apply(spec(names, []), false)
    const servedBy = new Map<string, Set<string>>()
    for (const n of names)
      for (let i = 0; i < 4; i++) {
        const who = (await get(n)).body.split(" ")[0]!
        servedBy.set(n, (servedBy.get(n) ?? new Set()).add(who))
      }
    for (const [, who] of servedBy) expect(who.size).toBe(1)
    // and the names spread over both nodes
    expect(new Set([...servedBy.values()].flatMap((s) => [...s])).size).toBe(2)
  })

  it("converge: the plan shows stale and duplicated entries without touching them; applying removes them", async () => {
    const desired = spec(["one.test"], ["three.test"])
    await lb.apply(desired, false)
    await cli(`add map ${join(lbNode.root, "hosts.map")} stale.test ${backendB.name}`)
    await cli(`add map ${join(lbNode.root, "hosts.map")} one.test ${backendB.name}`)
    expect((await get("stale.test")).body).toBe("B1 stale.test")

    const plan = await lb.apply(desired, true)
    expect(plan.reloads.haproxy).toBe(0)
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        { action: "delete", kind: "lb_route", target: "stale.test" },
        { action: "delete", kind: "lb_route", target: "one.test" },
      ]),
    )
    expect((await get("stale.test")).body).toBe("B1 stale.test")

    const before = await haproxyInfo(lbNode.root)
    const healed = await lb.apply(desired, false)
    expect(healed.reloads.haproxy).toBe(0)
    expect((await get("stale.test")).status).toBe(404)
    expect([...(await lb.routes())].sort()).toEqual([
      ["one.test", backendA.name],
      ["three.test", backendB.name],
    ])
    expect((await haproxyInfo(lbNode.root)).pid).toBe(before.pid)
    expect((await lb.apply(desired, true)).changes).toEqual([])
  })

  it("replaces a large map atomically through the runtime API, still without a reload", async () => {
    const before = await haproxyInfo(lbNode.root)
    const many = Array.from({ length: 3000 }, (_, i) => `n${i}.bulk.test`)
    const report = await lb.apply(spec(many, ["three.test"]), false)
    expect(report.reloads.haproxy).toBe(0)
    expect((await lb.routes()).length).toBe(3001)
    expect((await get("n2999.bulk.test")).body).toMatch(/^A[12] n2999\.bulk\.test$/)
    expect((await haproxyInfo(lbNode.root)).pid).toBe(before.pid)
    // the report lists the first thousand route changes and sums up the rest
    expect(report.changes.filter((c) => c.kind === "lb_route")).toHaveLength(1000)
    expect(report.changes).toContainEqual(expect.objectContaining({ kind: "lb_routes" }))
  })

  it("reloads once for a new backend, and a restarted agent or HAProxy keeps every route", async () => {
    const c = await startNamedServer("C1")
    servers.push(c.server)
    const shardC = "0c000000-0000-4000-8000-000000000003"
    const backendC = {
      name: lbBackendName(shardC),
      servers: [{ name: lbServerName(node(4)), address: "127.0.0.1", port: c.port }],
      hosts: ["five.test"],
    }
    const withC: LbSpec = { backends: [...spec(["one.test"], ["three.test"]).backends, backendC] }
    const before = await haproxyInfo(lbNode.root)
    const report = await lb.apply(withC, false)
    expect(report.reloads.haproxy).toBe(1)
    expect(report.changes).toContainEqual(expect.objectContaining({ kind: "haproxy_config" }))
    expect((await haproxyInfo(lbNode.root)).pid).not.toBe(before.pid)
    expect((await get("five.test")).body).toBe("C1 five.test")
    expect((await get("one.test")).body).toMatch(/^A[12] one\.test$/)

    // the agent restarts: the running HAProxy is adopted, not restarted
    const running = await haproxyInfo(lbNode.root)
    const again = new LbNode(lbNodeConfigFromEnv(lbNode.env))
    await again.start()
    expect((await haproxyInfo(lbNode.root)).pid).toBe(running.pid)
    expect(await again.apply(withC, true)).toEqual({ changes: [], reloads: { haproxy: 0 } })

    // HAProxy itself stops (machine reboot): started again from its files, routes intact
    await stopLbServices(lbNode.root)
    const rebooted = new LbNode(lbNodeConfigFromEnv(lbNode.env))
    await rebooted.start()
    expect((await haproxyInfo(lbNode.root)).pid).not.toBe(running.pid)
    expect((await get("five.test")).body).toBe("C1 five.test")
    expect((await get("three.test")).body).toBe("B1 three.test")
    expect(await rebooted.apply(withC, true)).toEqual({ changes: [], reloads: { haproxy: 0 } })
    lb = rebooted
  })
})
