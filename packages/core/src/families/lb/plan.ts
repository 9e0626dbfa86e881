import { Schema } from "effect"
import { Hostname, IpAddress, ipFamily } from "../../domain/validation.js"

/**
 * Load-balancer planning: what an LB node's HAProxy must contain, as data. The control plane
 * sends an LbSpec (one backend per web shard of the cluster: its web nodes and the host names
 * routed to it); the agent renders the config and the `fqdn → backend` map from it here, and
 * plans the runtime-API changes that turn the map HAProxy holds into the desired one.
 */

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/** HAProxy backend of one web shard: `shard-{shard id}` (stable across shard renames). */
export const LbBackendName = Schema.String.pipe(
  Schema.pattern(new RegExp(`^shard-${UUID}$`)),
  Schema.annotations({ title: "LbBackendName" }),
)

/** HAProxy server name of one web node: `node-{node id}`. */
export const LbServerName = Schema.String.pipe(
  Schema.pattern(new RegExp(`^node-${UUID}$`)),
  Schema.annotations({ title: "LbServerName" }),
)

/** The backend a web shard's host names are routed to. */
export const lbBackendName = (shardId: string): string => `shard-${shardId.toLowerCase()}`
/** The server entry of a web node in its shard's backend. */
export const lbServerName = (nodeId: string): string => `node-${nodeId.toLowerCase()}`

/** A TCP port. */
export const Port = Schema.Int.pipe(Schema.between(1, 65535), Schema.annotations({ title: "Port" }))

/** A host name as the map holds it: lower case, no trailing dot (the frontend lower-cases Host). */
export const LbHost = Hostname.pipe(Schema.filter((h) => !h.endsWith(".") || "must not end with a dot"))

/** One web node behind the LB. */
export const LbServer = Schema.Struct({ name: LbServerName, address: IpAddress, port: Port })
/** One web node behind the LB. */
export type LbServer = typeof LbServer.Type

/** One web shard: its nodes, and every host name routed to it. */
export const LbBackend = Schema.Struct({
  name: LbBackendName,
  servers: Schema.Array(LbServer).pipe(Schema.maxItems(256)),
  hosts: Schema.Array(LbHost).pipe(Schema.maxItems(1_000_000)),
})
/** One web shard behind the LB. */
export type LbBackend = typeof LbBackend.Type

/**
 * Desired state of an LB node: every backend and every route of its cluster. Hosts are grouped
 * by backend (compact on the wire), so a route can only name a backend the config has: HAProxy
 * would answer 503 for a map value naming a missing backend rather than refuse it.
 */
export const LbSpec = Schema.Struct({ backends: Schema.Array(LbBackend).pipe(Schema.maxItems(1000)) }).pipe(
  Schema.filter((spec) => {
    const names = new Set(spec.backends.map((b) => b.name))
    if (names.size !== spec.backends.length) return "backend names must be unique"
    const hosts = new Set<string>()
    for (const b of spec.backends)
      for (const h of b.hosts) {
        if (hosts.has(h)) return `host ${h} is routed to more than one backend`
        hosts.add(h)
      }
    for (const b of spec.backends)
      if (new Set(b.servers.map((s) => s.name)).size !== b.servers.length) return `servers of ${b.name} must be unique`
    return true
  }),
)
/** Desired state of an LB node. */
export type LbSpec = typeof LbSpec.Type

/** Where an LB node keeps its HAProxy; configuration of the agent. */
export interface LbLayout {
  /** Root directory: config, map, admin socket and pid file live here. */
  readonly root: string
  /** Address and port of the HTTP frontend. */
  readonly listen: { readonly host: string; readonly port: number }
}

/** Files of an LB node's HAProxy under its root. */
export const lbPaths = (root: string) => ({
  config: `${root}/haproxy.cfg`,
  map: `${root}/hosts.map`,
  socket: `${root}/admin.sock`,
  pid: `${root}/haproxy.pid`,
})

