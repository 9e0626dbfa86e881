/**
 * The contract side of every resource family, in the contract's order (the order of the
 * OpenAPI paths, the SDK and `hostctl`'s commands): its groups and its schemas. Loads no
 * service, so the SDK, the UI and `@hosting/core/api` can use it. A family adds two lines: its
 * export and its groups.
 */
import { accessGroups } from "./access/contract.js"
import { certificatesGroups } from "./certificates/contract.js"
import { databasesGroups } from "./databases/contract.js"
import { dnsGroups } from "./dns/contract.js"
import { emailGroups } from "./email/contract.js"
import { overviewGroups } from "./overview/contract.js"
import { s3Groups } from "./s3/contract.js"
import { sshKeysGroups } from "./ssh-keys/contract.js"
import { tenancyGroups } from "./tenancy/contract.js"
import { topologyGroups } from "./topology/contract.js"

export const familyGroups = [
  ...overviewGroups,
  ...accessGroups,
  ...topologyGroups,
  ...tenancyGroups,
  ...certificatesGroups,
  ...sshKeysGroups,
  ...dnsGroups,
  ...s3Groups,
  ...databasesGroups,
  ...emailGroups,
] as const

export * from "./access/contract.js"
export * from "./certificates/contract.js"
export * from "./databases/contract.js"
export * from "./dns/contract.js"
export * from "./email/contract.js"
export * from "./overview/contract.js"
export * from "./s3/contract.js"
export * from "./ssh-keys/contract.js"
export * from "./tenancy/contract.js"
export * from "./topology/contract.js"
