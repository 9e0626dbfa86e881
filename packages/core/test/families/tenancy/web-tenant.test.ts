import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import {
  linuxUser,
  type NodeLayout,
  PLATFORM_FILE_PREFIX,
  planTenantApps,
  planTenantPools,
  planTenantSites,
  renderAuthorizedKeys,
  TenantSpec,
  tenantPoolPrefix,
  tenantSitePrefix,
} from "../../../src/families/tenancy/plan.js"

const layout: NodeLayout = {
  root: "/var/lib/hosting/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}

// Specs with few webroots and keys keep the property runs fast; every field is still arbitrary.
const Spec = Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 6 && s.ssh_keys.length < 4)
const ports = (spec: TenantSpec) => new Map(spec.webroots.map((w, i) => [w.name, 20_000 + i]))

// What a line of a planned server block may be: one directive per line, no block opened by data.
const SITE_LINE =
  /^(server \{|\}|location [^{};]+ \{|# managed by the hosting platform: t_[a-z0-9]{10}\/web_[a-z0-9]{10} \(edits are overwritten\)|[a-z_]+( [^;{}]*)?;|return 503 "[^"]*";)$/

describe("tenant planners", () => {
  it.prop(
    "a site file per served webroot, all under the tenant's own prefix, one directive per line",
    [Spec],
    ([spec]) => {
      const files = planTenantSites(layout, spec, ports(spec))
      const served = spec.webroots.filter((w) => w.runtime !== "worker" && w.server_names.length > 0)
      expect(files.map((f) => f.file).sort()).toEqual(
        served.map((w) => `${tenantSitePrefix(linuxUser(layout, spec.name))}${w.name}.conf`).sort(),
      )
      expect(planTenantSites(layout, { ...spec, webroots: [...spec.webroots].reverse() }, ports(spec))).toEqual(files)
      for (const f of files) {
        expect(f.file.startsWith(PLATFORM_FILE_PREFIX) && !f.file.includes("/")).toBe(true)
        const lines = f.content.split("\n").filter((l) => l.trim() !== "")
        for (const line of lines) expect(line.trim()).toMatch(SITE_LINE)
        expect(f.content.split("{").length).toBe(f.content.split("}").length)
        // every name is served over plain HTTP exactly once: by the site's block, or by the
        // redirect block of the certified names that redirect to HTTPS
        const httpBlocks = f.content
          .split(/^server \{$/m)
          .filter((b) => b.includes("server_name") && !b.includes(" ssl;"))
        const names = httpBlocks.flatMap((b) => /server_name ([^;]*);/.exec(b)![1]!.split(" "))
        const webroot = served.find((w) => f.file.endsWith(`.${w.name}.conf`))!
        expect(names.sort()).toEqual(webroot.server_names.map((n) => n.replace(/\.$/, "")).sort())
        if (spec.suspended) expect(f.content).toContain("return 503")
        else expect(f.content).not.toContain("return 503")
      }
    },
  )

  it.prop("pools: one per PHP version in use, none while suspended, every line `key = value`", [Spec], ([spec]) => {
    const pools = planTenantPools(layout, spec)
    const versions = new Set(spec.webroots.filter((w) => w.runtime === "php").map((w) => w.runtime_version ?? "8.2"))
    expect(pools).toHaveLength(spec.suspended ? 0 : versions.size)
    for (const p of pools) {
      expect(p.file.startsWith(tenantPoolPrefix(linuxUser(layout, spec.name)))).toBe(true)
      for (const line of p.content.split("\n").filter((l) => l !== "" && !l.startsWith(";")))
        expect(line).toMatch(/^(\[[a-z0-9_.-]+\]|[a-z_.]+(\[[a-z_.]+\])? = [^\n;]+)$/)
    }
  })

  it.prop("authorized_keys: one valid key per line, nothing while suspended", [Spec], ([spec]) => {
    const keys = renderAuthorizedKeys(spec)
    if (spec.suspended || spec.ssh_keys.length === 0) expect(keys).toBe("")
    else expect(keys.trimEnd().split("\n").sort()).toEqual([...spec.ssh_keys].sort())
  })

  it.prop("apps: one per app webroot, numprocs per worker, none while suspended", [Spec], ([spec]) => {
    const apps = planTenantApps(spec)
    const expected = spec.suspended
      ? 0
      : spec.webroots.reduce(
          (n, w) => n + (w.runtime === "worker" ? w.numprocs : ["node", "python", "ruby"].includes(w.runtime) ? 1 : 0),
          0,
        )
    expect(apps).toHaveLength(expected)
    expect(new Set(apps.map((a) => a.id)).size).toBe(apps.length)
  })

  it("refuses hostile values in a spec before anything is planned", () => {
    const valid = Schema.decodeUnknownSync(TenantSpec)({
      name: "t_abcdefghij",
      suspended: false,
      webroots: [
        {
          name: "web_abcdefghij",
          runtime: "node",
          runtime_version: null,
          entrypoint: "server.js",
          numprocs: 1,
          server_names: ["shop.example.test"],
        },
      ],
      ssh_keys: [],
    })
    const w = valid.webroots[0]!
    const hostile: Array<unknown> = [
      { ...valid, name: "t_../../etc" },
      { ...valid, name: "root" },
      { ...valid, webroots: [{ ...w, server_names: ["a.test; return 200"] }] },
      { ...valid, webroots: [{ ...w, server_names: ["a.test\nlisten 80"] }] },
      { ...valid, webroots: [{ ...w, server_names: ["ехample.com"] }] },
      { ...valid, webroots: [{ ...w, entrypoint: "../other/server.js" }] },
      { ...valid, webroots: [{ ...w, entrypoint: "$(id).js" }] },
      { ...valid, webroots: [{ ...w, runtime_version: "8.2; rm" }] },
      { ...valid, ssh_keys: ['command="sh" ssh-ed25519 AAAA'] },
      { ...valid, webroots: [{ ...w, numprocs: 99 }] },
    ]
    for (const h of hostile) expect(Schema.is(TenantSpec)(h), JSON.stringify(h)).toBe(false)
  })
})
