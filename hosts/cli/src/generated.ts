// Resource commands derived from the contract: one command per endpoint (`hostctl brands list`,
// `hostctl shards converge ID --plan`), flags from its path, query and body Schemas. Adding an
// endpoint to the contract adds its command; nothing here names a resource.
import { readFileSync } from "node:fs"
import { HttpApi, OpenApi } from "@effect/platform"
import { HostingApi } from "@hosting/sdk"
import { Args, type Command, Flags, type Interfaces } from "@oclif/core"
import { Context, Option, SchemaAST } from "effect"
import { columnsFor, EXIT_PROVISIONING_FAILED, HostingCommand, table, waitForStatus } from "./base.js"

const kebab = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase()

type FieldKind = "string" | "number" | "boolean" | "strings" | "json"

/** How a body or query field is typed on the command line. */
const kindOf = (ast: SchemaAST.AST): FieldKind => {
  const t = SchemaAST.typeAST(ast)
  switch (t._tag) {
    case "StringKeyword":
    case "TemplateLiteral":
      return "string"
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "Literal":
      return typeof t.literal === "number" ? "number" : typeof t.literal === "boolean" ? "boolean" : "string"
    case "Refinement":
      return kindOf(t.from)
    case "Union": {
      const kinds = new Set(
        t.types
          .filter(
            (m) =>
              (m._tag !== "UndefinedKeyword" && m._tag !== "Literal") || (m._tag === "Literal" && m.literal !== null),
          )
          .map(kindOf),
      )
      return kinds.size === 1 ? [...kinds][0]! : "json"
    }
    case "TupleType":
      return t.elements.length === 0 && t.rest.length === 1 && kindOf(t.rest[0]!.type) === "string" ? "strings" : "json"
    default:
      return "json"
  }
}

interface Field {
  readonly name: string
  readonly kind: FieldKind
  readonly required: boolean
  readonly description: string | undefined
}

const fieldsOf = (schema: { readonly ast: SchemaAST.AST } | undefined): Array<Field> => {
  if (schema === undefined) return []
  const ast = SchemaAST.typeAST(schema.ast)
  if (ast._tag !== "TypeLiteral") return []
  return ast.propertySignatures.map((p) => ({
    name: String(p.name),
    kind: kindOf(p.type),
    required: !p.isOptional,
    description: Option.getOrUndefined(SchemaAST.getDescriptionAnnotation(p.type)),
  }))
}

