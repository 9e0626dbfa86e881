import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { PLATFORM_FILE_PREFIX, planStaticSites, renderStaticSite, StaticSite } from "../src/domain/web.js"

const listen = { host: "127.0.0.1", port: 8000 }
const site = (over: Record<string, unknown>) => ({
  name: "web_abcdefghij",
  server_names: ["shop.example.test"],
  root: "/srv/t_abc/www",
  ...over,
})

describe("static site planner", () => {
  it.prop(
    "renders every valid site as one server block with its names and quoted root",
    [Arbitrary.make(StaticSite)],
    ([s]) => {
      const block = renderStaticSite(s, listen)
      expect(block.match(/server \{/g)).toHaveLength(1)
      expect(block).toContain(`server_name ${s.server_names.map((n) => n.replace(/\.$/, "")).join(" ")};`)
      expect(block).toContain(`root "${s.root}";`)
      // one directive per line: nothing in a site can open a block or end a statement early
      for (const line of block.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"))) {
        expect(line.trim()).toMatch(/^(server \{|\}|location \/ \{|[a-z_]+ [^;{}]*;)$/)
      }
    },
  )

  it.prop("plans platform-owned files, deterministically", [Arbitrary.make(Schema.Array(StaticSite))], ([sites]) => {
    const plan = planStaticSites(sites, listen)
    expect(plan).toEqual(planStaticSites([...sites].reverse(), listen))
    for (const f of plan) expect(f.file.startsWith(PLATFORM_FILE_PREFIX) && !f.file.includes("/")).toBe(true)
  })

  it("refuses directive injection, traversal and confusables before they reach a file", () => {
    const hostile = [
      site({ server_names: ["example.com; return 200"] }),
      site({ server_names: ["example.com\nlisten 80"] }),
      site({ server_names: ["$host"] }),
      site({ server_names: ['"x"'] }),
      site({ server_names: ["ехample.com"] }),
      site({ root: "/srv/../etc" }),
      site({ root: "/srv/t x/www" }),
      site({ root: "relative/path" }),
      site({ root: '/srv/"; }' }),
      site({ name: "web_../../x" }),
    ]
    for (const s of hostile) expect(Schema.is(StaticSite)(s), JSON.stringify(s)).toBe(false)
    expect(Schema.is(StaticSite)(site({}))).toBe(true)
  })
})
