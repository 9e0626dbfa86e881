import { defineFamily } from "../family.js"
import { AuditLogs } from "./service-audit.js"
import { Overview } from "./service-overview.js"

/** Overview: the calling key, dashboard counts, search and the audit log, across families. */
export const overviewFamily = defineFamily({
  name: "overview",
  services: [Overview.Default, AuditLogs.Default],
})

export * from "./contract.js"
export * from "./service-audit.js"
export * from "./service-overview.js"
