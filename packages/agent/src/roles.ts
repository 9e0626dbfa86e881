import type { NodeActivities } from "@hosting/core/node"
import { ApplicationFailure, Context } from "@temporalio/activity"
import { type Layer, type ManagedRuntime, ParseResult, Schema } from "effect"

/** The roles an agent can serve; `HOSTING_AGENT_ROLES` names some of them (or `none`). */
export const ROLE_NAMES = ["web", "lb", "dns", "database", "email", "s3"] as const
/** One role's name. */
export type RoleName = (typeof ROLE_NAMES)[number]

/** Node activities a role implements; `describeNode` is every agent's own. */
export type RoleActivities = Partial<Omit<NodeActivities, "describeNode">>

/**
 * One role an agent serves: the daemons it brings up at start (and leaves running at close, so
 * sites keep serving while the agent restarts) and the node activities it implements.
 */
export interface AgentRole {
  readonly name: RoleName
  readonly start: () => Promise<void>
  readonly close: () => Promise<void>
  readonly activities: RoleActivities
}

/**
 * How a role joins an agent: the layer of core managers it drives (over live capabilities),
 * built once in the agent's one runtime, and the role itself made over that runtime.
 */
export interface RoleDefinition<R> {
  readonly layer: Layer.Layer<R>
  readonly make: (runtime: ManagedRuntime.ManagedRuntime<R, never>) => AgentRole
}

/** Role names from a comma-separated list; `none` (or nothing) is no role, an unknown name an error. */
export const parseRoles = (list: string): ReadonlyArray<RoleName> => {
  const names = list
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "" && r !== "none")
  for (const n of names)
    if (!(ROLE_NAMES as ReadonlyArray<string>).includes(n))
      throw new Error(`unknown agent role ${n}; roles are ${ROLE_NAMES.join(", ")} or none`)
  return [...new Set(names as Array<RoleName>)]
}

/** Decodes an activity's input again on the node (defence in depth); bad input is never retried. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => {
  const result = Schema.decodeUnknownEither(schema)(input)
  if (result._tag === "Left")
    throw ApplicationFailure.nonRetryable(ParseResult.TreeFormatter.formatErrorSync(result.left), "InvalidSpec")
  return result.right
}

/** A configuration a daemon refused: retrying cannot help, the input must change. */
export class ConfigRejected extends Error {}

// A configuration a daemon refuses will be refused again: fail at once with its message. Anything
// else (a daemon restarting, a busy /etc/passwd) is retried by Temporal. While the work runs the
// activity heartbeats, so an agent killed mid-way is noticed within the heartbeat timeout and the
// activity retried on the restarted agent, instead of after the whole start-to-close timeout.
/** Runs a node activity's work: heartbeats while it runs, a ConfigRejected becomes non-retryable. */
export const classify = async <A>(f: () => Promise<A>): Promise<A> => {
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
