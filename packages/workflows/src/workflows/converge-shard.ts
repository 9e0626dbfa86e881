import type {
  ConvergeShardInput,
  DatabaseChangeReport,
  DnsChangeReport,
  LbChangeReport,
  MailChangeReport,
  S3ChangeReport,
  StatusCause,
  WebChangeReport,
} from "@hosting/core/activities"
import { patched } from "@temporalio/workflow"
import { controlPlane, onNode } from "./activities.js"
import { checkShardReplication, followerOf, type NodeReplicationOutcome } from "./database-replication.js"
import { nodeCause } from "./serializer.js"

const cp = controlPlane("60 seconds", { maximumAttempts: 10 })

/** What a convergence did (or, as a plan, would do) on each node. */
export interface ConvergeShardOutcome {
  readonly nodes: number
  /** Every failure: which node, which resource, why. */
  readonly causes: Array<StatusCause>
  readonly changes: Array<
    { readonly node_id: string } & (
      | WebChangeReport["changes"][number]
      | LbChangeReport["changes"][number]
      | DnsChangeReport["changes"][number]
      | DatabaseChangeReport["changes"][number]
      | MailChangeReport["changes"][number]
      | S3ChangeReport["changes"][number]
    )
  >
  readonly reloads: { nginx: number; php: number; haproxy: number }
  /** A database shard with replicas: how each node now replicates from its primary. */
  readonly replication?: Array<NodeReplicationOutcome>
}

/**
 * Converges every node of a shard to the state the database describes, collecting each node's
 * (and each resource's) failure instead of stopping at the first. A web shard gets every tenant,
 * webroot, FQDN and SSH key ensured and orphaned platform files removed, with one reload per
 * daemon per node; an lb shard gets the cluster's whole `fqdn → backend` mapping pushed through
 * HAProxy's runtime API, stale routes removed; a dns shard gets every zone it serves pushed to
 * each PowerDNS and the zones no zone row wants removed; an s3 shard gets exactly its buckets and
 * keys on every node, the platform's other buckets and users removed; other roles are checked to be reachable. With `plan`, nodes only report the
 * changes (a dns shard's nodes are only checked to be reachable).
 */
