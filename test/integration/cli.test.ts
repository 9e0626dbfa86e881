// hostctl against a real API: generated resource commands, cluster apply (idempotent, with
// convergence), seed from the example file (tenants on a real web node, zones on a real
// PowerDNS), and exit codes for usage, API and provisioning errors.
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { stopDnsServices } from "@hosting/agent"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { postgresDatabase, type TestDatabase } from "../support/databases.js"
import { dig, makeTestDnsNode, type TestDnsNode } from "../support/dns-node.js"
import { hostctl } from "../support/hostctl.js"
import { type Stack, startStack } from "../support/stack.js"
import { httpGet, makeTestWebNode, type TestWebNode } from "../support/web-node.js"

let db: TestDatabase
let stack: Stack
let dir: string
let web: TestWebNode
let dns: TestDnsNode
let env: { HOSTING_API_URL: string; HOSTING_API_KEY: string }

beforeAll(async () => {
  db = await postgresDatabase(inject("postgresAdminUrl"), "hp_cli")
  // the local node is a real web and DNS node (one root, as under npm run dev): seeded tenants,
  // seeded zones and a converge of its web shard need one
  web = await makeTestWebNode()
  dns = await makeTestDnsNode(inject("postgresAdminUrl"))
  stack = await startStack({
    databaseUrl: db.url,
    temporalAddress: inject("temporalAddress"),
    env: {
      ...dns.env,
      ...web.env,
      HOSTING_AGENT_ROLES: "web,dns",
      HOSTING_LOCAL_NODE_ROLES: "web,dns",
      HOSTING_AGENT_TIMEOUT_SECONDS: "20",
    },
  })
  env = { HOSTING_API_URL: stack.baseUrl, HOSTING_API_KEY: stack.apiKey }
  dir = mkdtempSync(join(tmpdir(), "hostctl-"))
})

