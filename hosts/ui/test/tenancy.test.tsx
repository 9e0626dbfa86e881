// @vitest-environment jsdom
// Component tests of the web tier's pages: the repeatable group field, the tenant create that
// also creates webroots and FQDNs, and the lifecycle polling, against a recording stub client.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react"
import { describe, expect, it } from "vitest"
import { ResourceForm, toPayload } from "../src/components/ResourceForm"
import { RESOURCES } from "../src/resources/registry"
import type { Field } from "../src/resources/types"
import { apiError, stubbedApp, uuid } from "./support"

const page = (items: ReadonlyArray<unknown>) => ({ items, next_cursor: null, has_more: false })

const tenant = (over: Record<string, unknown> = {}) => ({
  id: uuid(1),
  brand_id: uuid(100),
  shard_id: uuid(200),
  name: "t_abcdefghij",
  display_name: null,
  suspended: false,
  status: "pending",
  status_message: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  ...over,
})
const webroot = (n: number, runtime: string) => ({
  id: uuid(10 + n),
  tenant_id: uuid(1),
  name: `w_webroot${n}`,
  runtime,
  runtime_version: runtime === "php" ? "8.2" : null,
  entrypoint: null,
  numprocs: 1,
  path: `/webroots/w_webroot${n}`,
  status: "pending",
  status_message: null,
  created_at: "x",
  updated_at: "x",
})

const app = stubbedApp()

const GROUP: Field = {
  name: "items",
  label: "Webroots",
  kind: "group",
  itemLabel: "webroot",
  fields: [
    { name: "runtime", label: "Runtime", kind: "select", options: ["php", "node"], required: true },
    { name: "runtime_version", label: "PHP version", kind: "text", showIf: { field: "runtime", oneOf: ["php"] } },
    { name: "entrypoint", label: "Entrypoint", kind: "text", showIf: { field: "runtime", oneOf: ["node"] } },
    { name: "fqdns", label: "FQDNs", kind: "list" },
  ],
}

describe("repeatable group field", () => {
  it("adds, fills and removes items; each control is labelled inside its item; focus follows", async () => {
    const submitted: Array<Record<string, unknown>> = []
    render(
      <ResourceForm
        title="Test form"
        fields={[{ name: "name", label: "Name", kind: "text" }, GROUP]}
        initial={{ name: "", items: [] }}
        submitLabel="Create"
        onSubmit={async (p) => submitted.push(p)}
      />,
    )
    const add = screen.getByRole("button", { name: "Add webroot" })
    fireEvent.click(add)
    const first = screen.getByRole("group", { name: "Webroot 1" })
    // focus moves into the new item, to its first control
    expect(document.activeElement).toBe(within(first).getByLabelText(/^Runtime/))
    // only the fields for the chosen runtime are shown
    expect(within(first).queryByLabelText("PHP version")).toBeNull()
    fireEvent.change(within(first).getByLabelText(/^Runtime/), { target: { value: "php" } })
    fireEvent.change(within(first).getByLabelText("PHP version"), { target: { value: "8.2" } })
    fireEvent.change(within(first).getByLabelText("FQDNs"), { target: { value: "a.example.test, b.example.test" } })

    fireEvent.click(add)
    const second = screen.getByRole("group", { name: "Webroot 2" })
    fireEvent.change(within(second).getByLabelText(/^Runtime/), { target: { value: "node" } })
    fireEvent.change(within(second).getByLabelText("Entrypoint"), { target: { value: "app.js" } })
    expect(within(second).queryByLabelText("PHP version")).toBeNull()

    fireEvent.click(add)
    fireEvent.change(within(screen.getByRole("group", { name: "Webroot 3" })).getByLabelText(/^Runtime/), {
      target: { value: "node" },
    })
    // removing the middle item keeps the others' values; focus returns to the Add button
    fireEvent.click(screen.getByRole("button", { name: "Remove webroot 2" }))
    expect(document.activeElement).toBe(add)
    expect(screen.queryByRole("group", { name: "Webroot 3" })).toBeNull()
    expect(within(screen.getByRole("group", { name: "Webroot 2" })).getByLabelText("Entrypoint")).toHaveProperty(
      "value",
      "",
    )
    expect(within(screen.getByRole("group", { name: "Webroot 1" })).getByLabelText("PHP version")).toHaveProperty(
      "value",
      "8.2",
    )

    fireEvent.click(screen.getByRole("button", { name: "Create" }))
    await waitFor(() => expect(submitted).toHaveLength(1))
    expect(submitted[0]).toEqual({
      items: [
        { runtime: "php", runtime_version: "8.2", fqdns: ["a.example.test", "b.example.test"] },
        { runtime: "node" },
      ],
    })
  })

  it("turns group values into arrays; hidden fields count as empty; no items leaves the group out", () => {
    expect(toPayload([GROUP], { items: [] })).toEqual({})
    expect(
      toPayload([GROUP], { items: [{ runtime: "node", runtime_version: "8.2", entrypoint: " app.js ", fqdns: "" }] }),
    ).toEqual({ items: [{ runtime: "node", entrypoint: "app.js" }] })
    // on edit, a nullable field that is hidden clears the value
    const edit = RESOURCES["webroots"]!.editFields!
    expect(toPayload(edit, { runtime: "static", runtime_version: "8.2", entrypoint: "x.js", numprocs: "" })).toEqual({
      runtime: "static",
      runtime_version: null,
      entrypoint: null,
    })
  })
})

