import * as os from "node:os"
import type { NodeActivities, NodeFactsJson } from "@hosting/core/node"
import { ApplicationFailure } from "@temporalio/activity"
import type { AgentRole, RoleActivities } from "./roles.js"

/** What the agent knows about itself, fixed at start. */
export interface AgentIdentity {
  readonly nodeId: string
  readonly version: string
}

const notServed = (role: string) => () =>
  Promise.reject(ApplicationFailure.nonRetryable(`this agent does not serve the ${role} role`, "RoleNotServed"))

// What an agent answers for a role it does not serve: a refusal that is never retried.
const unserved: Required<RoleActivities> = {
  ensureTenant: notServed("web"),
  removeTenant: notServed("web"),
  // a node of a web shard that hosts nothing needs nothing, whether or not it runs the role
  convergeWeb: ({ tenants }) =>
    tenants.length === 0
      ? Promise.resolve({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })
      : notServed("web")(),
  exportTenantFiles: notServed("web"),
  importTenantFiles: notServed("web"),
  putAcmeChallenges: notServed("web"),
  removeAcmeChallenges: notServed("web"),
  ensureLb: notServed("lb"),
  ensureZone: notServed("dns"),
  removeZone: notServed("dns"),
  listZones: notServed("dns"),
  ensureDatabase: notServed("database"),
  removeDatabase: notServed("database"),
  // a node of a database shard that holds no database needs nothing, whether or not it runs the role
  convergeDatabases: ({ databases }) =>
    databases.length === 0 ? Promise.resolve({ changes: [] }) : notServed("database")(),
  describeDatabaseServer: notServed("database"),
  dumpDatabase: notServed("database"),
  importDatabase: notServed("database"),
  replicationStatus: notServed("database"),
  replicationSource: notServed("database"),
  followPrimary: notServed("database"),
  offerReplicaSeed: notServed("database"),
  seedFromPrimary: notServed("database"),
  promote: notServed("database"),
  demote: notServed("database"),
  catchUp: notServed("database"),
  reopen: notServed("database"),
  ensureMailDomain: notServed("email"),
  removeMailDomain: notServed("email"),
  // a node of an email shard that hosts no domain needs nothing, whether or not it runs the role
  convergeMail: ({ domains }) =>
    domains.length === 0
      ? Promise.resolve({ changes: [], reloads: { postfix: 0, dovecot: 0, opendkim: 0 }, flushed: [], rejected: [] })
      : notServed("email")(),
  describeMailServer: notServed("email"),
  ensureBucket: notServed("s3"),
  removeBucket: notServed("s3"),
  // a node of an s3 shard that holds no bucket needs nothing, whether or not it runs the role
  convergeS3: ({ buckets }) =>
    buckets.length === 0 ? Promise.resolve({ changes: [], errors: [] }) : notServed("s3")(),
  bucketUsage: notServed("s3"),
  describeS3: notServed("s3"),
}

/** The facts `describeNode` reports: every agent serves it, whatever its roles. */
const describeNode = (identity: AgentIdentity): NodeFactsJson => {
  const [l1, l5, l15] = os.loadavg() as [number, number, number]
  return {
    hostname: os.hostname(),
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    agent_version: identity.version,
    uptime_seconds: Math.round(os.uptime()),
    load_average: [l1, l5, l15],
    memory_total_bytes: os.totalmem(),
    memory_free_bytes: os.freemem(),
    cpus: os.cpus().length,
    reported_at: new Date().toISOString(),
  }
}

/** Node activities served on this node's task queue: each role's own, refusals for the rest. */
export const createNodeActivities = (identity: AgentIdentity, roles: ReadonlyArray<AgentRole>): NodeActivities =>
  Object.assign(
    { describeNode: () => Promise.resolve(describeNode(identity)) },
    unserved,
    ...roles.map((r) => r.activities),
  )
