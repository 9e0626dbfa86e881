/**
 * The handlers of every family's contract groups (health is served on its own, unauthenticated).
 * A family adds its handler file here and one line below.
 */
import { accessHandlers } from "./access.js"
import { certificatesHandlers } from "./certificates.js"
import { databasesHandlers } from "./databases.js"
import { dnsHandlers } from "./dns.js"
import { emailHandlers } from "./email.js"
import { overviewHandlers } from "./overview.js"
import { s3Handlers } from "./s3.js"
import { sshKeysHandlers } from "./ssh-keys.js"
import { tenancyHandlers } from "./tenancy.js"
import { topologyHandlers } from "./topology.js"

export const familyHandlers = [
  ...overviewHandlers,
  ...accessHandlers,
  ...topologyHandlers,
  ...tenancyHandlers,
  ...certificatesHandlers,
  ...sshKeysHandlers,
  ...dnsHandlers,
  ...s3Handlers,
  ...databasesHandlers,
  ...emailHandlers,
] as const
