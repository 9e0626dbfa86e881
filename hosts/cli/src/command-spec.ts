// What hostctl knows of each contract endpoint, read at start from commands.json: a plain-data
// manifest generated from the contract (`npm run openapi` writes it with docs/openapi.json), so
// starting hostctl loads neither the contract nor Effect. A unit test fails while it is stale.
import { readFileSync } from "node:fs"

/** How a body or query field is typed on the command line. */
export type FieldKind = "string" | "number" | "boolean" | "strings" | "json"

/** A body or query field of an endpoint. */
export interface FieldSpec {
  readonly name: string
  readonly kind: FieldKind
  readonly required: boolean
  readonly description?: string
}

/** One generated command: the endpoint it calls and how its input maps to flags. */
export interface CommandSpec {
  /** oclif id, `brands:list`. */
  readonly id: string
  readonly summary: string
  /** SDK group and endpoint: `client[group][name]`. */
  readonly group: string
  readonly name: string
  readonly method: string
  readonly hasId: boolean
  readonly query: ReadonlyArray<FieldSpec>
  readonly body: ReadonlyArray<FieldSpec>
  readonly hasBody: boolean
  /** A list endpoint (it takes a cursor): `--all` follows it. */
  readonly list: boolean
  /** The GET that shows what an asynchronous create returned, for `--wait`. */
  readonly poller?: { readonly group: string; readonly name: string }
  /** Asks for confirmation (or `--yes`): a DELETE, or an endpoint the contract marks Destructive. */
  readonly destructive: boolean
}

/** The generated file: hosts/cli/commands.json. */
export interface CommandManifest {
  readonly generated: string
  readonly commands: ReadonlyArray<CommandSpec>
}

/** hosts/cli/commands.json (the same path from src/ and dist/). */
export const MANIFEST_URL = new URL("../commands.json", import.meta.url)

/** The manifest's commands. */
export const readManifest = (): ReadonlyArray<CommandSpec> =>
  (JSON.parse(readFileSync(MANIFEST_URL, "utf8")) as CommandManifest).commands