describe("tenant create", () => {
  const brands = async () => page([{ id: uuid(100), name: "Acme" }])

  const fillForm = async () => {
    const brand = await screen.findByRole("option", { name: "Acme" })
    fireEvent.change(brand.closest("select")!, { target: { value: uuid(100) } })
    fireEvent.change(screen.getByLabelText("Display name"), { target: { value: "Shop" } })
    fireEvent.click(screen.getByRole("button", { name: "Add webroot" }))
    const w1 = screen.getByRole("group", { name: "Webroot 1" })
    fireEvent.change(within(w1).getByLabelText(/^Runtime/), { target: { value: "php" } })
    fireEvent.change(within(w1).getByLabelText("FQDNs"), { target: { value: "shop.example.test, www.example.test" } })
    fireEvent.click(screen.getByRole("button", { name: "Add webroot" }))
    const w2 = screen.getByRole("group", { name: "Webroot 2" })
    fireEvent.change(within(w2).getByLabelText(/^Runtime/), { target: { value: "node" } })
    fireEvent.click(screen.getByRole("button", { name: "Create" }))
  }

  it("creates the tenant, then each webroot and its FQDNs, and opens the tenant", async () => {
    let n = 0
    const stub = app.open("#/tenants/new", {
      brands: { list: brands },
      tenants: { create: async () => tenant(), get: async () => tenant() },
      webroots: {
        create: async ({ payload }) => webroot(++n, payload.runtime),
        list: async () => page([webroot(1, "php"), webroot(2, "node")]),
      },
      fqdns: { create: async ({ payload }) => ({ id: uuid(50), hostname: payload.hostname, status: "pending" }) },
    })
    await fillForm()
    await screen.findByRole("heading", { name: /t_abcdefghij/ })
    expect(window.location.hash).toBe(`#/tenants/${uuid(1)}`)
    const writes = stub.calls.filter(([name]) => name.endsWith(".create"))
    expect(writes).toEqual([
      ["tenants.create", { payload: { brand_id: uuid(100), display_name: "Shop" } }],
      ["webroots.create", { path: { id: uuid(1) }, payload: { runtime: "php" } }],
      ["fqdns.create", { path: { id: uuid(11) }, payload: { hostname: "shop.example.test" } }],
      ["fqdns.create", { path: { id: uuid(11) }, payload: { hostname: "www.example.test" } }],
      ["webroots.create", { path: { id: uuid(1) }, payload: { runtime: "node" } }],
    ])
    // the webroots tab lists them with their SFTP paths
    expect(await screen.findByText("/webroots/w_webroot1")).toBeTruthy()
  })

  it("keeps what was created when a later call fails: the API's error and a link to the tenant", async () => {
    const stub = app.open("#/tenants/new", {
      brands: { list: brands },
      tenants: { create: async () => tenant() },
      webroots: { create: async ({ payload }) => webroot(1, payload.runtime) },
      fqdns: {
        create: async ({ payload }) => {
          if (payload.hostname === "www.example.test") throw apiError("Conflict", "www.example.test is bound already")
          return { id: uuid(50), hostname: payload.hostname, status: "pending" }
        },
      },
    })
    await fillForm()
    const alert = await screen.findByRole("alert")
    expect(alert.textContent).toContain("www.example.test is bound already")
    expect(screen.getByRole("status").textContent).toMatch(
      /t_abcdefghij was created, but creating FQDN www.example.test/,
    )
    expect(screen.getByText(/webroot w_webroot1 \(php\) at \/webroots\/w_webroot1/)).toBeTruthy()
    expect(screen.getByText("FQDN shop.example.test")).toBeTruthy()
    expect(screen.getByRole("link", { name: "Open tenant t_abcdefghij" }).getAttribute("href")).toBe(
      `#/tenants/${uuid(1)}`,
    )
    // the form is gone (no duplicate tenant from a second submit), and nothing ran after the failure
    expect(screen.queryByRole("button", { name: "Create" })).toBeNull()
    expect(stub.names().filter((n) => n.endsWith(".create"))).toEqual([
      "tenants.create",
      "webroots.create",
      "fqdns.create",
      "fqdns.create",
    ])
  })

  it("a brand field that cannot load its options becomes a text input for the id", async () => {
    const stub = app.open("#/tenants/new", {
      brands: {
        list: async () => {
          throw apiError("Forbidden", "missing scope brands:read")
        },
      },
      tenants: { create: async () => tenant(), get: async () => tenant() },
      webroots: { list: async () => page([]) },
    })
    await screen.findByText(/could not be loaded \(missing scope brands:read\)/)
    fireEvent.change(screen.getByLabelText(/^Brand/), { target: { value: uuid(100) } })
    fireEvent.click(screen.getByRole("button", { name: "Create" }))
    await screen.findByRole("heading", { name: /t_abcdefghij/ })
    expect(stub.calls).toContainEqual(["tenants.create", { payload: { brand_id: uuid(100) } }])
  })
})