export async function ConvergeShardWorkflow(input: ConvergeShardInput): Promise<ConvergeShardOutcome> {
  const nodeIds = await cp.shardNodeIds({ shardId: input.shardId })
  const role = await cp.shardRole({ shardId: input.shardId })
  const plan = input.plan === true
  const web = role === "web" ? await cp.webShardSpecs({ shardId: input.shardId }) : undefined
  // an lb shard: every node gets the cluster's whole mapping, stale routes removed, no reload
  const lb = role === "lb" ? await cp.lbShardSpec({ shardId: input.shardId }) : undefined
  // a dns shard: every zone of the brands that may use its cluster (runs started before zones
  // were pushed only checked the nodes, and replay that way)
  const dns =
    role === "dns" && !plan && patched("converge-dns-zones")
      ? await cp.dnsShardZones({ shardId: input.shardId })
      : undefined
  // a database shard: exactly its databases on the nodes that apply them, platform orphans removed
  // (runs started before databases were pushed only checked the nodes, and replay that way)
  const database =
    role === "database" && patched("converge-databases")
      ? await cp.databaseShardSpecs({ shardId: input.shardId })
      : undefined
  // with a primary and replicas, every other node is made to follow the primary (seeded from it
  // when it cannot continue its own history); runs started before only checked them, and replay so
  const primaryId =
    database !== undefined &&
    !plan &&
    database.nodes.length === 1 &&
    nodeIds.length > 1 &&
    patched("converge-database-replication")
      ? database.nodes[0]?.nodeId
      : undefined
  // the replicas' state first (recorded too): a replica its applier stopped on is seeded, not followed
  const follow =
    primaryId === undefined
      ? undefined
      : followerOf(
          primaryId,
          input.nodeTimeoutSeconds,
          await checkShardReplication(
            { shardId: input.shardId, nodeIds, primaryNodeId: primaryId },
            input.nodeTimeoutSeconds,
          ),
        )
  // an email shard: exactly its mail domains on every node, other domains and their mail removed
  const email =
    role === "email" && patched("converge-mail") ? await cp.mailShardDomains({ shardId: input.shardId }) : undefined
  // an s3 shard: exactly its buckets and keys on every node, the platform's other buckets removed
  // (runs started before buckets were pushed only checked the nodes, and replay that way)
  const s3 = role === "s3" && patched("converge-s3") ? await cp.s3ShardBuckets({ shardId: input.shardId }) : undefined
  const outcome: ConvergeShardOutcome = {
    nodes: nodeIds.length,
    causes: [],
    changes: [],
    reloads: { nginx: 0, php: 0, haproxy: 0 },
    ...(follow === undefined ? {} : { replication: [] }),
  }
  await Promise.all(
    nodeIds.map(async (nodeId) => {
      // a node whose agent does not answer within the timeout is reported, not waited on
      const node = onNode(nodeId, {
        timeoutSeconds: input.nodeTimeoutSeconds,
        startToClose: "10 minutes",
        heartbeat: true,
        initialInterval: "1 second",
      })
      try {
        if (lb !== undefined) {
          const report = await node.ensureLb({ spec: lb, plan })
          outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
          outcome.reloads.haproxy += report.reloads.haproxy
          return
        }
        if (dns !== undefined) {
          // zone by zone, so one zone PowerDNS refuses does not keep the others from the node
          for (const z of dns.zones) {
            try {
              const report = await node.ensureZone({ zone: z.zone, rrsets: z.rrsets })
              outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
            } catch (err) {
              outcome.causes.push({ ...nodeCause(nodeId, err), resource_type: "zone", resource_id: z.zone })
            }
          }
          // then the zones nobody wants there any more (runs started before this replay without)
          if (patched("converge-dns-orphans")) {
            const wanted = new Set(dns.zones.map((z) => z.zone))
            for (const zone of (await node.listZones()).filter((z) => !wanted.has(z))) {
              const report = await node.removeZone({ zone })
              outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
            }
          }
          return
        }
        if (database !== undefined) {
          const databases = database.nodes.find((n) => n.nodeId === nodeId)?.databases
          // a replica of the shard's primary follows it by replication, never by ensures
          if (databases === undefined) {
            if (follow !== undefined) outcome.replication?.push(await follow(nodeId))
            else await node.describeNode()
            return
          }
          const report = await node.convergeDatabases({ databases, plan })
          outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
          if (follow !== undefined) outcome.replication?.push({ node_id: nodeId, outcome: "primary" })
          return
        }
        if (email !== undefined) {
          const report = await node.convergeMail({ domains: email.domains, plan })
          outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
          outcome.causes.push(
            ...report.rejected.map((r) => ({
              node_id: nodeId,
              resource_type: "email_address",
              resource_id: r.address,
              message: r.reason,
            })),
          )
          return
        }
        if (s3 !== undefined) {
          const report = await node.convergeS3({ buckets: s3.buckets, plan })
          outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
          outcome.causes.push(
            // a bucket by its name (unique on the platform); an orphaned owner by its tenant's
            ...report.errors.map((e) => ({
              node_id: nodeId,
              ...(e.name === ""
                ? { resource_type: "s3_owner", resource_id: e.tenant }
                : { resource_type: "s3_bucket", resource_id: e.name }),
              message: e.message,
            })),
          )
          return
        }
        if (web === undefined) {
          await node.describeNode()
          return
        }
        const tenants = web.nodes.find((n) => n.nodeId === nodeId)?.tenants ?? []
        const report = await node.convergeWeb({ tenants, plan })
        outcome.changes.push(...report.changes.map((c) => ({ node_id: nodeId, ...c })))
        outcome.causes.push(
          ...report.errors.map((e) => ({
            node_id: nodeId,
            resource_type: "tenant",
            resource_id: e.tenant,
            message: e.message,
          })),
        )
        outcome.reloads.nginx += report.reloads.nginx
        outcome.reloads.php += report.reloads.php
      } catch (err) {
        outcome.causes.push(nodeCause(nodeId, err))
      }
    }),
  )
  if (plan) return outcome
  // a tenant changed while we converged from an older snapshot: its own sync puts it right
  if (web !== undefined) await cp.resyncTenantsChangedSince({ shardId: input.shardId, revision: web.revision })
  // likewise a name bound while an lb shard converged from an older read: the cluster's LB sync adds it
  if (lb !== undefined) await cp.requestLbSyncOfShard({ shardId: input.shardId })
  // and a database changed meanwhile: its own sync puts it right
  if (database !== undefined) {
    await cp.resyncDatabasesChangedSince({ shardId: input.shardId, revision: database.revision })
  }
  // what the replicas say now, for GET /shards/{id}/replication
  if (primaryId !== undefined)
    await checkShardReplication({ shardId: input.shardId, nodeIds, primaryNodeId: primaryId }, input.nodeTimeoutSeconds)
  if (email !== undefined) {
    await cp.resyncMailDomainsChangedSince({ shardId: input.shardId, revision: email.revision })
  }
  if (s3 !== undefined) await cp.resyncS3BucketsChangedSince({ shardId: input.shardId, revision: s3.revision })
  await cp.finishShardConverge({ shardId: input.shardId, causes: outcome.causes })
  return outcome
}
