// @vitest-environment jsdom
// A database shard's Replication tab against a stub client: its rows as the API answers them, the
// confirmed failover to a replica and the API's refusal, and no such tab on another role's shard.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react"
import { describe, expect, it, vi } from "vitest"
import { apiError, type Method, stubbedApp, uuid } from "./support"

const SHARD = uuid(9)
const [A, B, C] = [uuid(1), uuid(2), uuid(3)]
const HOSTS: Record<string, string> = { [A]: "db-a.example.test", [B]: "db-b.example.test", [C]: "db-c.example.test" }

const shard = (over: Record<string, unknown> = {}) => ({
  id: SHARD,
  cluster_id: uuid(100),
  name: "db-1",
  role: "database",
  config: { primary_node_id: A },
  status: "active",
  status_message: null,
  status_details: null,
  node_ids: [A, B, C],
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  ...over,
})

const node = (node_id: string, over: Record<string, unknown> = {}) => ({
  node_id,
  role: "replica",
  state: "healthy",
  seconds_behind: 0,
  io_running: true,
  sql_running: true,
  source_host: "10.0.0.1",
  source_port: 3306,
  last_error: null,
  needs_seed: false,
  checked_at: "2026-05-01T12:00:00.000Z",
  ...over,
})

// the API answers the primary first; the table keeps its order
const replication = {
  shard_id: SHARD,
  primary_node_id: A,
  nodes: [
    node(A, { role: "primary", state: "primary", seconds_behind: null, io_running: null, sql_running: null }),
    node(B, { state: "lagging", seconds_behind: 42 }),
    node(C, {
      state: "failed",
      seconds_behind: null,
      sql_running: false,
      last_error: { errno: 1062, message: "Duplicate entry '7' for key 'PRIMARY'" },
      needs_seed: true,
      checked_at: "2026-05-01T12:00:05.000Z",
    }),
  ],
}

const nodesStub = { get: async (a: { path: { id: string } }) => ({ id: a.path.id, hostname: HOSTS[a.path.id] }) }

const app = stubbedApp()

const open = (stubs: Record<string, Record<string, Method>>) => app.open(`#/shards/${SHARD}?tab=Replication`, stubs)

const rowsOf = (table: HTMLElement) =>
  [...table.querySelectorAll("tr")].map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent))

