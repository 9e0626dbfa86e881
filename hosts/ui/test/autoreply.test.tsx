// @vitest-environment jsdom
// An email account's Auto-reply tab against a stub client: the reply as the API answers it, the
// empty state for a 404, the PUT body the form sends (dates as the API's UTC seconds), the API's
// refusal shown as it is, and the confirmed delete and the retry.
import { fireEvent, screen, waitFor, within } from "@testing-library/react"
import { describe, expect, it, vi } from "vitest"
import { apiError, type Method, stubbedApp } from "./support"

const notFound = () => apiError("NotFound", `auto-reply of email account ${ACCOUNT} not found`)

const ACCOUNT = "00000000-0000-4000-8000-000000000007"
const PATH = { path: { id: ACCOUNT } }

const account = {
  id: ACCOUNT,
  fqdn_id: "00000000-0000-4000-8000-000000000002",
  tenant_id: "00000000-0000-4000-8000-000000000001",
  address: "alice@shop.example.test",
  local_part: "alice",
  display_name: null,
  quota_mb: 1024,
  status: "active",
  status_message: null,
  status_details: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
}

const reply = (over: Record<string, unknown> = {}) => ({
  id: ACCOUNT,
  subject: 'Out of "office"',
  body: "Back on the 15th.\nAlice",
  start_at: "2026-07-01T09:00:00Z",
  end_at: "2026-07-15T18:00:00Z",
  days: 7,
  enabled: false,
  status: "active",
  status_message: null,
  status_details: null,
  created_at: "2026-06-20T10:00:00.000Z",
  updated_at: "2026-06-20T10:00:05.000Z",
  ...over,
})

const app = stubbedApp()

const open = (autoreplies: Record<string, Method>) => {
  app.open(`#/email-accounts/${ACCOUNT}?tab=Auto-reply`, {
    emailAccounts: { get: async () => account },
    emailAutoreplies: autoreplies,
  })
  return screen.findByRole("region", { name: "Auto-reply" })
}

const summaryOf = (panel: HTMLElement) =>
  [...panel.querySelectorAll("dl > div")].map((d) => [
    d.querySelector("dt")!.textContent,
    d.querySelector("dd")!.textContent,
  ])
const control = (panel: HTMLElement, label: string) =>
  within(panel).getByLabelText(label, { exact: false }) as HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement
const type = (panel: HTMLElement, label: string, value: string) =>
  fireEvent.change(control(panel, label), { target: { value } })

