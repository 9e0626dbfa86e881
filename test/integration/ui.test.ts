// The admin UI in a real browser: Debian's Chromium driven by playwright-core against the built
// SPA and its server (hosts/ui/src/server.mjs), which proxies to a real API stack.
import { spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import type { Server } from "node:http"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { freePort } from "@hosting/api/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const uiDir = join(root, "hosts", "ui")
const screenshots = join(root, "docs", "screenshots")
const axeSource = (createRequire(import.meta.url)("axe-core") as { source: string }).source

// axe-core runs inside the page; the expression is a string so this file needs no DOM types.
const seriousViolations = async (page: Page) => {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.addScriptTag({ content: axeSource })
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')) })))",
  )) as Array<{ id: string; impact: string | null; nodes: Array<string> }>
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical")
}

describe("admin UI", () => {
  let db: { url: string; drop(): Promise<void> }
  let stack: Stack
  let admin: PromiseClient
  let server: Server
  let context: BrowserContext
  let page: Page
  let profile: string
  let uiUrl: string

  beforeAll(async () => {
    if (!existsSync(join(uiDir, "dist", "index.html"))) {
      const build = spawnSync("npx", ["vite", "build"], { cwd: uiDir, encoding: "utf8" })
      if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`)
    }
    db = await createTestDatabase(inject("postgresAdminUrl"), "hp_ui")
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      // short, so a shard with a dead node fails within the test
      env: { HOSTING_AGENT_TIMEOUT_SECONDS: "3" },
    })
    admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
    const { startUiServer } = await import(pathToFileURL(join(uiDir, "src", "server.mjs")).href)
    const port = await freePort()
    server = await startUiServer({ port, apiUrl: stack.baseUrl })
    uiUrl = `http://127.0.0.1:${port}/`
    profile = mkdtempSync(join(tmpdir(), "hosting-chromium-"))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env["HOSTING_CHROMIUM"] ?? "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.setDefaultTimeout(15_000)
    mkdirSync(screenshots, { recursive: true })
  })

  afterAll(async () => {
    await context?.close()
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true })
    await new Promise((r) => (server ? server.close(r) : r(undefined)))
    await stack?.stop()
    await db?.drop()
  })

  const signIn = async (key: string) => {
    await page.goto(uiUrl)
    await page.getByLabel("API key").fill(key)
    await page.getByRole("button", { name: "Sign in" }).click()
  }
  const signOut = () => page.getByRole("button", { name: "Log out" }).click()
  const alert = () => page.getByRole("alert")

  it("refuses a bad key, then signs in and shows the dashboard", async () => {
    await signIn("hpk_not_a_real_key")
    await expect.poll(() => alert().textContent()).toMatch(/Not signed in/)
    expect(await seriousViolations(page)).toEqual([])
    await page.getByLabel("API key").fill(stack.apiKey)
    await page.keyboard.press("Enter") // the form works from the keyboard
    await page.getByRole("heading", { name: "Dashboard" }).waitFor()
    await page.getByRole("link", { name: "Brands" }).first().waitFor()
    expect(await page.evaluate("localStorage.getItem('hosting.apiKey')")).toBe(stack.apiKey)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "dashboard.png"), fullPage: true })
  })

  it("creates a brand through the form and finds it in the list", async () => {
    const name = `Acme ${randomUUID().slice(0, 8)}`
    await page.goto(`${uiUrl}#/brands/new`)
    await page.getByLabel(/^Name( \*)?$/).fill(name)
    await page.getByLabel("Name servers").fill("ns1.acme.test, ns2.acme.test")
    await page.getByLabel("Hostmaster e-mail").fill("hostmaster@acme.test")
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "brand-create.png"), fullPage: true })
    await page.getByRole("button", { name: "Create" }).click()
    await page.getByRole("heading", { name: new RegExp(name) }).waitFor()
    await page.getByText("ns1.acme.test, ns2.acme.test").waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "brand-detail.png"), fullPage: true })

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Brands" }).click()
    await page.getByRole("link", { name }).waitFor()
    await page.getByLabel("Search brands").fill(name)
    await page.getByRole("link", { name }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByLabel("Search brands").fill("")
    await page.getByRole("link", { name }).waitFor()
    await page.screenshot({ path: join(screenshots, "brands-list.png"), fullPage: true })
  })

  it("shows validation errors: the API's, and the SDK's own encoding check", async () => {
    // the API refuses a primary node that is not in the shard (422 invalid_input)
    const region = await admin.regions.create({ payload: { name: `r-${randomUUID().slice(0, 8)}` } })
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c1" } })
    await page.goto(`${uiUrl}#/clusters/${cluster.id}/shards/new`)
    await page.getByLabel(/^Name( \*)?$/).fill("web-1")
    await page.getByLabel(/^Role/).selectOption("database")
    await page.getByLabel("Config (JSON)").fill(`{"primary_node_id": "${randomUUID()}"}`)
    await page.getByRole("button", { name: "Create" }).click()
    await expect.poll(() => alert().textContent()).toMatch(/Invalid input.*primary/s)

    // a duplicate name is the API's 409
    const taken = await admin.brands.create({ payload: { name: `Taken ${randomUUID().slice(0, 8)}` } })
    await page.goto(`${uiUrl}#/brands/new`)
    await page.getByLabel(/^Name( \*)?$/).fill(taken.name)
    await page.getByRole("button", { name: "Create" }).click()
    await expect.poll(() => alert().textContent()).toMatch(/Conflict/)

    // a malformed e-mail never leaves the browser: the SDK's Schema encoding refuses it
    await page.getByLabel(/^Name( \*)?$/).fill(`Other ${randomUUID().slice(0, 8)}`)
    await page.getByLabel("Hostmaster e-mail").fill("not-an-email")
    await page.getByRole("button", { name: "Create" }).click()
    await expect.poll(() => alert().textContent()).toMatch(/Invalid value.*hostmaster/s)
  })

  it("audit log lists the mutations with expandable bodies", async () => {
    await page.goto(`${uiUrl}#/audit-logs`)
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor()
    await page.getByLabel("Action").fill("brands.create")
    await page.getByRole("cell", { name: "brands.create" }).first().waitFor()
    await page.getByText("Show body").first().click()
    await page
      .getByText(/"name":/)
      .first()
      .waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "audit-log.png"), fullPage: true })
  })

  it("works from the keyboard alone: navigate, open the form, create a brand", async () => {
    /** Presses Tab until the focused element's text or label matches (bounded). */
    const tabTo = async (pattern: RegExp) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab")
        // evaluated in the page (a string: this file is type-checked without DOM types)
        const focused = String(
          await page.evaluate(`(() => {
            const el = document.activeElement
            if (el === null) return ""
            const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : undefined
            return ((label ?? "") + " " + (el.getAttribute("aria-label") ?? "") + " " + (el.textContent ?? "")).trim()
          })()`),
        )
        if (pattern.test(focused)) return
      }
      throw new Error(`Tab never reached ${pattern}`)
    }
    await page.goto(uiUrl)
    await page.getByRole("heading", { name: "Dashboard" }).waitFor()
    await tabTo(/^Brands$/)
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { name: "Brands" }).first().waitFor()
    await tabTo(/New brand/)
    await page.keyboard.press("Enter")
    await tabTo(/^Name/)
    const name = `Keyboard ${randomUUID().slice(0, 8)}`
    await page.keyboard.type(name)
    await page.keyboard.press("Enter") // submits the form
    await page.getByRole("heading", { name: new RegExp(name) }).waitFor()
  })

  it("shows a failed resource on the dashboard with its message, and retries it", async () => {
    const region = await admin.regions.create({ payload: { name: `ui-${randomUUID().slice(0, 8)}` } })
    const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
    const shard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "flaky", role: "web" } })
    const ghost = await admin.nodes.create({
      path: { id: cluster.id },
      payload: { hostname: "ghost.example.test", shard_ids: [shard.id] },
    })
    await admin.shards.converge({ path: { id: shard.id }, payload: {} })
    await expect
      .poll(async () => (await admin.shards.get({ path: { id: shard.id } })).status, { timeout: 30_000 })
      .toBe("failed")
    await page.goto(uiUrl)
    const failures = page.getByRole("region", { name: "Recent failures" })
    await failures.getByRole("link", { name: /flaky/ }).click()
    await page.getByText(`node ${ghost.id}`, { exact: false }).first().waitFor()
    // give the node an agent, then retry from the page: the shard converges
    const agent = stack.startAgent(ghost.id)
    await waitForAgent(admin, ghost.id)
    await page.getByRole("button", { name: "Retry" }).click()
    await expect
      .poll(async () => (await admin.shards.get({ path: { id: shard.id } })).status, { timeout: 30_000 })
      .toBe("active")
    await agent.stop()
  })

  it("a key without write scope sees the create refused with a clear message", async () => {
    const readOnly = await admin.apiKeys.create({
      payload: { name: `read-only ${randomUUID().slice(0, 8)}`, scopes: ["brands:read"], brands: ["*"] },
    })
    await signOut()
    await signIn(readOnly.key)
    await page.getByRole("heading", { name: "Dashboard" }).waitFor()
    await page.goto(`${uiUrl}#/brands/new`)
    await page.getByLabel(/^Name( \*)?$/).fill(`Nope ${randomUUID().slice(0, 8)}`)
    await page.getByRole("button", { name: "Create" }).click()
    await expect.poll(() => alert().textContent()).toMatch(/Not allowed.*lacks the scope brands:write/s)
    await signOut()
  })
})
