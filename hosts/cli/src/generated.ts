// Resource commands built from the manifest of the contract's endpoints (commands.json, see
// command-spec.ts): one command per endpoint, flags from its query and body fields. Building them
// reads plain data; the SDK is loaded only when a command calls the API.
import { readFileSync } from "node:fs"
import { Args, type Command, Flags, type Interfaces } from "@oclif/core"
import { columnsFor, EXIT_PROVISIONING_FAILED, HostingCommand, table, waitForStatus } from "./base.js"
import { type CommandSpec, type FieldSpec, readManifest } from "./command-spec.js"

const kebab = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase()

const flagFor = (f: FieldSpec, helpGroup: string) => {
  const base = { description: f.description ?? f.name, helpGroup, required: false }
  switch (f.kind) {
    case "number":
      return Flags.integer(base)
    case "boolean":
      return Flags.boolean({ ...base, allowNo: true })
    case "strings":
      return Flags.string({ ...base, multiple: true })
    case "json":
      return Flags.string({ ...base, description: `${base.description} (JSON)` })
    default:
      return Flags.string(base)
  }
}

const parseField = (f: FieldSpec, raw: unknown): unknown => {
  if (raw === undefined) return undefined
  if (f.kind === "json") {
    try {
      return JSON.parse(String(raw))
    } catch {
      throw new Error(`--${kebab(f.name)} must be JSON`)
    }
  }
  return raw
}

const makeCommand = (e: CommandSpec): Command.Class => {
  const flags: Interfaces.FlagInput = {}
  for (const f of e.query) flags[kebab(f.name)] = flagFor(f, "QUERY")
  for (const f of e.body) flags[kebab(f.name)] = flagFor(f, "BODY")
  if (e.hasBody)
    flags["data"] = Flags.string({
      char: "d",
      description: "the whole request body as JSON, or @file",
      helpGroup: "BODY",
    })
  if (e.list) flags["all"] = Flags.boolean({ description: "follow next_cursor until the last page" })
  if (e.poller) {
    flags["wait"] = Flags.boolean({ description: "wait until it is active or failed", default: true, allowNo: true })
    flags["timeout"] = Flags.integer({ description: "seconds to wait", default: 300, min: 1 })
  }
  if (e.destructive) flags["yes"] = Flags.boolean({ char: "y", description: "do not ask for confirmation" })
  const words = e.id.replace(":", " ")

  return class extends HostingCommand {
    static override id = e.id
    static override summary = e.summary
    static override args = e.hasId ? { id: Args.string({ description: "id (UUID)", required: true }) } : {}
    static override flags = flags

    async run(): Promise<unknown> {
      const { args, flags: given } = await this.parse(this.constructor as Command.Class)
      const f = given as Record<string, unknown>
      const id = (args as { id?: string }).id
      if (e.destructive && !f["yes"] && !this.jsonEnabled()) {
        if (!process.stdin.isTTY)
          this.error(`refusing to run hostctl ${words} without --yes (no terminal to ask on)`, { exit: 2 })
        const answer = await new Promise<string>((res) => {
          process.stdout.write(`${words}${id === undefined ? "" : ` ${id}`}? [y/N] `)
          process.stdin.once("data", (d) => res(String(d).trim()))
        })
        if (answer.toLowerCase() !== "y") this.error("cancelled", { exit: 1 })
      }
      const request: Record<string, unknown> = {}
      if (id !== undefined) request["path"] = { id }
      if (e.query.length > 0) {
        const q: Record<string, unknown> = {}
        for (const field of e.query)
          if (f[kebab(field.name)] !== undefined) q[field.name] = parseField(field, f[kebab(field.name)])
        request["urlParams"] = q
      }
      if (e.hasBody) {
        let body: Record<string, unknown> = {}
        const data = f["data"] as string | undefined
        if (data !== undefined) {
          const text = data.startsWith("@") ? readFileSync(data.slice(1), "utf8") : data
          try {
            body = JSON.parse(text)
          } catch {
            this.error("--data must be JSON", { exit: 2 })
          }
        }
        try {
          for (const field of e.body)
            if (f[kebab(field.name)] !== undefined) body[field.name] = parseField(field, f[kebab(field.name)])
        } catch (err) {
          this.error((err as Error).message, { exit: 2 })
        }
        request["payload"] = body
      }
      const client = (await this.client(f["api-url"] as string | undefined)) as unknown as Record<
        string,
        Record<string, (r?: unknown) => Promise<any>>
      >
      const call = client[e.group]![e.name]!
      const invoke = (r: Record<string, unknown>) => this.call(Object.keys(r).length === 0 ? call() : call(r))
      let result = await invoke(request)
      if (e.list && f["all"]) {
        const items = [...result.items]
        while (result.has_more) {
          const q = { ...(request["urlParams"] as object), cursor: result.next_cursor }
          result = await invoke({ ...request, urlParams: q })
          items.push(...result.items)
        }
        result = { items, next_cursor: null, has_more: false }
      }
      if (e.poller && f["wait"] && typeof result?.id === "string" && typeof result?.status === "string") {
        const get = client[e.poller.group]![e.poller.name]!
        result = await waitForStatus(
          () => this.call(get({ path: { id: result.id } })),
          f["timeout"] as number,
          (r) => this.logToStderr(`${r.id}: ${r.status}`),
        ).catch((err) => this.error(String(err.message ?? err), { exit: EXIT_PROVISIONING_FAILED }))
        if (result.status === "failed") {
          if (this.jsonEnabled()) process.exitCode = EXIT_PROVISIONING_FAILED
          else this.error(`failed: ${result.status_message}`, { exit: EXIT_PROVISIONING_FAILED })
        }
      }
      if (!this.jsonEnabled()) this.show(result)
      return result ?? null
    }

    private show(result: any) {
      if (result === undefined || result === null) return this.log("done")
      if (Array.isArray(result.items)) {
        this.log(result.items.length === 0 ? "(none)" : table(result.items, columnsFor(result.items)))
        if (result.has_more) this.log(`more: --cursor ${result.next_cursor} (or --all)`)
        return
      }
      for (const [k, v] of Object.entries(result))
        this.log(`${k.padEnd(16)} ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    }
  } as unknown as Command.Class
}

/** Every generated command by id. */
export const generatedCommands: Record<string, Command.Class> = Object.fromEntries(
  readManifest().map((e) => [e.id, makeCommand(e)]),
)
