// `@hosting/sdk` as a customer gets it: `npm pack` of core and sdk, installed from the tarballs
// into a throwaway project outside the workspace, and the README's example run against a real
// stack. Proves the published packages work on their own, with no path back into the workspace.
import { execFile } from "node:child_process"
import { existsSync, realpathSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { createClient } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"

const run = promisify(execFile)
const root = realpathSync(fileURLToPath(new URL("../..", import.meta.url)))
// Packing, installing from the registry and running the example on a 2-core machine.
const TIMEOUT = 180_000

// `npx vitest` passes npm_* variables (workspace root, lifecycle state) to its children; the
// customer's npm and node must not see them.
const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_"))),
  ...extra,
})

const npm = (cwd: string, args: Array<string>) =>
  run("npm", args, { cwd, env: cleanEnv(), timeout: TIMEOUT, maxBuffer: 16 * 1024 * 1024 })

/** Packs a workspace package into `dest` and returns the tarball's absolute path. */
const pack = async (pkgDir: string, dest: string): Promise<string> => {
  const { stdout } = await npm(join(root, pkgDir), ["pack", "--json", "--pack-destination", dest])
  const [result] = JSON.parse(stdout) as Array<{ readonly filename: string }>
  return join(dest, result!.filename)
}

/** Whether a path lies inside a directory (after resolving symlinks). */
const isInside = (path: string, dir: string) => {
  const rel = relative(realpathSync(dir), realpathSync(path))
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".."
}

/** The single ```js block of the SDK's README: the example customers copy. */
const readmeExample = async (): Promise<string> => {
  const readme = await readFile(join(root, "packages/sdk/README.md"), "utf8")
  const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
  expect(blocks).toHaveLength(1)
  return blocks[0]!
}

let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let stack: Stack | undefined
const tempDirs: Array<string> = []
let project: string

beforeAll(async () => {
  db = await createTestDatabase(inject("postgresAdminUrl"), "hp_sdk_pack")
  stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
})

beforeAll(async () => {
  const tarballs = await mkdtemp(join(tmpdir(), "hosting-sdk-tgz-"))
  tempDirs.push(tarballs)
  project = await mkdtemp(join(tmpdir(), "hosting-sdk-project-"))
  tempDirs.push(project)
  const core = await pack("packages/core", tarballs)
  const sdk = await pack("packages/sdk", tarballs)
  await writeFile(join(project, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`)
  await npm(project, ["install", "--no-audit", "--no-fund", core, sdk])
}, TIMEOUT)

afterAll(async () => {
  await stack?.stop()
  await db?.drop()
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe("the packed SDK", () => {
  it(
    "installs from its tarball with no path back into the workspace",
    async () => {
      expect(isInside(project, root)).toBe(false)
      for (const name of ["@hosting/sdk", "@hosting/core"]) {
        const manifest = JSON.parse(await readFile(join(project, "node_modules", name, "package.json"), "utf8")) as {
          readonly dependencies?: Record<string, string>
        }
        for (const [dep, spec] of Object.entries(manifest.dependencies ?? {})) {
          expect(spec, `${name} → ${dep}`).not.toMatch(/^(file:|workspace:|link:|\.|\/|~)/)
        }
      }
      expect(existsSync(join(project, "node_modules/@hosting/sdk/README.md"))).toBe(true)
      const modules = join(project, "node_modules")
      const sdkMain = createRequire(join(project, "package.json")).resolve("@hosting/sdk")
      expect(isInside(sdkMain, modules), sdkMain).toBe(true)
      const coreApi = createRequire(sdkMain).resolve("@hosting/core/api")
      expect(isInside(coreApi, modules), coreApi).toBe(true)
    },
    TIMEOUT,
  )

  it(
    "runs the README's reseller example against the platform",
    async () => {
      await writeFile(join(project, "example.mjs"), await readmeExample())
      const result = await run(process.execPath, ["example.mjs"], {
        cwd: project,
        env: cleanEnv({ HOSTING_API_URL: stack!.baseUrl, HOSTING_API_KEY: stack!.apiKey }),
        timeout: 60_000,
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
      )
      expect(result, result.stderr).toMatchObject({ code: 0 })
      expect(result.stdout).toMatch(/^whoami: .+ \(scopes: .+\)$/m)
      const created = /^created brand: ([0-9a-f-]{36}) (Reseller [0-9a-f]{8})$/m.exec(result.stdout)
      expect(created, result.stdout).not.toBeNull()
      const [, id, name] = created!
      expect(result.stdout).toContain(`listed brands: ${name}`)
      expect(result.stdout).toContain(`fetched brand: ${id} ${name}`)
      expect(result.stdout).toMatch(/^handled NotFound \(instanceof NotFound: true\): brand [0-9a-f-]{36} not found$/m)
      // The brand really exists on the server, seen through the workspace's own SDK.
      const client = createClient({ baseUrl: stack!.baseUrl, apiKey: stack!.apiKey })
      const brand = await client.brands.get({ path: { id: id as never } })
      expect(brand.name).toBe(name)
    },
    TIMEOUT,
  )
})
