/**
 * Every resource family, once. The API host builds its service layers from this list, the
 * Migrator its record (with the released 0001–0008 in sql/migrations.ts); `@hosting/core` exports
 * what each family's index exports. A family adds two lines here; its contract groups are listed
 * in `families/contract.ts`.
 */
import { Layer } from "effect"
import { accessFamily } from "./access/index.js"
import { certificatesFamily } from "./certificates/index.js"
import { databasesFamily } from "./databases/index.js"
import { dnsFamily } from "./dns/index.js"
import { emailFamily } from "./email/index.js"
import { lbFamily } from "./lb/index.js"
import { overviewFamily } from "./overview/index.js"
import { s3Family } from "./s3/index.js"
import { sshKeysFamily } from "./ssh-keys/index.js"
import { tenancyFamily } from "./tenancy/index.js"
import { topologyFamily } from "./topology/index.js"

export const families = [
  overviewFamily,
  accessFamily,
  topologyFamily,
  tenancyFamily,
  certificatesFamily,
  sshKeysFamily,
  dnsFamily,
  s3Family,
  lbFamily,
  databasesFamily,
  emailFamily,
] as const

type Registered = (typeof families)[number]

// distributive over a union of layers (Layer.Layer.Success is not)
type Out<L> = L extends Layer.Layer<infer A, infer _E, infer _R> ? A : never
type Err<L> = L extends Layer.Layer<infer _A, infer E, infer _R> ? E : never
type In<L> = L extends Layer.Layer<infer _A, infer _E, infer R> ? R : never

// one layer of many; the array's element type keeps every member's services and requirements
const mergeLayers = <L extends Layer.Layer.Any>(layers: ReadonlyArray<L>): Layer.Layer<Out<L>, Err<L>, In<L>> =>
  Layer.mergeAll(...(layers as unknown as [Layer.Layer<never>])) as never

/**
 * Every family's services, with the services families share (sync starters, issuance) built once
 * and kept in the output (the API's bootstrap asks the LB sync). Needs the database, the workflow
 * engine and the certificate inspector.
 */
export const familyServices = mergeLayers(families.flatMap<Registered["services"][number]>((f) => f.services)).pipe(
  Layer.provideMerge(mergeLayers(families.flatMap<Registered["provides"][number]>((f) => f.provides))),
)

export * from "./access/index.js"
export * from "./certificates/index.js"
export * from "./databases/index.js"
export * from "./dns/index.js"
export * from "./email/index.js"
export * from "./family.js"
export * from "./lb/index.js"
export * from "./overview/index.js"
export * from "./s3/index.js"
export * from "./ssh-keys/index.js"
export * from "./tenancy/index.js"
export * from "./topology/index.js"
