// Select options and limits read from the SDK's schemas, so a form offers exactly what the API
// accepts and says the limits it enforces.
import { SchemaAST } from "effect"

type AST = SchemaAST.AST

/** The struct(s) a schema decodes: a struct, each member of a union, or what a class wraps. */
const structsOf = (ast: AST): ReadonlyArray<SchemaAST.TypeLiteral> => {
  switch (ast._tag) {
    case "TypeLiteral":
      return [ast]
    case "Union":
      return ast.types.flatMap(structsOf)
    case "Refinement":
      return structsOf(ast.from)
    case "Transformation":
      return structsOf(ast.from)
    case "Suspend":
      return structsOf(ast.f())
    default:
      return []
  }
}

/** The literal values of a schema, in its order; `undefined` and `null` (optional, nullable) are left out. */
const literalsIn = (ast: AST): ReadonlyArray<string> => {
  switch (ast._tag) {
    case "Literal":
      return ast.literal === null ? [] : [String(ast.literal)]
    case "Union":
      return ast.types.flatMap(literalsIn)
    case "Refinement":
      return literalsIn(ast.from)
    case "Transformation":
      return literalsIn(ast.to)
    case "Suspend":
      return literalsIn(ast.f())
    default:
      return []
  }
}

/**
 * The values a literal schema allows (`literalsOf(ResourceStatus)`), or those of one field of a
 * struct, union of structs or class (`literalsOf(RecordInput, "type")`: every member's type).
 */
export const literalsOf = (schema: { readonly ast: AST }, field?: string): ReadonlyArray<string> => {
  const values =
    field === undefined
      ? literalsIn(schema.ast)
      : structsOf(schema.ast).flatMap((s) =>
          s.propertySignatures.filter((p) => p.name === field).flatMap((p) => literalsIn(p.type)),
        )
  return [...new Set(values)]
}

/** What a field's schema bounds, as its JSON Schema says it: lengths of a string, or a number's range. */
export interface Bounds {
  readonly minLength?: number
  readonly maxLength?: number
  readonly minimum?: number
  readonly maximum?: number
}

const BOUND_KEYS = ["minLength", "maxLength", "minimum", "maximum"] as const

/** The bounds its refinements declare (`maxLength(200)`, `between(1, 30)`), through optional and nullable. */
const boundsIn = (ast: AST): Bounds => {
  switch (ast._tag) {
    case "Refinement": {
      const own = (ast.annotations[SchemaAST.JSONSchemaAnnotationId] ?? {}) as Record<string, unknown>
      const found = BOUND_KEYS.filter((k) => typeof own[k] === "number").map((k) => [k, own[k] as number])
      return { ...boundsIn(ast.from), ...Object.fromEntries(found) }
    }
    case "Union":
      return Object.assign({}, ...ast.types.map(boundsIn))
    case "Transformation":
      return boundsIn(ast.to)
    case "Suspend":
      return boundsIn(ast.f())
    default:
      return {}
  }
}

/** The bounds of one field of a struct, union of structs or class (`boundsOf(PutEmailAutoreply, "subject")`). */
export const boundsOf = (schema: { readonly ast: AST }, field: string): Bounds =>
  Object.assign(
    {},
    ...structsOf(schema.ast).flatMap((s) =>
      s.propertySignatures.filter((p) => p.name === field).map((p) => boundsIn(p.type)),
    ),
  )
