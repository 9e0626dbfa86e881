// @vitest-environment jsdom
// The dashboard and search pages against a stub SDK client: the database, S3 and email kinds are
// counted, and their failures and hits link to the resources' detail pages.
import type { PromiseClient } from "@hosting/sdk"
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { App } from "../src/App"

const id = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`
const at = "2026-01-01T00:00:00.000Z"

const stubClient = (overrides: Record<string, Record<string, (...a: Array<any>) => Promise<unknown>>>) =>
  ({
    session: { whoami: async () => ({ id: "k", name: "admin", scopes: ["*"], brands: ["*"] }) },
    ...overrides,
  }) as unknown as PromiseClient

const signedIn = (client: PromiseClient) => ({ apiKey: "hpk_x", client, name: "admin", scopes: ["*"], brands: ["*"] })

beforeEach(() => {
  window.location.hash = ""
})
afterEach(cleanup)

describe("overview of databases, S3 and email", () => {
  it("counts the new kinds by status and links a failed database to its page", async () => {
    const stats = async () => ({
      counts: {
        databases: { total: 3, by_status: { active: 2, failed: 1 } },
        "database-users": { total: 4, by_status: { active: 4 } },
        "s3-buckets": { total: 2, by_status: { pending: 2 } },
        "s3-access-keys": { total: 1, by_status: { active: 1 } },
        "email-accounts": { total: 5, by_status: { active: 4, failed: 1 } },
        "email-aliases": { total: 6, by_status: { active: 6 } },
        "email-forwards": { total: 7, by_status: { active: 7 } },
      },
      recent_failures: [
        { type: "databases", id: id(1), name: "db_abcdefghij", status_message: "node db-1: disk full", updated_at: at },
        {
          type: "email-accounts",
          id: id(2),
          name: "alice@shop.example",
          status_message: "node m-1: down",
          updated_at: at,
        },
      ],
    })
    const get = vi.fn(async () => ({
      id: id(1),
      tenant_id: id(9),
      shard_id: id(8),
      name: "db_abcdefghij",
      charset: "utf8mb4",
      collation: "utf8mb4_unicode_ci",
      host: "db.example.test",
      port: 3306,
      status: "failed",
      status_message: "node db-1: disk full",
      status_details: null,
      created_at: at,
      updated_at: at,
    }))
    render(<App initial={signedIn(stubClient({ dashboard: { stats }, databases: { get } }))} />)
    const cards: Record<string, string> = {
      Databases: "3",
      "Database users": "4",
      "S3 buckets": "2",
      "S3 access keys": "1",
      "Email accounts": "5",
      Aliases: "6",
      Forwards: "7",
    }
    for (const [title, total] of Object.entries(cards)) {
      const card = (await screen.findByRole("heading", { name: title })).closest("li")!
      expect(card.querySelector("p")?.textContent, title).toBe(total)
    }
    expect(within(screen.getByRole("list", { name: "Databases by status" })).getAllByRole("listitem")).toHaveLength(2)
    const failures = screen.getByRole("region", { name: "Recent failures" })
    const mailbox = within(failures).getByRole("link", { name: "email account alice@shop.example" })
    expect(mailbox.getAttribute("href")).toBe(`#/email-accounts/${id(2)}`)
    const database = within(failures).getByRole("link", { name: "database db_abcdefghij" })
    expect(database.getAttribute("href")).toBe(`#/databases/${id(1)}`)
    expect(failures.textContent).toContain("node db-1: disk full")
    fireEvent.click(database)
    await waitFor(() => expect(get).toHaveBeenCalledWith({ path: { id: id(1) } }))
    expect(await screen.findByRole("heading", { name: /db_abcdefghij/ })).toBeTruthy()
  })

  it("links each search hit of the new kinds to its detail page", async () => {
    const search = vi.fn(async () => ({
      query: "shop",
      groups: [
        { type: "databases", items: [{ id: id(1), name: "db_shop", status: "active" }] },
        { type: "database-users", items: [{ id: id(2), name: "db_shop_app", status: "active" }] },
        { type: "s3-buckets", items: [{ id: id(3), name: "shop-assets", status: "pending" }] },
        { type: "s3-access-keys", items: [{ id: id(4), name: "AKIASHOP000000000000", status: "active" }] },
        { type: "email-accounts", items: [{ id: id(5), name: "alice@shop.example", status: "failed" }] },
        { type: "email-aliases", items: [{ id: id(6), name: "info@shop.example", status: "active" }] },
        { type: "email-forwards", items: [{ id: id(7), name: "shop@elsewhere.example", status: "active" }] },
      ],
    }))
    window.location.hash = "#/search?q=shop"
    render(<App initial={signedIn(stubClient({ search: { search } }))} />)
    const hits: Array<[string, string, string]> = [
      ["Databases", "db_shop", `#/databases/${id(1)}`],
      ["Database users", "db_shop_app", `#/database-users/${id(2)}`],
      ["S3 buckets", "shop-assets", `#/s3-buckets/${id(3)}`],
      ["S3 access keys", "AKIASHOP000000000000", `#/s3-access-keys/${id(4)}`],
      ["Email accounts", "alice@shop.example", `#/email-accounts/${id(5)}`],
      ["Aliases", "info@shop.example", `#/email-aliases/${id(6)}`],
      ["Forwards", "shop@elsewhere.example", `#/email-forwards/${id(7)}`],
    ]
    for (const [group, name, target] of hits) {
      const section = await screen.findByRole("region", { name: group })
      expect(within(section).getByRole("link", { name }).getAttribute("href"), name).toBe(target)
    }
    expect(search).toHaveBeenCalledWith({ urlParams: { q: "shop" } })
    expect(within(screen.getByRole("region", { name: "Email accounts" })).getByText("failed")).toBeTruthy()
  })
})
