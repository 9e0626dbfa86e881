// hostctl's generated commands: the manifest they are built from matches the contract, says what
// each endpoint needs, and building the command set at start loads neither Effect nor the SDK.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { type CommandSpec, MANIFEST_URL, readManifest } from "../src/command-spec.js"
import { deriveCommandSpecs, renderManifest } from "../src/contract-commands.js"

const derived = deriveCommandSpecs()
const command = (id: string): CommandSpec => {
  const found = derived.find((c) => c.id === id)
  if (found === undefined) throw new Error(`no command ${id}`)
  return found
}

describe("the command manifest", () => {
  it("is what the contract gives (else: npm run build && npm run openapi, and commit hosts/cli/commands.json)", () => {
    expect(readFileSync(MANIFEST_URL, "utf8")).toBe(renderManifest(derived))
    expect(readManifest()).toEqual(derived)
  })

  it("has one command per /api/v1 endpoint, with unique ids", () => {
    const ids = derived.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(["brands:list", "regions:set-runtimes", "shards:converge"]))
    expect(ids.some((id) => id.startsWith("health:"))).toBe(false)
  })

  it("maps query and body fields to flag kinds", () => {
    expect(command("brands:list")).toMatchObject({ list: true, hasId: false, hasBody: false, method: "GET" })
    expect(command("brands:list").query.map((f) => [f.name, f.kind])).toEqual([
      ["limit", "number"],
      ["cursor", "string"],
      ["search", "string"],
      ["sort", "string"],
    ])
    expect(command("brands:update").body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "ns_hostnames", kind: "strings", required: false })]),
    )
    expect(command("regions:set-runtimes")).toMatchObject({ hasId: true, hasBody: true })
    expect(command("regions:set-runtimes").body).toEqual([
      expect.objectContaining({ name: "runtimes", kind: "json", required: true }),
    ])
  })

  it("waits on asynchronous creates with the GET of the same resource", () => {
    expect(command("tenants:create").poller).toEqual({ group: "tenants", name: "get" })
    expect(command("nodes:probe").poller).toEqual({ group: "nodes", name: "getProbe" })
    expect(command("regions:update").poller).toBeUndefined()
    expect(command("brands:get").poller).toBeUndefined()
  })

  it("asks before DELETEs and what the contract marks Destructive", () => {
    const destructive = derived.filter((c) => c.destructive).map((c) => c.id)
    expect(destructive.filter((id) => !id.endsWith(":delete"))).toEqual([
      "brands:set-clusters",
      "regions:set-runtimes",
      "shards:failover",
      "tenants:suspend",
      "tenants:migrate",
      "databases:migrate",
    ])
    expect(derived.filter((c) => c.method === "DELETE").every((c) => c.destructive)).toBe(true)
    expect(command("tenants:unsuspend").destructive).toBe(false)
  })
})

describe("start-up", () => {
  it("builds every command without loading Effect, the contract or the SDK", () => {
    // records every module the built command set resolves (run after `npm run build`)
    const commands = new URL("../dist/commands.js", import.meta.url).href
    const probe = `
      import { registerHooks } from "node:module"
      const seen = []
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r } })
      const { COMMANDS } = await import(${JSON.stringify(commands)})
      console.log(JSON.stringify({ count: Object.keys(COMMANDS).length, seen }))`
    const out = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", probe], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        encoding: "utf8",
      }),
    ) as { count: number; seen: Array<string> }
    expect(out.count).toBe(derived.length + 4)
    expect(out.seen.filter((url) => /\/(effect|@effect|@hosting|yaml)\//.test(url))).toEqual([])
  })
})
