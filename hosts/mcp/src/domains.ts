// Tool groups: each contract group (an OpenAPI tag) belongs to one domain, and a server can be
// limited to some domains (HOSTING_MCP_GROUPS) so an agent sees only the tools it needs.

/** The domains tools are grouped by; later groups of the contract join the empty ones. */
export const DOMAINS = ["infrastructure", "platform", "tenants", "web", "databases", "dns", "email", "storage"] as const

/** One of {@link DOMAINS}. */
export type Domain = (typeof DOMAINS)[number]

/** Contract group (OpenAPI tag) → domain. A new group gets its line here; until then it is "platform". */
export const TAG_DOMAINS: Readonly<Record<string, Domain>> = {
  regions: "infrastructure",
  clusters: "infrastructure",
  lbAddresses: "infrastructure",
  shards: "infrastructure",
  nodes: "infrastructure",
  health: "platform",
  platform: "platform",
  apiKeys: "platform",
  brands: "platform",
  session: "platform",
  dashboard: "platform",
  search: "platform",
  auditLogs: "platform",
  tenants: "tenants",
  sshKeys: "tenants",
  webroots: "web",
  fqdns: "web",
  certificates: "web",
  zones: "dns",
  dnsRecords: "dns",
  s3Buckets: "storage",
  s3AccessKeys: "storage",
  databases: "databases",
  databaseUsers: "databases",
  emailAccounts: "email",
  emailAliases: "email",
  emailForwards: "email",
  emailAutoreplies: "email",
}

/** The domain of a contract group; unknown groups are "platform". */
export const domainOfTag = (tag: string | undefined): Domain =>
  (tag !== undefined && Object.hasOwn(TAG_DOMAINS, tag) ? TAG_DOMAINS[tag] : undefined) ?? "platform"

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
