// Shared by the DNS planner tests: the zone they plan and its SOA row.
import type { PlannedRecord } from "../../../src/families/dns/plan.js"

export const ZONE = "example.test"

export const soa: PlannedRecord = {
  id: "00000000-0000-4000-8000-000000000001",
  name: ZONE,
  ttl: 3600,
  data: {
    type: "SOA",
    mname: "ns1.example.net",
    rname: "hostmaster@example.test",
    refresh: 10800,
    retry: 3600,
    expire: 604800,
    minimum: 3600,
  },
}
