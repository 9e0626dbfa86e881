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
