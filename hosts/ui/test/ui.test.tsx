// @vitest-environment jsdom
// Component tests of the generic pages against a stub SDK client.
import type { PromiseClient } from "@hosting/sdk"
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { App } from "../src/App"
import { toPayload } from "../src/components/ResourceForm"
import { RESOURCES } from "../src/resources/registry"
import { describeError } from "../src/session/errors"

const brand = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  name: `Brand ${n}`,
  ns_hostnames: ["ns1.example.net"],
  hostmaster: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
})

const apiError = (tag: string, message: string) => Object.assign(new Error(message), { _tag: tag })

const stubClient = (overrides: Record<string, Record<string, (...a: Array<any>) => Promise<unknown>>>) =>
  ({
    session: { whoami: async () => ({ id: "k", name: "admin", scopes: ["*"], brands: ["*"] }) },
    dashboard: { stats: async () => ({ counts: { brands: { total: 2, by_status: {} } } }) },
    ...overrides,
  }) as unknown as PromiseClient

const signedIn = (client: PromiseClient) => ({ apiKey: "hpk_x", client, name: "admin", scopes: ["*"], brands: ["*"] })

beforeEach(() => {
  window.location.hash = ""
  localStorage.clear()
})
afterEach(cleanup)

describe("payloads and errors", () => {
  it("turns form values into the request body", () => {
    const fields = RESOURCES["brands"]!.fields!
    expect(toPayload(fields, { name: " Acme ", ns_hostnames: "ns1.a.test, ns2.a.test", hostmaster: "" })).toEqual({
      name: "Acme",
      ns_hostnames: ["ns1.a.test", "ns2.a.test"],
    })
    expect(toPayload(RESOURCES["brands"]!.editFields!, { name: "A", ns_hostnames: "", hostmaster: "" })).toEqual({
      name: "A",
      hostmaster: null,
    })
  })

  it("describes API envelopes, decode issues and ParseErrors", () => {
    expect(describeError(apiError("Forbidden", "missing scope brands:write"))).toEqual({
      title: "Not allowed",
      message: "missing scope brands:write",
    })
    expect(
      describeError({
        _tag: "HttpApiDecodeError",
        message: "invalid request",
        issues: [{ path: ["name"], message: "Expected string" }],
      }).message,
    ).toBe("invalid request\nname: Expected string")
    expect(describeError(apiError("ParseError", "hostmaster: must match pattern")).title).toBe("Invalid value")
  })
})