afterAll(async () => {
  await stack?.stop()
  if (web !== undefined) await stopDnsServices(web.root)
  await web?.cleanup()
  await dns?.cleanup()
  await db?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const json = (r: { stdout: string }) => JSON.parse(r.stdout)

describe("hostctl", () => {
  it("resource commands come from the contract, with tables, --json and --all", async () => {
    const name = `cli-${randomUUID().slice(0, 8)}`
    const created = await hostctl(["regions", "create", "--name", name, "--json"], env)
    expect(created.code, created.stderr).toBe(0)
    const region = json(created)
    expect(region.name).toBe(name)
    const got = await hostctl(["regions", "get", region.id], env)
    expect(got.stdout).toMatch(new RegExp(`name\\s+${name}`))
    for (let i = 0; i < 3; i++) await hostctl(["brands", "create", "--name", `Paged ${name} ${i}`], env)
    const page = await hostctl(["brands", "list", "--search", `paged ${name}`, "--limit", "2", "--json"], env)
    expect(json(page)).toMatchObject({ has_more: true })
    const all = await hostctl(["brands", "list", "--search", `paged ${name}`, "--limit", "2", "--all", "--json"], env)
    expect(json(all).items).toHaveLength(3)
    const table = await hostctl(["brands", "list", "--search", `paged ${name}`], env)
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+CREATED_AT/)
    const body = await hostctl(
      ["regions", "set-runtimes", region.id, "-d", '{"runtimes":[{"runtime":"php","versions":["8.3"]}]}', "--json"],
      env,
    )
    expect(json(body)).toEqual({ runtimes: [{ runtime: "php", versions: ["8.3"] }] })
  })

  it("exit codes: 2 for usage, 3 for API errors, with the API's code and message", async () => {
    const usage = await hostctl(["brands", "get"], env)
    expect(usage.code).toBe(2)
    const missing = await hostctl(["brands", "get", randomUUID()], env)
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/NotFound: brand [0-9a-f-]+ not found/)
    const conflict = await hostctl(["regions", "create", "--name", "dup-x"], env)
    expect(conflict.code).toBe(0)
    const again = await hostctl(["regions", "create", "--name", "dup-x"], env)
    expect(again.code).toBe(3)
    expect(again.stderr).toContain("Conflict: a region named dup-x already exists")
    const invalid = await hostctl(["regions", "create", "--name", "Bad Name!"], env)
    expect(invalid.code).toBe(2)
    const refused = await hostctl(["regions", "delete", randomUUID()], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--yes")
  })

  it("cluster apply creates what the file describes, converges what changed, and changes nothing the second time", async () => {
    const file = join(dir, "cluster.yaml")
    writeFileSync(
      file,
      `regions:
  - name: local
    runtimes:
      - { runtime: php, versions: ["8.2"] }
    clusters:
      - name: local
        lb_addresses: [127.0.0.1, "::1"]
        shards:
          - { name: local-web, role: web }
          - { name: extra-web, role: web }
        nodes:
          - { id: ${stack.nodeId}, hostname: local-node.example.test, shards: [local-web, extra-web, local-dns] }
`,
    )
    const first = await hostctl(["cluster", "apply", "-f", file, "--json"], env)
    expect(first.code, first.stderr).toBe(0)
    const result = json(first)
    expect(result.changes).toEqual(
      expect.arrayContaining([
        "region local: runtimes updated",
        "shard extra-web: created",
        "node local-node.example.test: updated",
      ]),
    )
    expect(result.converged.map((c: { status: string }) => c.status)).toEqual(result.converged.map(() => "active"))
    expect(result.converged.length).toBeGreaterThanOrEqual(1)
    const second = await hostctl(["cluster", "apply", "-f", file, "--json"], env)
    expect(json(second)).toEqual({ changes: [], converged: [] })
    const bad = join(dir, "bad.yaml")
    writeFileSync(bad, "regions:\n  - nmae: typo\n")
    const refused = await hostctl(["cluster", "apply", "-f", bad], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(bad)
  })

  it("seed brings the example file's resources to active, and refuses kinds the platform does not offer", async () => {
    const example = fileURLToPath(new URL("../../infra/examples/seed.yaml", import.meta.url))
    const cluster = fileURLToPath(new URL("../../infra/examples/cluster.yaml", import.meta.url))
    expect((await hostctl(["cluster", "apply", "-f", cluster], env)).code).toBe(0)
    const first = await hostctl(["seed", "-f", example, "--json"], env)
    expect(first.code, first.stderr).toBe(0)
    expect(json(first).resources).toEqual([
      expect.objectContaining({ kind: "brand", name: "Example Hosting", status: "active" }),
      expect.objectContaining({ kind: "tenant", name: "Example Shop", status: "active" }),
      expect.objectContaining({ kind: "zone", name: "shop.example.test", status: "active" }),
    ])
    // the seeded sites are served by the node's nginx (a new webroot has a placeholder page)
    expect((await httpGet(web.httpPort, "www.shop.example.test")).status).toBe(200)
    // and the zone by its PowerDNS: the file's records, and the bound name at the LB address
    expect(dig(dns.dnsPort, "shop.example.test", "MX")).toEqual(["10 mail.shop.example.test."])
    expect(dig(dns.dnsPort, "mail.shop.example.test", "A")).toEqual(["192.0.2.25"])
    expect(dig(dns.dnsPort, "shop.example.test", "TXT")).toEqual(['"v=spf1 mx -all"'])
    expect(dig(dns.dnsPort, "shop.example.test", "A")).toEqual(["127.0.0.1"])
    const again = await hostctl(["seed", "-f", example, "--json"], env)
    expect(json(again).resources.map((r: { id: string }) => r.id)).toEqual(
      json(first).resources.map((r: { id: string }) => r.id),
    )
    // records are known by type, name and data: the second run added none
    const zone = json(first).resources[2].id
    const records = json(await hostctl(["dns-records", "list", zone, "--json"], env)).items as Array<{
      type: string
      name: string
      managed_by: string
    }>
    expect(
      records
        .filter((r) => r.managed_by === "user")
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual(["A mail.shop.example.test", "MX shop.example.test", "TXT shop.example.test"])
    const later = join(dir, "databases.yaml")
    writeFileSync(later, "databases:\n  - name: shop\n")
    const refused = await hostctl(["seed", "-f", later], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("databases cannot be seeded: this platform does not offer databases yet")
  })

  it("converge-shard waits for the outcome; --plan only reports", async () => {
    const shards = json(await hostctl(["shards", "list", (await localCluster()).id, "--json"], env)).items as Array<{
      id: string
      name: string
    }>
    const web = shards.find((s) => s.name === "local-web")!
    const plan = await hostctl(["converge-shard", web.id, "--plan"], env)
    expect(plan.stdout.trim(), plan.stdout + plan.stderr).toBe("no changes")
    const run = await hostctl(["converge-shard", web.id, "--json"], env)
    expect(run.code, run.stderr).toBe(0)
    expect(json(run)).toMatchObject({ id: web.id, status: "active" })
  })
})

const localCluster = async () => {
  const regions = json(await hostctl(["regions", "list", "--search", "local", "--json"], env)).items as Array<{
    id: string
    name: string
  }>
  const local = regions.find((r) => r.name === "local")!
  return (
    json(await hostctl(["clusters", "list", local.id, "--json"], env)).items as Array<{ id: string; name: string }>
  ).find((c) => c.name === "local")!
}