describe("a database shard's Replication tab", () => {
  it("shows one row per node, primary first: name, role, state, lag, threads, last error, checked at", async () => {
    const replicationCall = vi.fn(async () => replication)
    open({ shards: { get: async () => shard(), replication: replicationCall }, nodes: nodesStub })
    const panel = await screen.findByRole("region", { name: "Replication" })
    await within(panel).findByText("db-c.example.test")
    expect(rowsOf(within(panel).getByRole("table"))).toEqual([
      ["Node", "Role", "State", "Lag", "Threads", "Last error", "Checked at", "Actions"],
      ["db-a.example.test (shard's primary)", "primary", "primary", "—", "—", "—", "2026-05-01T12:00:00.000Z", ""],
      [
        "db-b.example.test",
        "replica",
        "lagging",
        "42 s",
        "IO running, SQL running",
        "—",
        "2026-05-01T12:00:00.000Z",
        "Fail over to this node",
      ],
      [
        "db-c.example.test",
        "replica",
        "failed",
        "—",
        "IO running, SQL stopped",
        "1062: Duplicate entry '7' for key 'PRIMARY'needs a new copy of the primary",
        "2026-05-01T12:00:05.000Z",
        "Fail over to this node",
      ],
    ])
    // the state's colour is the lifecycle status it reads as: lagging like suspended (amber)
    expect(within(panel).getByText("lagging").className).toContain("bg-amber-100")
    expect(within(panel).getByText("failed").className).toContain("bg-red-100")
    expect(within(panel).getByRole("link", { name: "db-b.example.test" }).getAttribute("href")).toBe(`#/nodes/${B}`)
    expect(replicationCall).toHaveBeenCalledWith({ path: { id: SHARD } })
    const tabs = screen.getByRole("navigation", { name: "Sub-resources" })
    expect(
      within(tabs)
        .getAllByRole("link")
        .map((a) => a.textContent),
    ).toEqual(["Replication"])
  })

  it("fails over to a replica once confirmed, with its node id, and shows the shard's new status", async () => {
    let current = shard()
    const failover = vi.fn(async () => {
      current = shard({ status: "provisioning" })
      return current
    })
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true)
    open({
      shards: { get: async () => current, replication: async () => replication, failover },
      nodes: nodesStub,
    })
    const button = await screen.findByRole("button", { name: "Fail over to this node (db-b.example.test)" })
    // declined: nothing is asked of the API
    fireEvent.click(button)
    expect(confirm).toHaveBeenLastCalledWith(
      "Fail over shard db-1 to db-b.example.test? It becomes the primary and every other node follows it; " +
        "the old primary, if it answers, stops taking writes first (applications must connect to the new host).",
    )
    expect(failover).not.toHaveBeenCalled()
    fireEvent.click(button)
    await waitFor(() => expect(failover).toHaveBeenCalledTimes(1))
    expect(failover).toHaveBeenCalledWith({ path: { id: SHARD }, payload: { node_id: B } })
    expect((await screen.findByRole("status")).textContent).toBe(
      "Failover to db-b.example.test started: the shard is provisioning",
    )
    // the page reads the shard again: its heading shows the status the failover left it in
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("shard: db-1 provisioning"))
  })

  it("shows the API's refusal of a failover", async () => {
    const refusal =
      "node db-c.example.test is failed (1062 Duplicate entry '7' for key 'PRIMARY', seen 2026-05-01T12:00:05.000Z): " +
      "it cannot be promoted"
    const failover = vi.fn(async () => {
      throw apiError("Conflict", refusal)
    })
    vi.spyOn(window, "confirm").mockReturnValue(true)
    open({ shards: { get: async () => shard(), replication: async () => replication, failover }, nodes: nodesStub })
    fireEvent.click(await screen.findByRole("button", { name: "Fail over to this node (db-c.example.test)" }))
    const alert = await screen.findByRole("alert")
    expect(alert.textContent).toBe(`Conflict${refusal}`)
    expect(failover).toHaveBeenCalledWith({ path: { id: SHARD }, payload: { node_id: C } })
    expect(screen.queryByRole("status")).toBeNull()
  })

  it("says so when the shard has one node, or its nodes were not checked yet", async () => {
    const one = { shard_id: SHARD, primary_node_id: A, nodes: [replication.nodes[0]] }
    const stub = open({
      shards: { get: async () => shard({ node_ids: [A] }), replication: async () => one },
      nodes: nodesStub,
    })
    expect(await screen.findByText("This shard has one node: nothing replicates until it has another.")).toBeTruthy()
    expect(screen.queryByRole("table")).toBeNull()
    expect(stub.unstubbed).toEqual([])
    cleanup()
    const unchecked = {
      shard_id: SHARD,
      primary_node_id: A,
      nodes: [A, B].map((n) =>
        node(n, {
          role: null,
          state: "unknown",
          seconds_behind: null,
          io_running: null,
          sql_running: null,
          source_host: null,
          source_port: null,
          checked_at: null,
        }),
      ),
    }
    open({ shards: { get: async () => shard(), replication: async () => unchecked }, nodes: nodesStub })
    expect(
      await screen.findByText(
        "Not checked yet: replication is checked every minute and at each converge of the shard.",
      ),
    ).toBeTruthy()
    expect(screen.queryByRole("button", { name: /Fail over/ })).toBeNull()
  })

  it("is not offered on a web shard, whose replication is never asked for", async () => {
    // replication and nodes are not stubbed: a call to either is recorded and fails the test
    open({ shards: { get: async () => shard({ role: "web", config: {} }) } })
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("shard: db-1 active"))
    expect(screen.queryByRole("navigation", { name: "Sub-resources" })).toBeNull()
    expect(screen.queryByRole("region", { name: "Replication" })).toBeNull()
  })
})
