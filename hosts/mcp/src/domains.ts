// Tool groups: each contract group declares the domain its tools belong to (`ToolDomain`, with
// the group in its family's contract), and a server can be limited to some domains
// (HOSTING_MCP_GROUPS) so an agent sees only the tools it needs.
import { TOOL_DOMAINS, type ToolDomainName } from "@hosting/sdk"

/** The domains tools are grouped by: each contract group declares its own (`ToolDomain` in core). */
export const DOMAINS = TOOL_DOMAINS

/** One of {@link DOMAINS}. */
export type Domain = ToolDomainName

const isDomain = (s: string): s is Domain => (DOMAINS as ReadonlyArray<string>).includes(s)

/**
 * Parses a comma-separated list of domains (`infrastructure,platform`); empty means all.
 * An unknown name is an error rather than silently serving fewer tools than asked for.
 */
export const parseDomains = (list: string): ReadonlyArray<Domain> => {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
  if (names.length === 0) return DOMAINS
  const unknown = names.filter((n) => !isDomain(n))
  if (unknown.length > 0) {
    throw new Error(`unknown tool group(s) ${unknown.join(", ")}; known: ${DOMAINS.join(", ")}`)
  }
  return [...new Set(names.filter(isDomain))]
}