describe("tenant detail and lifecycle", () => {
  it("re-reads a list every second while a row is in flight and stops once all are settled", async () => {
    let reads = 0
    app.open("#/tenants", {
      tenants: {
        list: async () => {
          reads++
          return page([tenant({ status: reads < 3 ? "provisioning" : "active" })])
        },
      },
    })
    await screen.findByRole("cell", { name: "provisioning" })
    await screen.findByRole("cell", { name: "active" }, { timeout: 4_000 })
    const settled = reads
    await new Promise((r) => setTimeout(r, 1_500))
    expect(reads).toBe(settled)
  })

  it("offers Suspend or Unsuspend by state, Retry for a failed tenant, and summarises its resources", async () => {
    let current = tenant({ status: "failed", status_message: "node n1: useradd failed" })
    const stub = app.open(`#/tenants/${uuid(1)}?tab=Resources`, {
      tenants: {
        get: async () => current,
        retry: async () => (current = tenant({ status: "active", suspended: true })),
        resources: async () => ({
          tenant: current,
          webroots: [{ ...webroot(1, "php"), status: "active" }],
          fqdns: [{ id: uuid(50), webroot_id: uuid(11), hostname: "shop.example.test", status: "active" }],
          ssh_keys: [],
        }),
      },
    })
    expect((await screen.findAllByText("node n1: useradd failed")).length).toBeGreaterThan(0)
    expect(screen.getByRole("button", { name: "Suspend" })).toBeTruthy()
    expect(screen.queryByRole("button", { name: "Unsuspend" })).toBeNull()
    const summary = await screen.findByRole("region", { name: "FQDNs (1)" })
    expect(within(summary).getByRole("link", { name: "shop.example.test" }).getAttribute("href")).toBe(
      `#/fqdns/${uuid(50)}`,
    )
    expect(screen.getByRole("region", { name: "SSH keys (0)" }).textContent).toContain("None.")
    fireEvent.click(screen.getByRole("button", { name: "Retry" }))
    await screen.findByRole("button", { name: "Unsuspend" })
    expect(screen.queryByRole("button", { name: "Suspend" })).toBeNull()
    expect(stub.calls).toContainEqual(["tenants.retry", { path: { id: uuid(1) } }])
  })
})

describe("DNS record edit", () => {
  it("starts from the record's nested data, shows only its type's fields, and sends the whole record", async () => {
    const record = {
      id: uuid(7),
      zone_id: uuid(8),
      name: "example.test",
      type: "MX",
      ttl: 3600,
      data: { type: "MX", priority: 10, exchange: "mail.example.test" },
      content: "10 mail.example.test.",
      managed_by: "user",
      status: "active",
      status_message: null,
      created_at: "2026-11-27T00:00:00.000Z",
      updated_at: "2026-11-27T00:00:00.000Z",
    }
    const stub = app.open(`#/dns-records/${uuid(7)}/edit`, {
      dnsRecords: { get: async () => record, update: async ({ payload }) => ({ ...record, ...payload }) },
    })
    const priority = (await screen.findByLabelText(/^Priority/)) as HTMLInputElement
    expect(priority.value).toBe("10")
    expect((screen.getByLabelText(/^Mail exchanger/) as HTMLInputElement).value).toBe("mail.example.test")
    expect(screen.queryByLabelText(/^Address/)).toBeNull()
    fireEvent.change(priority, { target: { value: "20" } })
    fireEvent.click(screen.getByRole("button", { name: "Save" }))
    await waitFor(() => expect(stub.names()).toContain("dnsRecords.update"))
    expect(stub.calls.find(([n]) => n === "dnsRecords.update")?.[1]).toEqual({
      path: { id: uuid(7) },
      payload: { type: "MX", name: "example.test", ttl: 3600, priority: 20, exchange: "mail.example.test" },
    })
  })
})
