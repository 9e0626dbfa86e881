// The tool-schema portability rules of the MCP Inspector's `--strict` check, reproduced so a test
// can apply them without the Inspector (@modelcontextprotocol/inspector 2.12.0, a 6 MB package
// with a web UI, Vite and React; `mcp-inspector --cli --method tools/list --strict` exits 6 on an
// error-severity finding). Source: its core/json/schemaLint.ts (bundled in
// clients/cli/build/index.js): the same keyword lists and the four rules —
// - boolean-schema (error): a bare `true`/`false` where a schema object is expected, except as
//   the value of additionalProperties, unevaluatedProperties, additionalItems, unevaluatedItems;
// - untyped-schema (warning): a schema with no validation keyword (accepts anything), except
//   directly under `not`;
// - type-union (warning): `type` given as an array;
// - remote-ref (warning): a `$ref` outside the document when no `$id` is embedded.

/** One finding, as the Inspector reports it. */
export interface Finding {
  readonly rule: "boolean-schema" | "untyped-schema" | "type-union" | "remote-ref"
  readonly severity: "error" | "warning"
  readonly path: string
}

const BOOLEAN_VALUED = new Set(["additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"])
const SUBSCHEMA = [
  "items",
  "contains",
  "not",
  "propertyNames",
  "if",
  "then",
  "else",
  "additionalProperties",
  "unevaluatedProperties",
  "additionalItems",
  "unevaluatedItems",
  "contentSchema",
]
const SUBSCHEMA_ARRAY = ["allOf", "anyOf", "oneOf", "prefixItems"]
const SUBSCHEMA_MAP = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"]
const CONSTRAINING = new Set([
  ...["type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"],
  ...["maxLength", "minLength", "pattern", "format", "contentMediaType", "contentEncoding", "contentSchema"],
  ...["maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties"],
  ...["required", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "items", "prefixItems", "contains"],
  ...["additionalItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties"],
  ...["unevaluatedProperties", "propertyNames", "dependentSchemas", "dependencies", "$ref", "$dynamicRef"],
  "$recursiveRef",
])

type Json = { [key: string]: unknown }
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

const children = (node: Json, path: string): Array<[unknown, string, string]> => {
  const out: Array<[unknown, string, string]> = []
  for (const k of SUBSCHEMA_MAP) {
    const map = node[k]
    if (isRecord(map)) for (const [name, sub] of Object.entries(map)) out.push([sub, `${path}.${k}.${name}`, k])
  }
  for (const k of SUBSCHEMA_ARRAY) {
    const list = node[k]
    if (Array.isArray(list))
      out.push(...list.map((sub, i): [unknown, string, string] => [sub, `${path}.${k}[${i}]`, k]))
  }
  for (const k of SUBSCHEMA) {
    if (!(k in node)) continue
    const v = node[k]
    if (k === "items" && Array.isArray(v))
      out.push(...v.map((sub, i): [unknown, string, string] => [sub, `${path}.${k}[${i}]`, k]))
    else out.push([v, `${path}.${k}`, k])
  }
  return out
}

const declaresId = (node: unknown): boolean =>
  isRecord(node) &&
  ((typeof node["$id"] === "string" && node["$id"] !== "") || children(node, "").some(([c]) => declaresId(c)))

/** The findings for one schema (a tool's inputSchema), paths from its root. */
export const lintSchema = (schema: unknown): Array<Finding> => {
  const findings: Array<Finding> = []
  const embeddedIds = declaresId(schema)
  const walk = (node: unknown, path: string, keyword: string | undefined, depth: number) => {
    if (depth > 64) return
    if (typeof node === "boolean") {
      if (keyword === undefined || !BOOLEAN_VALUED.has(keyword))
        findings.push({ rule: "boolean-schema", severity: "error", path })
      return
    }
    if (!isRecord(node)) return
    if (Array.isArray(node["type"])) findings.push({ rule: "type-union", severity: "warning", path })
    const ref = node["$ref"]
    if (typeof ref === "string" && ref !== "" && !ref.startsWith("#") && !embeddedIds)
      findings.push({ rule: "remote-ref", severity: "warning", path })
    const constrains =
      Object.keys(node).some((k) => CONSTRAINING.has(k)) || ("if" in node && ("then" in node || "else" in node))
    if (!constrains && keyword !== "not") findings.push({ rule: "untyped-schema", severity: "warning", path })
    for (const [child, childPath, childKeyword] of children(node, path)) walk(child, childPath, childKeyword, depth + 1)
  }
  walk(schema, "inputSchema", undefined, 0)
  return findings
}
