// Dependency direction (DESIGN.md): core ← sdk, workflows, agent ← hosts; no host imports another
// host; workflow code imports only @temporalio/workflow and types. Checked on the source text.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) ? [path] : []
  })

interface Import {
  readonly file: string
  readonly specifier: string
  readonly typeOnly: boolean
}

const importsOf = (file: string): Array<Import> => {
  const text = readFileSync(file, "utf8")
  const out: Array<Import> = []
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["']([^"']+)["']/gms)) {
    out.push({ file: relative(root, file), specifier: m[3]!, typeOnly: m[2] !== undefined })
  }
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) {
    out.push({ file: relative(root, file), specifier: m[1]!, typeOnly: false })
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) {
    out.push({ file: relative(root, file), specifier: m[1]!, typeOnly: false })
  }
  return out
}

// Workspaces whose code arrives with later work may have no src yet.
const importsIn = (dir: string) => (existsSync(join(root, dir)) ? sourceFiles(join(root, dir)).flatMap(importsOf) : [])
const external = (i: Import) => !i.specifier.startsWith(".")
const show = (is: Array<Import>) => is.map((i) => `${i.file} → ${i.specifier}`)

describe("dependency direction", () => {
  it("core imports only effect, @effect/platform, @effect/sql and itself", () => {
    const bad = importsIn("packages/core/src").filter(
      (i) => external(i) && !/^(effect|@effect\/platform|@effect\/sql|@effect\/experimental)(\/|$)/.test(i.specifier),
    )
    expect(show(bad)).toEqual([])
  })

  it("sdk imports only core's contract entry point and Effect", () => {
    const bad = importsIn("packages/sdk/src").filter(
      (i) =>
        external(i) && !/^(effect|@effect\/platform)(\/|$)/.test(i.specifier) && i.specifier !== "@hosting/core/api",
    )
    expect(show(bad)).toEqual([])
  })

  it("libraries never import a host", () => {
    const bad = [
      "packages/core/src",
      "packages/sdk/src",
      "packages/adapters/src",
      "packages/workflows/src",
      "packages/agent/src",
    ]
      .flatMap(importsIn)
      .filter((i) => /^@hosting\/(api|cli|mcp|ui|dev)(\/|$)/.test(i.specifier))
    expect(show(bad)).toEqual([])
  })

  it("no host imports another host (the launcher starts them by path)", () => {
    const hosts = ["api", "cli", "mcp", "ui", "dev"]
    const bad = hosts.flatMap((h) =>
      importsIn(`hosts/${h}/src`).filter((i) => {
        const m = /^@hosting\/(api|cli|mcp|ui|dev)(\/|$)/.exec(i.specifier)
        return m !== null && m[1] !== h
      }),
    )
    expect(show(bad)).toEqual([])
  })

  it("the API host imports neither the worker's nor the agent's package", () => {
    const bad = importsIn("hosts/api/src").filter((i) => /^@hosting\/(workflows|agent)(\/|$)/.test(i.specifier))
    expect(show(bad)).toEqual([])
  })

  it("workflows and agent do not import each other", () => {
    const bad = [
      ...importsIn("packages/workflows/src").filter((i) => i.specifier.startsWith("@hosting/agent")),
      ...importsIn("packages/agent/src").filter((i) => i.specifier.startsWith("@hosting/workflows")),
    ]
    expect(show(bad)).toEqual([])
  })

  it("the agent imports core only through its node-only entry", () => {
    const bad = importsIn("packages/agent/src").filter(
      (i) => i.specifier.startsWith("@hosting/core") && i.specifier !== "@hosting/core/node",
    )
    expect(show(bad)).toEqual([])
  })

  it("core's node entry loads no contract, repository or service", () => {
    // every module the entry loads at run time (type-only imports load nothing)
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const i of importsOf(file))
        if (!i.typeOnly && i.specifier.startsWith("."))
          visit(resolve(dirname(file), i.specifier.replace(/\.js$/, ".ts")))
    }
    visit(join(root, "packages/core/src/node.ts"))
    const loaded = [...seen].map((f) => relative(join(root, "packages/core/src"), f))
    expect(loaded.filter((f) => /^(api|services|sql|activities)\//.test(f))).toEqual([])
    // a family's contract, services, states, sync starter, repositories and registration stay out
    expect(
      loaded.filter((f) => /^families\/[^/]+\/(contract|service|states|sync|repo|index)[^/]*\.ts$/.test(f)),
    ).toEqual([])
    expect(loaded).toContain("families/tenancy/plan.ts")
    expect(loaded).toContain("managers/nginx.ts")
  })

  it("workflow code imports only @temporalio/workflow values and types", () => {
    const bad = importsIn("packages/workflows/src/workflows").filter(
      (i) => external(i) && !i.typeOnly && i.specifier !== "@temporalio/workflow",
    )
    expect(show(bad)).toEqual([])
  })

  it("the checker sees imports at all", () => {
    expect(importsIn("packages/workflows/src/workflows").some((i) => i.specifier === "@temporalio/workflow")).toBe(true)
    expect(importsIn("packages/core/src").some((i) => i.specifier === "effect")).toBe(true)
  })
})
