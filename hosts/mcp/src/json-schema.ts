// Makes JSON Schemas taken from an OpenAPI document self-contained: MCP clients get each tool's
// input schema on its own, so `#/components/schemas/…` references must not remain in it.

/** A JSON object (schemas are handled as plain data). */
export type JsonObject = { [key: string]: unknown }

/** Whether a value is a JSON object (not an array, not null). */
export const isJsonObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const COMPONENTS = "#/components/schemas/"

/** `#/components/schemas/Brand` → `Brand`; undefined for any other reference. */
export const componentName = (ref: string): string | undefined =>
  ref.startsWith(COMPONENTS) ? ref.slice(COMPONENTS.length).replaceAll("~1", "/").replaceAll("~0", "~") : undefined

/** Inlines component references; schemas inlined by one inliner share its `defs`. */
export interface RefInliner {
  /**
   * A copy of `schema` with every `$ref` into the components replaced by a copy of its target
   * (sibling keywords win) and `$id`s dropped, as they would repeat across the inlined copies.
   */
  inline(schema: unknown): unknown
  /** Components that refer to themselves (directly or not) cannot be inlined; they stay as `#/$defs/Name`. */
  readonly defs: Readonly<Record<string, unknown>>
}

/**
 * An inliner over the document's `components.schemas`. A reference the document does not define
 * throws: the document is derived from the contract, so that is a bug, not input.
 */
export const refInliner = (components: Readonly<Record<string, unknown>>): RefInliner => {
  const defs: Record<string, unknown> = {}
  const walk = (node: unknown, expanding: ReadonlySet<string>): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, expanding))
    if (!isJsonObject(node)) return node
    const { $ref: ref, ...rest } = node
    const siblings: JsonObject = {}
    for (const [k, v] of Object.entries(rest)) {
      if (!(k === "$id" && typeof v === "string")) siblings[k] = walk(v, expanding)
    }
    if (typeof ref !== "string") return siblings
    const name = componentName(ref)
    if (name === undefined || !Object.hasOwn(components, name)) throw new Error(`unresolvable $ref ${ref}`)
    if (expanding.has(name)) {
      if (!Object.hasOwn(defs, name)) {
        defs[name] = {} // placeholder, so the walk below stops at the next self-reference
        defs[name] = walk(components[name], new Set([name]))
      }
      return { ...siblings, $ref: `#/$defs/${name}` }
    }
    const target = walk(components[name], new Set([...expanding, name]))
    return isJsonObject(target) ? { ...target, ...siblings } : target
  }
  return { inline: (schema) => walk(schema, new Set()), defs }
}

// Keywords whose value is a schema, a list of schemas or a map of schemas (JSON Schema 2020-12,
// with the draft-07 names OpenAPI documents still use).
const SCHEMA_KEYWORDS = [
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
const SCHEMA_LIST_KEYWORDS = ["allOf", "anyOf", "oneOf", "prefixItems"]
const SCHEMA_MAP_KEYWORDS = [
  "properties",
  "patternProperties",
  "dependentSchemas",
  "dependencies",
  "$defs",
  "definitions",
]
/** Where clients accept `true`/`false` as they are: "additional" members allowed or not. */
const BOOLEAN_KEYWORDS = new Set([
  "additionalProperties",
  "unevaluatedProperties",
  "additionalItems",
  "unevaluatedItems",
])

/**
 * A copy of `schema` with every bare boolean schema outside the "additional" keywords written in
 * its object form: `false` as `{"not": {}}`, `true` as `{}` (the same meaning). Some MCP clients
 * reject a tool whose schema has a bare boolean where they expect an object; Effect writes one
 * for every fixed-length tuple (`"items": false` after `prefixItems`).
 */
export const withObjectSchemas = (schema: unknown): unknown => {
  const node = (value: unknown, keyword: string | undefined): unknown => {
    if (typeof value === "boolean")
      return keyword !== undefined && BOOLEAN_KEYWORDS.has(keyword) ? value : value ? {} : { not: {} }
    if (!isJsonObject(value)) return value
    const copy: JsonObject = { ...value }
    for (const k of Object.keys(copy)) {
      const v = copy[k]
      // draft-07 `items` may be a list of schemas too
      if (SCHEMA_KEYWORDS.includes(k)) copy[k] = Array.isArray(v) ? v.map((s) => node(s, k)) : node(v, k)
      else if (SCHEMA_LIST_KEYWORDS.includes(k) && Array.isArray(v)) copy[k] = v.map((s) => node(s, k))
      else if (SCHEMA_MAP_KEYWORDS.includes(k) && isJsonObject(v))
        copy[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, node(s, k)]))
    }
    return copy
  }
  return node(schema, undefined)
}
