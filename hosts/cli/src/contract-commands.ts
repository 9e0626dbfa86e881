// Derives hostctl's command manifest from the contract: one command per endpoint (`hostctl
// brands list`, `hostctl shards converge ID --plan`), flags from its path, query and body
// Schemas. Adding an endpoint to the contract adds its command; nothing here names a resource.
// Run at build time (write-manifest.ts) and by the staleness test, never when hostctl starts.
import { HttpApi, OpenApi } from "@effect/platform"
import { Destructive, HostingApi } from "@hosting/sdk"
import { Context, Option, SchemaAST } from "effect"
import type { CommandManifest, CommandSpec, FieldKind, FieldSpec } from "./command-spec.js"

const kebab = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase()

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

const fieldsOf = (schema: { readonly ast: SchemaAST.AST } | undefined): Array<FieldSpec> => {
  if (schema === undefined) return []
  const ast = SchemaAST.typeAST(schema.ast)
  if (ast._tag !== "TypeLiteral") return []
  return ast.propertySignatures.map((p) => {
    const description = Option.getOrUndefined(SchemaAST.getDescriptionAnnotation(p.type))
    return {
      name: String(p.name),
      kind: kindOf(p.type),
      required: !p.isOptional,
      ...(description === undefined ? {} : { description }),
    }
  })
}

// Success schemas are re-annotated per endpoint (status codes), so compare what they are called.
const schemaName = (ast: SchemaAST.AST | undefined) => {
  if (ast === undefined) return undefined
  const t = SchemaAST.typeAST(ast)
  return (
    Option.getOrUndefined(SchemaAST.getIdentifierAnnotation(t)) ??
    Option.getOrUndefined(SchemaAST.getTitleAnnotation(t))
  )
}

interface Endpoint {
  readonly spec: Omit<CommandSpec, "poller">
  readonly success: string | undefined
}

/** Every command of the contract's /api/v1 endpoints, in contract order. */
export const deriveCommandSpecs = (api: HttpApi.HttpApi.AnyWithProps = HostingApi as never): Array<CommandSpec> => {
  const endpoints: Array<Endpoint> = []
  HttpApi.reflect(api, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint, successes, mergedAnnotations }) => {
      if (!endpoint.path.startsWith("/api/v1/")) return
      const payload = Option.getOrUndefined(endpoint.payloadSchema)
      const query = fieldsOf(Option.getOrUndefined(endpoint.urlParamsSchema))
      const summary = Option.getOrElse(Context.getOption(mergedAnnotations, OpenApi.Summary), () => endpoint.name)
      endpoints.push({
        spec: {
          id: `${kebab(group.identifier)}:${kebab(endpoint.name)}`,
          summary: `${summary} (${endpoint.method} ${endpoint.path})`,
          group: group.identifier,
          name: endpoint.name,
          method: endpoint.method,
          hasId: endpoint.path.includes(":id"),
          query,
          body: endpoint.method === "GET" ? [] : fieldsOf(payload),
          hasBody: endpoint.method !== "GET" && payload !== undefined,
          list: query.some((f) => f.name === "cursor"),
          destructive: Option.getOrElse(
            Context.getOption(mergedAnnotations, Destructive),
            () => endpoint.method === "DELETE",
          ),
        },
        success: schemaName(Option.getOrUndefined([...successes.values()][0]?.ast ?? Option.none())),
      })
    },
  })
  // the GET by id of the same group that returns what an asynchronous POST returned, for --wait
  const pollerFor = (e: Endpoint) =>
    e.spec.method !== "POST" || e.success === undefined
      ? undefined
      : endpoints.find(
          (o) =>
            o !== e &&
            o.spec.group === e.spec.group &&
            o.spec.method === "GET" &&
            o.spec.hasId &&
            o.success === e.success,
        )
  return endpoints.map((e) => {
    const poller = pollerFor(e)
    return poller === undefined ? e.spec : { ...e.spec, poller: { group: poller.spec.group, name: poller.spec.name } }
  })
}

/** The text of commands.json for these commands. */
export const renderManifest = (commands: ReadonlyArray<CommandSpec>): string => {
  const manifest: CommandManifest = {
    generated: "from the contract by `npm run openapi` (hosts/cli/src/write-manifest.ts); do not edit",
    commands,
  }
  return `${JSON.stringify(manifest, null, 2)}\n`
}
