// The README's settings table is the one list of what can be configured: every HOSTING_*
// variable a process reads is in it, and nothing in it is read by no process.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
// a name, not a family mentioned in prose (`HOSTING_PDNS_*`)
const NAME = /HOSTING_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*\*)/g

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return entry === "node_modules" || entry === "dist" ? [] : sourceFiles(path)
    return /\.(ts|tsx|mjs|js)$/.test(entry) && !entry.endsWith(".d.ts") ? [path] : []
  })

const readByCode = (): Set<string> => {
  const dirs = ["packages", "hosts"].flatMap((top) =>
    readdirSync(join(root, top)).map((pkg) => join(root, top, pkg, "src")),
  )
  const names = new Set<string>()
  for (const dir of dirs.filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory())) {
    for (const file of sourceFiles(dir)) for (const m of readFileSync(file, "utf8").matchAll(NAME)) names.add(m[0])
  }
  return names
}

const documented = (): Set<string> => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Settings"), readme.indexOf("## Layout"))
  const rows = section.split("\n").filter((l) => l.startsWith("| `HOSTING_"))
  return new Set(rows.flatMap((row) => [...(row.split(" | ")[0] ?? "").matchAll(NAME)].map((m) => m[0])))
}

describe("the README's settings table", () => {
  it("lists every HOSTING_* variable the code reads", () => {
    const missing = [...readByCode()].filter((n) => !documented().has(n)).sort()
    expect(missing).toEqual([])
  })

  it("lists nothing the code does not read", () => {
    const code = readByCode()
    expect([...documented()].filter((n) => !code.has(n)).sort()).toEqual([])
  })
})