describe("an email account's Auto-reply tab", () => {
  it("shows the reply as the API answers it, its status, and a form filled from it", async () => {
    const get = vi.fn(async () => reply())
    const panel = await open({ get })
    await within(panel).findByText('Out of "office"')
    expect(get).toHaveBeenCalledWith(PATH)
    expect(within(panel).getByRole("heading", { level: 2 }).textContent).toBe("Auto-reply active")
    expect(within(panel).getByText("active").className).toContain("bg-green-100")
    expect(summaryOf(panel)).toEqual([
      ["Subject", 'Out of "office"'],
      ["Message", "Back on the 15th.\nAlice"],
      ["Start (UTC)", "2026-07-01T09:00:00Z"],
      ["End (UTC)", "2026-07-15T18:00:00Z"],
      ["Days between replies", "7"],
      ["Enabled", "no"],
      ["Updated", "2026-06-20T10:00:05.000Z"],
    ])
    const form = within(panel).getByRole("form", { name: "Replace the auto-reply" })
    expect(control(form, "Subject").value).toBe('Out of "office"')
    expect(control(form, "Message").value).toBe("Back on the 15th.\nAlice")
    expect(control(form, "Start (UTC)").type).toBe("datetime-local")
    // the input normalizes the API's value: zero seconds are not shown
    expect(control(form, "Start (UTC)").value).toBe("2026-07-01T09:00")
    expect(control(form, "End (UTC)").value).toBe("2026-07-15T18:00")
    expect(control(form, "Days between replies").value).toBe("7")
    expect(control(form, "Enabled").value).toBe("no")
    // the limits said are the payload schema's (AutoreplySubject, AutoreplyBody, days' between)
    expect([...form.querySelectorAll("p[id$='-help']")].map((p) => p.textContent)).toEqual([
      "1–200 characters, on one line",
      "1–10,000 characters",
      "empty: from now on",
      "empty: until it is removed or disabled",
      "1–30: each sender is answered at most once in this many days (default 1)",
    ])
    const tabs = screen.getByRole("navigation", { name: "Sub-resources" })
    expect(
      within(tabs)
        .getAllByRole("link")
        .map((a) => a.textContent),
    ).toEqual(["Aliases", "Forwards", "Auto-reply"])
    expect(within(panel).queryByRole("button", { name: "Retry" })).toBeNull()
  })

  it("says there is none when GET answers 404, and sets one with exactly the PUT body, dates in UTC", async () => {
    let current: ReturnType<typeof reply> | undefined
    const get = vi.fn(async () => {
      if (current === undefined) throw notFound()
      return current
    })
    const update = vi.fn(async (a: { payload: Record<string, unknown> }) => {
      current = reply({ ...a.payload, status: "pending", updated_at: "2026-06-21T08:00:00.000Z" })
      return current
    })
    const panel = await open({ get, update })
    expect((await within(panel).findByText("No auto-reply.")).tagName).toBe("P")
    expect(within(panel).queryByRole("button", { name: "Delete auto-reply" })).toBeNull()
    expect(screen.queryByRole("alert")).toBeNull()
    const form = within(panel).getByRole("form", { name: "Set an auto-reply" })
    // a new reply starts enabled, with the API's defaults for what is left empty
    expect(control(form, "Enabled").value).toBe("yes")
    expect(control(form, "Days between replies").value).toBe("")
    type(form, "Subject", "Away until July 15th")
    type(form, "Message", "I read mail again on the 15th.\n\nAlice")
    type(form, "Start (UTC)", "2026-07-01T09:30")
    type(form, "End (UTC)", "2026-07-15T18:00:45")
    type(form, "Days between replies", "3")
    type(form, "Enabled", "no")
    fireEvent.click(within(form).getByRole("button", { name: "Set auto-reply" }))
    await waitFor(() => expect(update).toHaveBeenCalledTimes(1))
    expect(update).toHaveBeenCalledWith({
      ...PATH,
      payload: {
        subject: "Away until July 15th",
        body: "I read mail again on the 15th.\n\nAlice",
        start_at: "2026-07-01T09:30:00Z",
        end_at: "2026-07-15T18:00:45Z",
        days: 3,
        enabled: false,
      },
    })
    // the 202's row: pending, and the form now replaces it
    await waitFor(() => expect(within(panel).getByRole("heading", { level: 2 }).textContent).toBe("Auto-reply pending"))
    expect(within(panel).queryByText("No auto-reply.")).toBeNull()
    expect(summaryOf(panel).slice(2, 4)).toEqual([
      ["Start (UTC)", "2026-07-01T09:30:00Z"],
      ["End (UTC)", "2026-07-15T18:00:45Z"],
    ])
    expect(within(panel).getByRole("form", { name: "Replace the auto-reply" })).toBeTruthy()
  })

  it("replaces the whole reply: a cleared start is left out, the kept end sent back unchanged", async () => {
    const update = vi.fn(async (a: { payload: Record<string, unknown> }) => reply({ ...a.payload, status: "pending" }))
    const panel = await open({ get: async () => reply(), update })
    const form = await within(panel).findByRole("form", { name: "Replace the auto-reply" })
    type(form, "Start (UTC)", "")
    type(form, "Enabled", "yes")
    fireEvent.click(within(form).getByRole("button", { name: "Replace auto-reply" }))
    await waitFor(() => expect(update).toHaveBeenCalledTimes(1))
    expect(update).toHaveBeenCalledWith({
      ...PATH,
      payload: {
        subject: 'Out of "office"',
        body: "Back on the 15th.\nAlice",
        end_at: "2026-07-15T18:00:00Z",
        days: 7,
        enabled: true,
      },
    })
  })

  it("shows the API's refusal of a subject that would inject a header, and keeps what was typed", async () => {
    const summary =
      'invalid request: subject: Expected a string matching the pattern ^[^\\p{Cc}\\p{Cs}\\u2028\\u2029]+$, actual "Away\u2028Bcc: x@y.example"'
    const issue = {
      _tag: "Refinement",
      path: ["subject"],
      message:
        'Expected a string matching the pattern ^[^\\p{Cc}\\p{Cs}\\u2028\\u2029]+$, actual "Away\u2028Bcc: x@y.example"',
    }
    const update = vi.fn(async () => {
      throw apiError("HttpApiDecodeError", summary, { issues: [issue] })
    })
    const panel = await open({ get: async () => Promise.reject(notFound()), update })
    const form = await within(panel).findByRole("form", { name: "Set an auto-reply" })
    type(form, "Subject", "Away\u2028Bcc: x@y.example")
    type(form, "Message", "x")
    fireEvent.click(within(form).getByRole("button", { name: "Set auto-reply" }))
    const alert = await within(form).findByRole("alert")
    expect(alert.textContent).toBe(`Invalid request${summary}\nsubject: ${issue.message}`)
    expect(update).toHaveBeenCalledWith({
      ...PATH,
      payload: { subject: "Away\u2028Bcc: x@y.example", body: "x", enabled: true },
    })
    expect(control(form, "Subject").value).toBe("Away\u2028Bcc: x@y.example")
    expect(within(panel).getByText("No auto-reply.")).toBeTruthy()
  })

  it("deletes it once confirmed, shows it deleting, then none once the API no longer has it", async () => {
    let reads = 0
    let deleted = false
    const get = vi.fn(async () => {
      if (!deleted) return reply()
      // the first read after the delete still finds it deleting; the sync then removes the row
      reads++
      if (reads === 1) return reply({ status: "deleting" })
      throw notFound()
    })
    const remove = vi.fn(async () => {
      deleted = true
      return reply({ status: "deleting" })
    })
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true)
    const panel = await open({ get, delete: remove })
    const button = await within(panel).findByRole("button", { name: "Delete auto-reply" })
    fireEvent.click(button)
    expect(confirm).toHaveBeenLastCalledWith(
      "Delete the auto-reply of alice@shop.example.test? Mail to it is no longer answered.",
    )
    expect(remove).not.toHaveBeenCalled()
    fireEvent.click(button)
    await waitFor(() => expect(remove).toHaveBeenCalledTimes(1))
    expect(remove).toHaveBeenCalledWith(PATH)
    await waitFor(() =>
      expect(within(panel).getByRole("heading", { level: 2 }).textContent).toBe("Auto-reply deleting"),
    )
    // polled while deleting (every second), until GET answers 404
    expect(await within(panel).findByText("No auto-reply.", {}, { timeout: 4_000 })).toBeTruthy()
    expect(within(panel).getByRole("form", { name: "Set an auto-reply" })).toBeTruthy()
    expect(screen.queryByRole("alert")).toBeNull()
  })

  it("offers Retry on a failed reply, with its message, and retries it", async () => {
    const failed = reply({ status: "failed", status_message: "mail node mx-1: sievec: line 3: unexpected end of file" })
    let current = failed
    const retry = vi.fn(async () => {
      current = reply({ status: "pending" })
      return current
    })
    const panel = await open({ get: async () => current, retry })
    const banner = await within(panel).findByRole("status")
    expect(banner.textContent).toBe("Failedmail node mx-1: sievec: line 3: unexpected end of fileRetry")
    expect(within(panel).getByText("failed").className).toContain("bg-red-100")
    fireEvent.click(within(banner).getByRole("button", { name: "Retry" }))
    await waitFor(() => expect(retry).toHaveBeenCalledTimes(1))
    expect(retry).toHaveBeenCalledWith(PATH)
    await waitFor(() => expect(within(panel).getByRole("heading", { level: 2 }).textContent).toBe("Auto-reply pending"))
    expect(within(panel).queryByRole("status")).toBeNull()
  })

  it("shows a read failure other than 404 and offers no form", async () => {
    const panel = await open({
      get: async () => Promise.reject(apiError("Forbidden", "missing scope email")),
    })
    expect((await within(panel).findByRole("alert")).textContent).toBe("Not allowedmissing scope email")
    expect(within(panel).queryByRole("form")).toBeNull()
    expect(within(panel).queryByText("No auto-reply.")).toBeNull()
  })
})
