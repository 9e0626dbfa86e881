import * as os from "node:os"
import type { NodeActivities, NodeFactsJson, WebChangeReport } from "@hosting/core/node"
import {
  AcmeChallenge,
  Hostname,
  isAtOrUnder,
  LbSpec,
  Rrset,
  TenantName,
  TenantSpec,
  withoutDot,
} from "@hosting/core/node"
import { ApplicationFailure, Context } from "@temporalio/activity"
import { ParseResult, Schema } from "effect"
import type { DnsNode } from "./dns/node.js"
import type { LbNode } from "./lb/node.js"
import { ConfigRejected, type WebNode } from "./web/node.js"

/** What the agent knows about itself, fixed at start. */
export interface AgentIdentity {
  readonly nodeId: string
  readonly version: string
}

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => {
  const result = Schema.decodeUnknownEither(schema)(input)
  if (result._tag === "Left")
    throw ApplicationFailure.nonRetryable(ParseResult.TreeFormatter.formatErrorSync(result.left), "InvalidSpec")
  return result.right
}

// A configuration a daemon refuses will be refused again: fail at once with its message. Anything
// else (a daemon restarting, a busy /etc/passwd) is retried by Temporal. While the work runs the
// activity heartbeats, so an agent killed mid-way is noticed within the heartbeat timeout and the
// activity retried on the restarted agent, instead of after the whole start-to-close timeout.
const classify = async <A>(f: () => Promise<A>): Promise<A> => {
  const beat = setInterval(() => Context.current().heartbeat(), 1000)
  try {
    return await f()
  } catch (e) {
    if (e instanceof ConfigRejected) throw ApplicationFailure.nonRetryable(e.message, "ConfigRejected")
    throw e
  } finally {
    clearInterval(beat)
  }
}

/** Node activities served on this node's task queue; the web ones need a WebNode, the LB one an LbNode. */
export const createNodeActivities = (
  identity: AgentIdentity,
  web?: WebNode,
  lb?: LbNode,
  dns?: DnsNode,
): NodeActivities => {
  const needWeb = (): WebNode => {
    if (web === undefined)
      throw ApplicationFailure.nonRetryable("this agent does not serve the web role", "RoleNotServed")
    return web
  }
  const needLb = (): LbNode => {
    if (lb === undefined)
      throw ApplicationFailure.nonRetryable("this agent does not serve the lb role", "RoleNotServed")
    return lb
  }
  const needDns = (): DnsNode => {
    if (dns === undefined)
      throw ApplicationFailure.nonRetryable("this agent does not serve the dns role", "RoleNotServed")
    return dns
  }
  return {
    describeNode: async (): Promise<NodeFactsJson> => {
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
    },
    ensureTenant: ({ spec }): Promise<WebChangeReport> =>
      classify(() => needWeb().ensureTenant(decode(TenantSpec, spec))),
    exportTenantFiles: ({ tenant }) => classify(() => needWeb().exportTenantFiles(decode(TenantName, tenant))),
    importTenantFiles: ({ tenant, archive }) =>
      classify(() => needWeb().importTenantFiles(decode(TenantName, tenant), archive)),
    removeTenant: ({ tenant }): Promise<WebChangeReport> =>
      classify(() => needWeb().removeTenant(decode(TenantName, tenant))),
    convergeWeb: ({ tenants, plan }): Promise<WebChangeReport> => {
      // a node of a web shard that hosts nothing needs nothing, whether or not it runs the role
      if (web === undefined && tenants.length === 0)
        return Promise.resolve({ changes: [], reloads: { nginx: 0, php: 0 }, errors: [] })
      return classify(() => needWeb().converge(decode(Schema.Array(TenantSpec), tenants), plan))
    },
    ensureLb: ({ spec, plan }) => classify(() => needLb().apply(decode(LbSpec, spec), plan)),
    ensureZone: ({ zone, rrsets }) =>
      classify(() => {
        const name = decode(Hostname, zone)
        const sets = decode(Schema.Array(Rrset), rrsets)
        // defence in depth: a zone's data never reaches outside the zone
        const outside = sets.find((r) => !isAtOrUnder(withoutDot(r.name), withoutDot(name)))
        if (outside !== undefined)
          throw ApplicationFailure.nonRetryable(`${outside.name} is outside the zone ${name}`, "InvalidSpec")
        return needDns().ensureZone(name, sets)
      }),
    removeZone: ({ zone }) => classify(() => needDns().removeZone(decode(Hostname, zone))),
    putAcmeChallenges: ({ challenges }) =>
      classify(() => needWeb().putAcmeChallenges(decode(Schema.Array(AcmeChallenge), challenges))),
    removeAcmeChallenges: ({ tokens }) =>
      classify(() => needWeb().removeAcmeChallenges(decode(Schema.Array(AcmeChallenge.fields.token), tokens))),
  }
}
