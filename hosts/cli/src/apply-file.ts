// Reading the YAML files of `cluster apply` and `seed`; loaded by those commands when they run.
import { readFileSync } from "node:fs"
import { Schema } from "effect"
import { parse } from "yaml"

/** Parses a YAML file; errors name the file. */
export const loadYaml = (file: string): unknown => {
  try {
    return parse(readFileSync(file, "utf8"))
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`)
  }
}

/** Decodes a parsed file with a Schema; errors name the file and every failing path. */
export const decodeFile = <A, I>(file: string, raw: unknown, schema: Schema.Schema<A, I>): A => {
  const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "all" })(raw)
  if (decoded._tag === "Left") throw new Error(`${file}: ${decoded.left.message}`)
  return decoded.right
}

/** Reads a YAML file and decodes it with a Schema. */
export const readYaml = <A, I>(file: string, schema: Schema.Schema<A, I>): A => decodeFile(file, loadYaml(file), schema)
