import { existsSync } from "node:fs"
import { resolve } from "node:path"
import type { PromiseClient } from "@hosting/sdk"
import { Command, Flags } from "@oclif/core"

/** Exit codes: usage errors are oclif's 2; these distinguish the API refusing from provisioning failing. */
export const EXIT_API_ERROR = 3
export const EXIT_PROVISIONING_FAILED = 4

/** `.env` in the working directory is read once, like `npm run dev` does; real env wins. */
const loadDotEnv = () => {
  const file = resolve(".env")
  if (existsSync(file)) {
    const before = { ...process.env }
    process.loadEnvFile(file)
    Object.assign(process.env, before)
  }
}

/** Shared by every hostctl command: the client, API error display, exit codes. */
export abstract class HostingCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    "api-url": Flags.string({
      description: "API base URL (default $HOSTING_API_URL or http://127.0.0.1:8080)",
      helpGroup: "GLOBAL",
    }),
  }

  /** The SDK's client; loaded here, not at start, so help and usage errors need no contract. */
  protected async client(apiUrl?: string): Promise<PromiseClient> {
    loadDotEnv()
    const apiKey = process.env["HOSTING_API_KEY"]
    const { createClient } = await import("@hosting/sdk")
    return createClient({
      baseUrl: apiUrl ?? process.env["HOSTING_API_URL"] ?? "http://127.0.0.1:8080",
      ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
    })
  }

  /** Prints an API error as `code: message` and exits; input the SDK refuses is a usage error. */
  protected fail(e: unknown): never {
    const err = e as { _tag?: string; message?: string; details?: unknown }
    if (err?._tag === "ParseError") this.error(`invalid input: ${err.message}`, { exit: 2 })
    const code = err?._tag ?? "Error"
    const details = err?.details === undefined ? "" : ` ${JSON.stringify(err.details)}`
    this.error(`${code}: ${err?.message ?? String(e)}${details}`, { exit: EXIT_API_ERROR })
  }

  protected async call<A>(p: Promise<A>): Promise<A> {
    return p.catch((e) => this.fail(e))
  }
}

/** Aligned plain-text table of the chosen columns. */
export const table = (rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<string>): string => {
  const cell = (v: unknown) =>
    v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join(
    "\n",
  )
}

/** The columns worth showing for a resource, in a stable order. */
export const columnsFor = (rows: ReadonlyArray<Record<string, unknown>>): Array<string> => {
  const keys = new Set(rows.flatMap((r) => Object.keys(r)))
  return [
    "id",
    "name",
    "hostname",
    "address",
    "role",
    "action",
    "status",
    "status_message",
    "key_prefix",
    "created_at",
  ].filter((k) => keys.has(k))
}

/** Waits until an async resource leaves pending/provisioning; bounded by `timeoutSeconds`. */
export const waitForStatus = async <A extends { status: string }>(
  get: () => Promise<A>,
  timeoutSeconds: number,
  onProgress: (a: A) => void,
): Promise<A> => {
  const deadline = Date.now() + timeoutSeconds * 1000
  let last = ""
  for (;;) {
    const a = await get()
    if (a.status !== last) onProgress(a)
    last = a.status
    if (a.status !== "pending" && a.status !== "provisioning" && a.status !== "deleting") return a
    if (Date.now() > deadline) throw new Error(`still ${a.status} after ${timeoutSeconds} s`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

/** Every item of a list endpoint, following cursors (bounded). */
export const allItems = async <T>(
  page: (cursor?: string) => Promise<{ items: ReadonlyArray<T>; next_cursor: string | null; has_more: boolean }>,
) => {
  const out: Array<T> = []
  let cursor: string | undefined
  for (let i = 0; i < 10_000; i++) {
    const p = await page(cursor)
    out.push(...p.items)
    if (!p.has_more || p.next_cursor === null) return out
    cursor = p.next_cursor
  }
  throw new Error("list did not end after 10,000 pages")
}