describe("app", () => {
  it("refuses a bad key on sign-in with the API's message, and keeps a good one", async () => {
    const makeClient = (key: string) =>
      stubClient({
        session: {
          whoami: async () => {
            if (key !== "hpk_good") throw apiError("Unauthorized", "invalid API key")
            return { id: "k", name: "ops", scopes: ["*"], brands: ["*"] }
          },
        },
      })
    render(<App makeClient={makeClient} />)
    fireEvent.change(screen.getByLabelText("API key"), { target: { value: "hpk_bad" } })
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }))
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "Not signed ininvalid API key")
    fireEvent.change(screen.getByLabelText("API key"), { target: { value: "hpk_good" } })
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }))
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeTruthy()
    expect(localStorage.getItem("hosting.apiKey")).toBe("hpk_good")
    fireEvent.click(screen.getByRole("button", { name: "Log out" }))
    expect(await screen.findByLabelText("API key")).toBeTruthy()
    expect(localStorage.getItem("hosting.apiKey")).toBeNull()
  })

  it("lists with search, sort and cursor paging", async () => {
    const list = vi.fn(async ({ urlParams }: { urlParams: Record<string, unknown> }) =>
      urlParams["cursor"] === "c2"
        ? { items: [brand(3)], next_cursor: null, has_more: false }
        : { items: [brand(1), brand(2)], next_cursor: "c2", has_more: true },
    )
    window.location.hash = "#/brands"
    render(<App initial={signedIn(stubClient({ brands: { list } }))} />)
    expect(await screen.findByRole("link", { name: "Brand 1" })).toBeTruthy()
    fireEvent.click(screen.getByRole("button", { name: "Next page" }))
    expect(await screen.findByRole("link", { name: "Brand 3" })).toBeTruthy()
    expect(list).toHaveBeenLastCalledWith({ urlParams: { limit: 20, cursor: "c2" } })
    fireEvent.click(screen.getByRole("button", { name: "Previous page" }))
    expect(await screen.findByRole("link", { name: "Brand 1" })).toBeTruthy()
    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "-name" } })
    fireEvent.change(screen.getByLabelText("Search brands"), { target: { value: "acme" } })
    await waitFor(() =>
      expect(list).toHaveBeenLastCalledWith({ urlParams: { limit: 20, sort: "-name", search: "acme" } }),
    )
  })

  it("shows the API's error when a create is refused", async () => {
    const create = vi.fn(async () => {
      throw apiError("Conflict", "a brand named Acme exists")
    })
    window.location.hash = "#/brands/new"
    render(<App initial={signedIn(stubClient({ brands: { create } }))} />)
    fireEvent.change(await screen.findByLabelText(/^Name( \*)?$/), { target: { value: "Acme" } })
    fireEvent.click(screen.getByRole("button", { name: "Create" }))
    const alert = await screen.findByRole("alert")
    expect(alert.textContent).toContain("a brand named Acme exists")
    expect(create).toHaveBeenCalledWith({ payload: { name: "Acme" } })
  })

  it("masks a database user's password and sends it as typed", async () => {
    const db = "00000000-0000-4000-8000-000000000009"
    const create = vi.fn(async () => ({ id: "u1", username: "db_abcdefghij_app", status: "pending" }))
    window.location.hash = `#/databases/${db}/database-users/new`
    render(<App initial={signedIn(stubClient({ databaseUsers: { create } }))} />)
    const password = (await screen.findByLabelText(/^Password( \*)?$/)) as HTMLInputElement
    // masked, and not offered to or from the browser's saved logins
    expect([password.type, password.autocomplete]).toEqual(["password", "new-password"])
    fireEvent.change(screen.getByLabelText(/^User name( \*)?$/), { target: { value: "db_abcdefghij_app" } })
    fireEvent.change(password, { target: { value: "correct horse 'battery'" } })
    fireEvent.click(screen.getByRole("button", { name: "Create" }))
    await waitFor(() => expect(create).toHaveBeenCalledTimes(1))
    expect(create).toHaveBeenCalledWith({
      path: { id: db },
      payload: { username: "db_abcdefghij_app", password: "correct horse 'battery'" },
    })
  })

  it("shows a failed shard's message and retries it", async () => {
    const shard = {
      id: "00000000-0000-4000-8000-000000000009",
      cluster_id: "c",
      name: "web-1",
      role: "web",
      config: {},
      status: "failed",
      status_message: "node n1: agent did not answer; node n2: tenant t_a: nginx -t failed",
      status_details: {
        causes: [
          { node_id: "n1", message: "agent did not answer" },
          { node_id: "n2", resource_type: "tenant", resource_id: "t_a", message: "nginx -t failed" },
        ],
      },
      node_ids: [],
      created_at: "x",
      updated_at: "x",
    }
    const retry = vi.fn(async () => ({ ...shard, status: "provisioning" }))
    window.location.hash = `#/shards/${shard.id}`
    render(<App initial={signedIn(stubClient({ shards: { get: async () => shard, retry } }))} />)
    expect(
      (await screen.findAllByText("node n1: agent did not answer; node n2: tenant t_a: nginx -t failed")).length,
    ).toBeGreaterThan(0)
    const causes = screen.getByRole("list", { name: "Causes" })
    expect([...causes.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "node n1: agent did not answer",
      "node n2 · tenant t_a: nginx -t failed",
    ])
    fireEvent.click(screen.getByRole("button", { name: "Retry" }))
    await waitFor(() => expect(retry).toHaveBeenCalledWith({ path: { id: shard.id } }))
  })

  it("shows an FQDN failed by its load balancer: the side's reason, its causes, every side's status", async () => {
    const fqdn = {
      id: "00000000-0000-4000-8000-00000000000f",
      webroot_id: "w",
      tenant_id: "t",
      hostname: "shop.example.com",
      tls: "none",
      https_redirect: false,
      acme_status: null,
      acme_message: null,
      status: "failed",
      status_message: "load balancer: node n1: agent did not answer",
      status_details: { causes: [{ side: "lb", node_id: "n1", message: "agent did not answer" }] },
      side_effects: {
        web: { status: "active", message: null },
        lb: { status: "failed", message: "node n1: agent did not answer" },
        dns: { status: "active", message: null },
        certificate: null,
      },
      created_at: "x",
      updated_at: "x",
    }
    const retry = vi.fn(async () => ({ ...fqdn, status: "provisioning" }))
    window.location.hash = `#/fqdns/${fqdn.id}`
    render(<App initial={signedIn(stubClient({ fqdns: { get: async () => fqdn, retry } }))} />)
    // the failure banner and the status_message field
    expect((await screen.findAllByText("load balancer: node n1: agent did not answer")).length).toBe(2)
    const causes = screen.getByRole("list", { name: "Causes" })
    expect([...causes.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "lb · node n1: agent did not answer",
    ])
    const sides = screen.getByRole("list", { name: "Side effects" })
    expect([...sides.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Web server active",
      "Load balancer failed node n1: agent did not answer",
      "DNS records active",
      "Certificate does not apply",
    ])
    fireEvent.click(screen.getByRole("button", { name: "Retry" }))
    await waitFor(() => expect(retry).toHaveBeenCalledWith({ path: { id: fqdn.id } }))
  })

  it("shows a created API key once with a copy button", async () => {
    const create = vi.fn(async () => ({ id: "k2", name: "ci", key: "hpk_secret", scopes: ["*"], brands: ["*"] }))
    window.location.hash = "#/api-keys/new"
    render(<App initial={signedIn(stubClient({ apiKeys: { create } }))} />)
    fireEvent.change(await screen.findByLabelText(/^Name( \*)?$/), { target: { value: "ci" } })
    fireEvent.change(screen.getByLabelText(/^Scopes/), { target: { value: "brands:read" } })
    fireEvent.change(screen.getByLabelText(/^Brands/), { target: { value: "*" } })
    fireEvent.click(screen.getByRole("button", { name: "Create" }))
    expect(await screen.findByDisplayValue("hpk_secret")).toBeTruthy()
    expect(screen.getByRole("button", { name: "Copy" })).toBeTruthy()
    expect(create).toHaveBeenCalledWith({ payload: { name: "ci", scopes: ["brands:read"], brands: ["*"] } })
  })
})