const flagFor = (f: Field, helpGroup: string) => {
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

const parseField = (f: Field, raw: unknown): unknown => {
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

interface EndpointInfo {
  readonly group: string
  readonly name: string
  readonly method: string
  readonly path: string
  readonly hasId: boolean
  readonly query: Array<Field>
  readonly body: Array<Field>
  readonly hasBody: boolean
  readonly success: SchemaAST.AST | undefined
  readonly description: string
}

const endpoints: Array<EndpointInfo> = []
HttpApi.reflect(HostingApi as unknown as HttpApi.HttpApi.AnyWithProps, {
  onGroup: () => {},
  onEndpoint: ({ group, endpoint, successes, mergedAnnotations }) => {
    if (!endpoint.path.startsWith("/api/v1/")) return
    const payload = Option.getOrUndefined(endpoint.payloadSchema)
    const query = Option.getOrUndefined(endpoint.urlParamsSchema)
    endpoints.push({
      group: group.identifier,
      name: endpoint.name,
      method: endpoint.method,
      path: endpoint.path,
      hasId: endpoint.path.includes(":id"),
      query: fieldsOf(query),
      body: endpoint.method === "GET" ? [] : fieldsOf(payload),
      hasBody: endpoint.method !== "GET" && payload !== undefined,
      success: Option.getOrUndefined([...successes.values()][0]?.ast ?? Option.none()),
      description: `${Option.getOrElse(Context.getOption(mergedAnnotations, OpenApi.Summary), () => endpoint.name)} (${endpoint.method} ${endpoint.path})`,
    })
  },
})

// Success schemas are re-annotated per endpoint (status codes), so compare what they are called.
const schemaName = (ast: SchemaAST.AST | undefined) => {
  if (ast === undefined) return undefined
  const t = SchemaAST.typeAST(ast)
  return (
    Option.getOrUndefined(SchemaAST.getIdentifierAnnotation(t)) ??
    Option.getOrUndefined(SchemaAST.getTitleAnnotation(t))
  )
}
const sameSchema = (a: SchemaAST.AST | undefined, b: SchemaAST.AST | undefined) =>
  schemaName(a) !== undefined && schemaName(a) === schemaName(b)

/** The GET by id of the same group that returns what an async command returned, for --wait. */
const pollerFor = (e: EndpointInfo) =>
  endpoints.find(
    (o) => o.group === e.group && o.method === "GET" && o.hasId && o !== e && sameSchema(o.success, e.success),
  )

const makeCommand = (e: EndpointInfo): Command.Class => {
  const isList = e.query.some((f) => f.name === "cursor")
  const poller = e.method === "POST" ? pollerFor(e) : undefined
  const flags: Interfaces.FlagInput = {}
  for (const f of e.query) flags[kebab(f.name)] = flagFor(f, "QUERY")
  for (const f of e.body) flags[kebab(f.name)] = flagFor(f, "BODY")
  if (e.hasBody)
    flags["data"] = Flags.string({
      char: "d",
      description: "the whole request body as JSON, or @file",
      helpGroup: "BODY",
    })
  if (isList) flags["all"] = Flags.boolean({ description: "follow next_cursor until the last page" })
  if (poller) {
    flags["wait"] = Flags.boolean({ description: "wait until it is active or failed", default: true, allowNo: true })
    flags["timeout"] = Flags.integer({ description: "seconds to wait", default: 300, min: 1 })
  }
  if (e.method === "DELETE") flags["yes"] = Flags.boolean({ char: "y", description: "do not ask for confirmation" })

  return class extends HostingCommand {
    static override id = `${kebab(e.group)}:${kebab(e.name)}`
    static override summary = e.description
    static override args = e.hasId ? { id: Args.string({ description: "id (UUID)", required: true }) } : {}
    static override flags = flags

    async run(): Promise<unknown> {
      const { args, flags: given } = await this.parse(this.constructor as Command.Class)
      const f = given as Record<string, unknown>
      if (e.method === "DELETE" && !f["yes"] && !this.jsonEnabled()) {
        if (!process.stdin.isTTY) this.error("refusing to delete without --yes (no terminal to ask on)", { exit: 2 })
        const answer = await new Promise<string>((res) => {
          process.stdout.write(`delete ${(args as { id: string }).id}? [y/N] `)
          process.stdin.once("data", (d) => res(String(d).trim()))
        })
        if (answer.toLowerCase() !== "y") this.error("not deleted", { exit: 1 })
      }
      const request: Record<string, unknown> = {}
      if (e.hasId) request["path"] = { id: (args as { id: string }).id }
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
      const client = this.client(f["api-url"] as string | undefined) as unknown as Record<
        string,
        Record<string, (r?: unknown) => Promise<any>>
      >
      const call = client[e.group]![e.name]!
      const invoke = (r: Record<string, unknown>) => this.call(Object.keys(r).length === 0 ? call() : call(r))
      let result = await invoke(request)
      if (isList && f["all"]) {
        const items = [...result.items]
        while (result.has_more) {
          const q = { ...(request["urlParams"] as object), cursor: result.next_cursor }
          result = await invoke({ ...request, urlParams: q })
          items.push(...result.items)
        }
        result = { items, next_cursor: null, has_more: false }
      }
      if (poller && f["wait"] && typeof result?.id === "string" && typeof result?.status === "string") {
        const get = client[poller.group]![poller.name]!
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
  endpoints.map((e) => {
    const c = makeCommand(e)
    return [c.id, c]
  }),
)
