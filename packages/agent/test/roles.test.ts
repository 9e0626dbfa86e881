import { describe, expect, it } from "@effect/vitest"
import { createNodeActivities } from "../src/activities.js"
import { type AgentRole, parseRoles } from "../src/roles.js"

const identity = { nodeId: "00000000-0000-4000-8000-000000000000", version: "0.0.0" }
const report = { changes: [], reloads: { haproxy: 0 } }
const lb: AgentRole = {
  name: "lb",
  start: () => Promise.resolve(),
  close: () => Promise.resolve(),
  activities: { ensureLb: () => Promise.resolve(report) },
}

describe("agent roles", () => {
  it("reads HOSTING_AGENT_ROLES: names in order, once; none or nothing is no role; others are refused", () => {
    expect(parseRoles("web, lb,dns,web")).toEqual(["web", "lb", "dns"])
    expect(parseRoles("none")).toEqual([])
    expect(parseRoles("")).toEqual([])
    expect(() => parseRoles("web,mail")).toThrow(
      "unknown agent role mail; roles are web, lb, dns, database, email, s3 or none",
    )
  })

  it("serves each registered role's activities and refuses the others' without retries", async () => {
    const activities = createNodeActivities(identity, [lb])
    expect(await activities.ensureLb({ spec: { backends: [] }, plan: true })).toBe(report)
    expect((await activities.describeNode()).agent_version).toBe("0.0.0")
    const refused = await activities.ensureZone({ zone: "example.com", rrsets: [] }).catch((e: unknown) => e)
    expect(refused).toMatchObject({
      message: "this agent does not serve the dns role",
      type: "RoleNotServed",
      nonRetryable: true,
    })
    // a web shard's node that hosts nothing needs nothing, with or without the role
    expect(await activities.convergeWeb({ tenants: [], plan: false })).toEqual({
      changes: [],
      reloads: { nginx: 0, php: 0 },
      errors: [],
    })
  })
})
