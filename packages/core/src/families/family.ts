import type { SqlClient } from "@effect/sql/SqlClient"
import type { Effect, Layer } from "effect"

/** One numbered schema migration (`0009_databases`): released ones are never edited. */
export type Migration = Effect.Effect<unknown, unknown, SqlClient>

/**
 * What a resource family registers with the platform, besides its contract groups (which the
 * contract entry lists on its own, in `families/contract.ts`, so the contract loads no service):
 * the services the API serves, the services other families' writers use (its sync starter), and
 * its numbered migrations. `families/index.ts` lists every family once; the API host builds its
 * layers and the Migrator its record from that list.
 */
export interface ResourceFamily<S extends Layer.Layer.Any, P extends Layer.Layer.Any> {
  readonly name: string
  /** The services its contract groups' handlers use. */
  readonly services: ReadonlyArray<S>
  /** Services other families' services use too (sync starters, issuance); built once. */
  readonly provides: ReadonlyArray<P>
  /** Its numbered migrations; numbers are platform-wide (the Migrator refuses a repeated one). */
  readonly migrations: Readonly<Record<string, Migration>>
}

/** Declares a family; keeps its layers' exact types so the API host's layers stay checked. */
export const defineFamily = <S extends Layer.Layer.Any = never, P extends Layer.Layer.Any = never>(family: {
  readonly name: string
  readonly services?: ReadonlyArray<S>
  readonly provides?: ReadonlyArray<P>
  readonly migrations?: Readonly<Record<string, Migration>>
}): ResourceFamily<S, P> => ({
  name: family.name,
  services: family.services ?? [],
  provides: family.provides ?? [],
  migrations: family.migrations ?? {},
})
