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
import { freePort } from "@hosting/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import pg from "pg"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitForAgent } from "../support/agents.js"
import { createTestDatabase } from "../support/postgres.js"
import { type Stack, startStack } from "../support/stack.js"
import { makeTestWebNode, type TestWebNode } from "../support/web-node.js"

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
  let node: TestWebNode
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
    // the stack's agent is a real web node (nginx, PHP-FPM, sshd under its own root)
    node = await makeTestWebNode()
    stack = await startStack({
      databaseUrl: db.url,
      temporalAddress: inject("temporalAddress"),
      // short, so a shard with a dead node fails within the test; long enough for the web node
      // to set up a tenant with a PHP webroot on a busy machine
      env: { ...node.env, HOSTING_AGENT_TIMEOUT_SECONDS: "15" },
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
    await node?.cleanup()
    await db?.drop()
  })

  const signIn = async (key: string) => {
    await page.goto(uiUrl)
    await page.getByLabel("API key").fill(key)
    await page.getByRole("button", { name: "Sign in" }).click()
  }
  const signOut = () => page.getByRole("button", { name: "Log out" }).click()
  const alert = () => page.getByRole("alert")

  /** Presses Tab until the focused element's text or label matches (bounded). */
  const tabTo = async (pattern: RegExp) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab")
      if (pattern.test(await focusedText())) return
    }
    throw new Error(`Tab never reached ${pattern}`)
  }
  // evaluated in the page (a string: this file is type-checked without DOM types)
  const focusedText = async () =>
    String(
      await page.evaluate(`(() => {
        const el = document.activeElement
        if (el === null) return ""
        const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : undefined
        return ((label ?? "") + " " + (el.getAttribute("aria-label") ?? "") + " " + (el.textContent ?? "")).trim()
      })()`),
    )
  /** The local cluster (region `local`): its web shard's node is the stack's web agent. */
  const localCluster = async () => {
    const region = (await admin.regions.list({ urlParams: { search: "local" } })).items.find((r) => r.name === "local")!
    return (await admin.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  }
  /** A brand that may place tenants on the local cluster. */
  const webBrand = async () => {
    // no space in the name: a focused select picks an option by typing its start
    const brand = await admin.brands.create({ payload: { name: `Web-${randomUUID().slice(0, 8)}` } })
    const cluster = await localCluster()
    await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
    return brand
  }

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
    // a role whose converge only asks the nodes to answer (web, lb and dns converges push their
    // resources to the node's role, and this node's agent serves none)
    const shard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "flaky", role: "database" } })
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
    // a database shard's replication, as the real API answers it for its one node
    await page.getByRole("link", { name: "Replication" }).click()
    await page.getByText("This shard has one node: nothing replicates until it has another.").waitFor()
    // give the node an agent (serving no role: the stack's web node owns this machine's web
    // ports), then retry from the page: the shard converges
    const agent = stack.startAgent(ghost.id, { HOSTING_AGENT_ROLES: "none" })
    await waitForAgent(admin, ghost.id)
    await page.getByRole("button", { name: "Retry" }).click()
    await expect
      .poll(async () => (await admin.shards.get({ path: { id: shard.id } })).status, { timeout: 30_000 })
      .toBe("active")
    await agent.stop()
  })

  it("creates a tenant with a PHP webroot and an FQDN in one form, from the keyboard, and watches them become active", async () => {
    const brand = await webBrand()
    const hostname = `shop-${randomUUID().slice(0, 8)}.example.test`
    await page.goto(`${uiUrl}#/tenants`)
    await page.getByRole("heading", { name: "Tenants", level: 1 }).waitFor()
    await tabTo(/New tenant/)
    await page.keyboard.press("Enter")
    await page.getByRole("form", { name: "New tenant" }).waitFor()
    // the brand options come from brands.list; a focused select picks by typing
    await page.getByRole("option", { name: brand.name }).waitFor({ state: "attached" })
    await tabTo(/^Brand \*/)
    await page.keyboard.type(brand.name)
    await tabTo(/^Display name/)
    await page.keyboard.type("Shop")
    await tabTo(/^Add webroot$/)
    await page.keyboard.press("Enter")
    // focus moves into the new group, to its first (labelled) control
    await expect.poll(focusedText).toMatch(/^Runtime/)
    await page.keyboard.type("php")
    await tabTo(/^FQDNs/)
    await page.keyboard.type(hostname)
    const group = page.getByRole("group", { name: "Webroot 1" })
    expect(await group.getByLabel(/^Runtime/).inputValue()).toBe("php")
    expect(await page.getByLabel(/^Brand/).inputValue()).toBe(brand.id)
    // every control of the group is labelled, and the group's buttons are reachable
    for (const label of [/^Runtime/, "PHP version", "FQDNs"]) expect(await group.getByLabel(label).count()).toBe(1)
    await tabTo(/^Remove webroot 1$/)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "tenant-create.png"), fullPage: true })
    await tabTo(/^Create$/)
    await page.keyboard.press("Enter")

    // the tenant's page: it, its webroot and the FQDN go pending → active on their own
    const heading = page.getByRole("heading", { level: 1 })
    await heading.filter({ hasText: /t_[a-z0-9]+/ }).waitFor()
    const tenantId = decodeURIComponent(new URL(page.url()).hash.split("/")[2]!.split("?")[0]!)
    const webroots = await admin.webroots.list({ path: { id: tenantId as never }, urlParams: {} })
    expect(webroots.items.map((w) => w.runtime)).toEqual(["php"])
    const webroot = webroots.items[0]!
    await page.getByRole("cell", { name: webroot.path }).waitFor()
    await page.getByRole("link", { name: "Resources" }).click()
    const active = { timeout: 60_000 }
    await heading.filter({ hasText: "active" }).waitFor(active)
    await page.getByRole("region", { name: "Webroots (1)" }).getByRole("cell", { name: "active" }).waitFor(active)
    const fqdns = page.getByRole("region", { name: "FQDNs (1)" })
    await fqdns.getByRole("link", { name: hostname }).waitFor()
    await fqdns.getByRole("cell", { name: "active" }).waitFor(active)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "tenant-detail.png"), fullPage: true })

    // the webroot's page: its SFTP path, and its FQDN under the FQDNs tab
    await page.getByRole("link", { name: webroot.name }).click()
    await page.getByRole("heading", { name: new RegExp(webroot.name) }).waitFor()
    await page.getByText(webroot.path, { exact: true }).first().waitFor()
    await page.getByRole("cell", { name: hostname }).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tenants" }).click()
    await page.getByRole("cell", { name: "Shop" }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "tenants-list.png"), fullPage: true })
    await page.getByLabel("Search tenants").fill("Shop")
    await page.getByRole("cell", { name: "Shop" }).waitFor()
  }, 150_000)

  it("shows a failed tenant's message, retries it, and suspends it", async () => {
    const brand = await webBrand()
    const tenant = await admin.tenants.create({ payload: { brand_id: brand.id, display_name: "Flaky" } })
    await expect
      .poll(async () => (await admin.tenants.get({ path: { id: tenant.id } })).status, { timeout: 60_000 })
      .toBe("active")
    // as the tenant's sync reports a node's failure (set directly: a real one needs a broken node)
    const message = `node ${stack.nodeId}: useradd exited with 1 (simulated)`
    const sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    try {
      // under a new revision, as the API marks a change, so no earlier sync round can overwrite it
      await sql.query(
        "UPDATE tenants SET status = 'failed', status_message = $2, revision = nextval('web_revision_seq') WHERE id = $1",
        [tenant.id, message],
      )
    } finally {
      await sql.end()
    }
    expect((await admin.tenants.get({ path: { id: tenant.id } })).status).toBe("failed")
    await page.goto(`${uiUrl}#/tenants`)
    await page.getByLabel("Search tenants").fill(tenant.name)
    await page.getByLabel("Status").selectOption("failed")
    await page.getByRole("link", { name: tenant.name }).click()
    await page.getByText(message).first().waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole("button", { name: "Retry" }).click()
    const heading = page.getByRole("heading", { level: 1 })
    await heading.filter({ hasText: "active" }).waitFor({ timeout: 60_000 })
    expect(await page.getByText(message).count()).toBe(0)

    await page.getByRole("button", { name: "Suspend" }).click()
    await page.getByRole("button", { name: "Unsuspend" }).waitFor()
    await heading.filter({ hasText: "active" }).waitFor({ timeout: 60_000 })
    expect((await admin.tenants.get({ path: { id: tenant.id } })).suspended).toBe(true)
  }, 150_000)

  it("an FQDN's TLS is changed on its edit page; a failed issuance shows why and offers to issue again", async () => {
    const brand = await webBrand()
    const tenant = await admin.tenants.create({ payload: { brand_id: brand.id } })
    const webroot = await admin.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
    const hostname = `tls-${randomUUID().slice(0, 8)}.example.test`
    const fqdn = await admin.fqdns.create({ path: { id: webroot.id }, payload: { hostname } })
    const read = () => admin.fqdns.get({ path: { id: fqdn.id } })
    await expect.poll(async () => (await read()).status, { timeout: 60_000 }).toBe("active")

    await page.goto(`${uiUrl}#/fqdns/${fqdn.id}/edit`)
    await page.getByLabel(/^TLS/).selectOption("letsencrypt")
    await page.getByLabel(/^Redirect HTTP to HTTPS/).selectOption("yes")
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole("button", { name: "Save" }).click()
    await page.getByRole("heading", { name: new RegExp(hostname) }).waitFor()
    // the edit page's own heading names the host too: wait for the saved row, not the heading alone
    await expect
      .poll(async () => {
        const r = await read()
        return { tls: r.tls, https_redirect: r.https_redirect }
      })
      .toEqual({ tls: "letsencrypt", https_redirect: true })
    // the test stack's ACME directory is a closed loopback port: the issuance fails and says why
    await expect.poll(async () => (await read()).acme_status, { timeout: 60_000 }).toBe("failed")
    await page.reload()
    await page
      .getByText(/could not place the ACME order/)
      .first()
      .waitFor()
    await page.getByRole("button", { name: "Issue certificate" }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, "fqdn-detail.png"), fullPage: true })
  }, 150_000)

  it("zones have their pages: the list and the create form, without serious axe violations", async () => {
    await page.goto(`${uiUrl}#/zones`)
    await page.getByRole("heading", { name: "Zones" }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.goto(`${uiUrl}#/zones/new`)
    await page.getByLabel(/^Domain/).waitFor()
    expect(await seriousViolations(page)).toEqual([])
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