/** Backend answering hosts the map does not know. */
export const UNKNOWN_HOST_BACKEND = "hp_unknown_host"

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const hostPort = (address: string, port: number) =>
  ipFamily(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`

/**
 * The whole HAProxy configuration of an LB node. It depends on the backends and their servers
 * only, never on the routes: binding a name changes the map through the runtime API, not this
 * file, so it never needs a reload. Every value is allow-listed by the Schemas above.
 */
export const renderHaproxyConfig = (layout: LbLayout, backends: ReadonlyArray<Omit<LbBackend, "hosts">>): string => {
  const p = lbPaths(layout.root)
  const lines = [
    "# written by the hosting agent (edits are overwritten)",
    "global",
    `  stats socket ${p.socket} mode 600 level admin expose-fd listeners`,
    "  stats timeout 2m",
    `  pidfile ${p.pid}`,
    // a reload's old process finishes its requests, but not for ever
    "  hard-stop-after 30s",
    "defaults",
    "  mode http",
    "  option forwardfor",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 60s",
    "  timeout http-request 10s",
    "frontend hp_http",
    `  bind ${hostPort(layout.listen.host, layout.listen.port)}`,
    // Host lower-cased and without its port; a name the map does not know gets the 404 backend
    `  use_backend %[req.hdr(host),lower,word(1,:),map(${p.map},${UNKNOWN_HOST_BACKEND})]`,
    `  default_backend ${UNKNOWN_HOST_BACKEND}`,
  ]
  for (const b of [...backends].sort((x, y) => byText(x.name, y.name))) {
    lines.push(`backend ${b.name}`, "  balance hdr(host)", "  hash-type consistent")
    for (const s of [...b.servers].sort((x, y) => byText(x.name, y.name)))
      lines.push(`  server ${s.name} ${hostPort(s.address, s.port)} check`)
  }
  lines.push(
    `backend ${UNKNOWN_HOST_BACKEND}`,
    '  http-request return status 404 content-type text/plain string "no site is bound to this host name"',
    "",
  )
  return lines.join("\n")
}

/** Every route of a spec, `[host, backend]`, sorted by host. */
export const lbRoutes = (spec: LbSpec): ReadonlyArray<readonly [string, string]> =>
  spec.backends.flatMap((b) => b.hosts.map((h) => [h, b.name] as const)).sort(([a], [b]) => byText(a, b))

/** The map file: one `host backend` line per route, sorted; a restart or reload loads it. */
export const renderLbMap = (routes: ReadonlyArray<readonly [string, string]>): string =>
  routes.map(([h, b]) => `${h} ${b}\n`).join("")

/** One entry of a map as HAProxy holds it (`show map`): its reference, key and value. */
export interface MapEntry {
  readonly ref: string
  readonly key: string
  readonly value: string
}

/** Parses `show map <file>` output (`0x55d0c1a2b3c0 key value` per line). */
export const parseShowMap = (output: string): ReadonlyArray<MapEntry> =>
  output.split("\n").flatMap((line) => {
    const m = /^(0x[0-9a-f]+) (\S+) (\S+)$/.exec(line.trim())
    return m === null ? [] : [{ ref: m[1]!, key: m[2]!, value: m[3]! }]
  })

/** Runtime-API changes turning a map into the desired routes. */
export interface MapChanges {
  /** Keys to add, with their backend. */
  readonly add: ReadonlyArray<readonly [string, string]>
  /** Entries (by reference) whose value must change. */
  readonly set: ReadonlyArray<{ readonly ref: string; readonly key: string; readonly value: string }>
  /** Entries (by reference) to delete: keys not wanted, and duplicates of a key. */
  readonly del: ReadonlyArray<{ readonly ref: string; readonly key: string }>
}

/**
 * What must change in the map HAProxy holds to make it exactly `routes`: entries are addressed
 * by reference, so a duplicated key (a second `add map` of one name) is reduced to one entry and
 * a key HAProxy would not parse back is still deleted. Applying the result and planning again
 * gives no changes.
 */
export const planMapChanges = (
  current: ReadonlyArray<MapEntry>,
  routes: ReadonlyArray<readonly [string, string]>,
): MapChanges => {
  const want = new Map(routes)
  const seen = new Set<string>()
  const set: Array<MapChanges["set"][number]> = []
  const del: Array<MapChanges["del"][number]> = []
  for (const e of current) {
    const value = want.get(e.key)
    if (value === undefined || seen.has(e.key)) {
      del.push({ ref: e.ref, key: e.key })
      continue
    }
    seen.add(e.key)
    if (e.value !== value) set.push({ ref: e.ref, key: e.key, value })
  }
  const add = routes.filter(([h]) => !seen.has(h))
  return { add, set, del }
}

/** Number of entries a set of map changes touches. */
export const mapChangeCount = (c: MapChanges): number => c.add.length + c.set.length + c.del.length

/** The web side of a cluster as the control plane reads it, for `planLbSpec`. */
export interface LbClusterFacts {
  /** Every web shard of the cluster with its nodes' addresses. */
  readonly webShards: ReadonlyArray<{
    readonly shardId: string
    readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly addresses: ReadonlyArray<string> }>
  }>
  /** Every bound, not deleted host name of a tenant of the cluster, with the tenant's shard. */
  readonly routes: ReadonlyArray<{ readonly hostname: string; readonly shardId: string }>
}

/**
 * The spec every LB node of a cluster gets: one backend per web shard (its nodes on their first
 * address and the web nodes' HTTP port; a node without an address cannot be reached and is left
 * out), every host name routed to its tenant's shard. Same facts, same spec.
 */
export const planLbSpec = (facts: LbClusterFacts, webPort: number): LbSpec => {
  const hosts = new Map<string, Array<string>>()
  const known = new Set(facts.webShards.map((s) => s.shardId))
  for (const r of facts.routes) {
    if (!known.has(r.shardId)) continue
    const list = hosts.get(r.shardId) ?? []
    list.push(r.hostname.toLowerCase().replace(/\.$/, ""))
    hosts.set(r.shardId, list)
  }
  return {
    backends: [...facts.webShards]
      .map((s) => ({
        name: lbBackendName(s.shardId),
        servers: s.nodes
          .filter((n) => n.addresses.length > 0)
          .map((n) => ({ name: lbServerName(n.nodeId), address: n.addresses[0]!, port: webPort }))
          .sort((a, b) => byText(a.name, b.name)),
        hosts: [...new Set(hosts.get(s.shardId) ?? [])].sort(byText),
      }))
      .sort((a, b) => byText(a.name, b.name)),
  }
}

/** Port of the web nodes' nginx when an lb shard's config does not say. */
export const DEFAULT_WEB_PORT = 8000
