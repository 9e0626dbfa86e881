// A database shard's Replication tab: each node's last replication check, primary first, and the
// failover to a replica, which the contract marks destructive, so it is confirmed first.
import type { ReplicationNode, ReplicationState, ResourceStatus, ShardRole } from "@hosting/sdk"
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query"
import { pollWhileInFlight } from "../components/lifecycle"
import { buttonClass, ErrorAlert, formatValue, StatusBadge } from "../components/ui"
import { href } from "../router"
import { useSession } from "../session/session"
import { id } from "./calls"
import type { Row, Tab } from "./types"

// the lifecycle colour each replication state is shown in: the compiler asks for a new state's
const STATE_LOOKS: Record<ReplicationState, ResourceStatus> = {
  primary: "active",
  healthy: "active",
  lagging: "suspended",
  connecting: "provisioning",
  failed: "failed",
  unreachable: "failed",
  unknown: "pending",
}

const lagOf = (n: ReplicationNode) => (n.seconds_behind === null ? "—" : `${n.seconds_behind} s`)

const threadState = (running: boolean | null) => (running === null ? "—" : running ? "running" : "stopped")

/** The IO and SQL threads as the check saw them; a primary has none. */
const threadsOf = (n: ReplicationNode) =>
  n.io_running === null && n.sql_running === null
    ? "—"
    : `IO ${threadState(n.io_running)}, SQL ${threadState(n.sql_running)}`

const errorOf = (n: ReplicationNode) =>
  n.last_error === null
    ? "—"
    : n.last_error.errno === null
      ? n.last_error.message
      : `${n.last_error.errno}: ${n.last_error.message}`

const HEADERS = ["Node", "Role", "State", "Lag", "Threads", "Last error", "Checked at", ""]

/** Why there is no table to show, or undefined when there is one. */
const emptyMessage = (nodes: ReadonlyArray<ReplicationNode>): string | undefined => {
  if (nodes.length === 0) return "This shard has no nodes."
  if (nodes.length === 1) return "This shard has one node: nothing replicates until it has another."
  if (nodes.every((n) => n.checked_at === null))
    return "Not checked yet: replication is checked every minute and at each converge of the shard."
  return undefined
}

const ShardReplicationPanel = (props: { readonly shard: Row }) => {
  const { client } = useSession()
  const queries = useQueryClient()
  const shardId = props.shard.id
  const status = String(props.shard["status"])
  const query = useQuery({
    // the shard's status in the key: a converge or failover that settles records new checks
    queryKey: ["shards", "replication", shardId, status],
    queryFn: () => client.shards.replication({ path: id(shardId) }),
    refetchInterval: pollWhileInFlight([props.shard]),
  })
  const nodes = query.data?.nodes ?? []
  const primaryId = query.data?.primary_node_id ?? null
  // the same query key as a node's detail page, so a name read there is reused here
  const names = useQueries({
    queries: nodes.map((n) => ({
      queryKey: ["nodes", "get", n.node_id],
      queryFn: () => client.nodes.get({ path: id(n.node_id) }),
    })),
  })
  const nameOf = (i: number) => names[i]?.data?.hostname ?? nodes[i]!.node_id
  const failover = useMutation({
    mutationFn: (nodeId: ReplicationNode["node_id"]) =>
      client.shards.failover({ path: id(shardId), payload: { node_id: nodeId } }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["shards"] }),
  })
  const target = failover.variables === undefined ? undefined : nodes.findIndex((n) => n.node_id === failover.variables)
  const empty = query.data === undefined ? undefined : emptyMessage(nodes)
  return (
    <section aria-label="Replication">
      <ErrorAlert error={query.error ?? failover.error} />
      {failover.data && target !== undefined ? (
        <p role="status" className="mb-3 rounded-md border border-blue-300 bg-blue-50 p-3 text-sm text-blue-950">
          Failover to {target < 0 ? failover.variables : nameOf(target)} started: the shard is{" "}
          <StatusBadge status={failover.data.status} />
        </p>
      ) : null}
      {query.isPending ? <p>Loading…</p> : null}
      {empty === undefined ? null : <p className="text-sm text-slate-800">{empty}</p>}
      {query.data && empty === undefined ? (
        <table className="w-full border-collapse rounded-md bg-white text-left text-sm">
          <thead>
            <tr className="border-b border-slate-300">
              {HEADERS.map((h) => (
                <th key={h} scope="col" className="px-2 py-1.5 font-semibold">
                  {h === "" ? <span className="sr-only">Actions</span> : h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {nodes.map((n, i) => (
              <tr key={n.node_id} className="border-b border-slate-200 align-top">
                <td className="px-2 py-1.5">
                  <a href={href(["nodes", n.node_id])} className="text-blue-800 underline">
                    {nameOf(i)}
                  </a>
                  {n.node_id === primaryId ? <span className="text-slate-700"> (shard's primary)</span> : null}
                </td>
                <td className="px-2 py-1.5">{formatValue(n.role)}</td>
                <td className="px-2 py-1.5">
                  <StatusBadge status={n.state} look={STATE_LOOKS[n.state]} />
                </td>
                <td className="px-2 py-1.5">{lagOf(n)}</td>
                <td className="px-2 py-1.5">{threadsOf(n)}</td>
                <td className="px-2 py-1.5 whitespace-pre-wrap break-words">
                  {errorOf(n)}
                  {n.needs_seed ? <span className="block text-slate-700">needs a new copy of the primary</span> : null}
                </td>
                <td className="px-2 py-1.5">{formatValue(n.checked_at)}</td>
                <td className="px-2 py-1.5">
                  {n.node_id === primaryId ? null : (
                    <button
                      type="button"
                      className={buttonClass("danger")}
                      // the row's node in the name: every replica's button says the same
                      aria-label={`Fail over to this node (${nameOf(i)})`}
                      disabled={failover.isPending}
                      onClick={() => {
                        const confirmed = window.confirm(
                          `Fail over shard ${String(props.shard["name"])} to ${nameOf(i)}? It becomes the primary ` +
                            "and every other node follows it; the old primary, if it answers, stops taking writes first " +
                            "(applications must connect to the new host).",
                        )
                        if (confirmed) failover.mutate(n.node_id)
                      }}
                    >
                      Fail over to this node
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}

const DATABASE: ShardRole = "database"

/** Shard detail tab, database shards only: each node's replication and the failover to a replica. */
export const replicationTab: Tab = {
  label: "Replication",
  when: (r) => r["role"] === DATABASE,
  render: (r) => <ShardReplicationPanel shard={r} />,
}
