import { Effect, Schema } from "effect"
import {
  ResourceStatus,
  type SideEffect,
  STATUS_MESSAGE_MAX,
  type StatusCause,
  StatusDetails,
} from "../../domain/lifecycle.js"
import { isoTimestamps, rowDecoder } from "../../sql/rows.js"
import { Fqdn } from "./domain.js"
import type { ScopedSpec } from "./service-rows.js"

/**
 * An FQDN as its readers see it: its status gathers every side effect of the binding — its own
 * row (the tenant's nginx round), the LB round of every lb shard in its tenant's cluster, the
 * round of the zone that serves its A/AAAA records, and its Let's Encrypt issuance. Derived at
 * read time by joins, so it is always current and no round writes another family's rows: the LB
 * and zone rounds do not read FQDN revisions, and a status they wrote on the FQDN could overwrite
 * a newer pending change or be undone by the tenant's next round.
 */

// `a.b.example.com` → {a.b.example.com, b.example.com, example.com, com}: the zones that may
// cover the name, looked up by the unique index on zones(name) (one probe per suffix)
const SUFFIXES = `ARRAY(SELECT array_to_string((string_to_array(f.hostname, '.'))[n:], '.')
  FROM generate_series(1, cardinality(string_to_array(f.hostname, '.'))) AS n)`

// Every lateral below is one index lookup per FQDN: shards by (cluster_id, name), zones by name
// (the name's suffixes, the longest wins), certificates by (fqdn_id, created_at, id).
const SIDES = `
  fqdns f
  JOIN tenants tn ON tn.id = f.tenant_id
  JOIN shards ws ON ws.id = tn.shard_id
  LEFT JOIN LATERAL (
    SELECT CASE WHEN bool_or(s.status = 'failed') THEN 'failed'
        WHEN bool_or(s.status = 'pending') THEN 'pending'
        WHEN bool_or(s.status = 'provisioning') THEN 'provisioning'
        ELSE 'active' END AS status,
      COALESCE(jsonb_agg(jsonb_build_object('message', s.status_message, 'details', s.status_details)
        ORDER BY s.name, s.id) FILTER (WHERE s.status = 'failed'), '[]'::jsonb) AS failures
    FROM shards s WHERE s.cluster_id = ws.cluster_id AND s.role = 'lb'
    HAVING count(*) > 0
  ) lb ON true
  LEFT JOIN LATERAL (
    SELECT z.id, z.name, z.brand_id, z.status, z.status_message, z.status_details FROM zones z
    WHERE z.name = ANY(${SUFFIXES}) AND z.status <> 'deleting'
    ORDER BY length(z.name) DESC LIMIT 1
  ) dz ON dz.brand_id = tn.brand_id
  LEFT JOIN LATERAL (
    SELECT true AS held FROM certificates c
    WHERE c.fqdn_id = f.id AND c.status = 'active' AND c.not_after > now() LIMIT 1
  ) cert ON true
  CROSS JOIN LATERAL (
    SELECT CASE WHEN f.tls <> 'letsencrypt' THEN NULL
        WHEN f.acme_status = 'failed' THEN 'failed'
        WHEN f.acme_status = 'issued' OR cert.held THEN 'active'
        WHEN f.acme_status = 'issuing' THEN 'provisioning'
        ELSE 'pending' END AS status
  ) ce`

/**
 * The FQDN's status from its sides: its own deleting or failed first (the binding itself), then
 * any failed side, then its own round in flight, then any side in flight (provisioning), else
 * active. The list's `status` filter runs on this very expression.
 */
const STATUS = `CASE
    WHEN f.status IN ('deleting', 'failed', 'suspended') THEN f.status
    WHEN 'failed' IN (lb.status, dz.status, ce.status) THEN 'failed'
    WHEN f.status IN ('pending', 'provisioning') THEN f.status
    WHEN lb.status IN ('pending', 'provisioning') OR dz.status IN ('pending', 'provisioning')
      OR ce.status IN ('pending', 'provisioning') THEN 'provisioning'
    ELSE 'active' END`

/** The FQDN read model as a list spec: `t` is the FQDN with its sides' columns and its gathered status. */
export const fqdnSpec: ScopedSpec = {
  from: `(SELECT f.id, f.webroot_id, f.tenant_id, f.hostname, f.tls, f.https_redirect, f.acme_status,
      f.acme_message, f.created_at, f.updated_at, f.status AS web_status, f.status_message AS web_message,
      f.status_details AS web_details, tn.brand_id, tn.status AS tenant_status, ws.cluster_id,
      lb.status AS lb_status, lb.failures AS lb_failures, dz.id AS zone_id, dz.name AS zone_name,
      dz.status AS dns_status, dz.status_message AS dns_message, dz.status_details AS dns_details,
      ce.status AS certificate_status, ${STATUS} AS status
    FROM ${SIDES}) t`,
  select: "t.*",
  sortColumns: { hostname: "t.hostname", created_at: "t.created_at" },
  defaultSort: "hostname",
  searchColumns: ["t.hostname"],
  statusColumn: "t.status",
  brandColumn: "t.brand_id",
}

const Status = Schema.Literal(...ResourceStatus.literals)
const LbFailure = Schema.Struct({ message: Schema.NullOr(Schema.String), details: Schema.NullOr(StatusDetails) })

/** The read model's row (the columns `fqdnSpec` selects that the API does not answer as they are). */
const SidesRow = Schema.Struct({
  web_status: Status,
  web_message: Schema.NullOr(Schema.String),
  web_details: Schema.NullOr(StatusDetails),
  tenant_status: Schema.String,
  cluster_id: Schema.String,
  lb_status: Schema.NullOr(Status),
  lb_failures: Schema.NullOr(Schema.Array(LbFailure)),
  zone_id: Schema.NullOr(Schema.String),
  zone_name: Schema.NullOr(Schema.String),
  dns_status: Schema.NullOr(Status),
  dns_message: Schema.NullOr(Schema.String),
  dns_details: Schema.NullOr(StatusDetails),
  certificate_status: Schema.NullOr(Status),
  acme_message: Schema.NullOr(Schema.String),
  status: Status,
})
type SidesRow = typeof SidesRow.Type

/** How each side names itself at the front of the FQDN's `status_message` (web is the FQDN's own). */
const label = (side: SideEffect, row: SidesRow): string | null => {
  switch (side) {
    case "web":
      return null
    case "lb":
      return "load balancer"
    case "dns":
      return `DNS zone ${row.zone_name}`
    case "certificate":
      return "certificate"
  }
}

/** A side's causes: those its round recorded, or its message alone (rows recorded before causes). */
const causesOf = (
  side: SideEffect,
  details: typeof StatusDetails.Type | null,
  message: string | null,
): Array<StatusCause> =>
  (details?.causes ?? [{ message: message ?? `the ${side} side failed` }]).map((c) => ({ ...c, side }))

/** One side of a row: its status, why it failed, and its causes. */
interface Side {
  readonly side: SideEffect
  readonly status: ResourceStatus
  readonly message: string | null
  readonly causes: ReadonlyArray<StatusCause>
}

const sidesOf = (row: SidesRow): ReadonlyArray<Side | null> => {
  const failures = row.lb_failures ?? []
  const lbMessage = failures.map((f) => f.message).find((m) => m !== null) ?? null
  return [
    {
      side: "web",
      status: row.web_status,
      message: row.web_message,
      causes: row.web_status === "failed" ? causesOf("web", row.web_details, row.web_message) : [],
    },
    row.lb_status === null
      ? null
      : {
          side: "lb",
          status: row.lb_status,
          message: row.lb_status === "failed" ? lbMessage : null,
          causes: failures.flatMap((f) => causesOf("lb", f.details, f.message)),
        },
    row.dns_status === null
      ? null
      : {
          side: "dns",
          status: row.dns_status,
          message: row.dns_status === "failed" ? row.dns_message : null,
          causes: row.dns_status === "failed" ? causesOf("dns", row.dns_details, row.dns_message) : [],
        },
    row.certificate_status === null
      ? null
      : {
          side: "certificate",
          status: row.certificate_status,
          message: row.certificate_status === "failed" ? (row.acme_message ?? "the issuance failed") : null,
          causes:
            row.certificate_status === "failed"
              ? [{ side: "certificate", message: row.acme_message ?? "the issuance failed" }]
              : [],
        },
  ]
}

/** The sides of a decoded FQDN row that failed, in the order `status_message` names them. */
export const failedSides = (fqdn: Fqdn): ReadonlyArray<SideEffect> =>
  (["web", "lb", "dns", "certificate"] as const).filter((s) => fqdn.side_effects[s]?.status === "failed")

const decodeSides = rowDecoder(SidesRow)
const decodeFqdn = rowDecoder(Fqdn)

/** One read-model row as the API answers it (the side columns folded into status and side_effects). */
export const decodeFqdnRow = (raw: unknown): Effect.Effect<Fqdn> =>
  Effect.gen(function* () {
    const row = isoTimestamps(raw as Record<string, unknown>)
    const sides = yield* decodeSides(row)
    const all = sidesOf(sides)
    const failed = all.filter((s): s is Side => s !== null && s.status === "failed")
    const first = failed[0]
    const gathered =
      sides.status === "failed" && first !== undefined
        ? {
            status_message: (label(first.side, sides) === null
              ? (first.message ?? "")
              : `${label(first.side, sides)}: ${first.message ?? ""}`
            ).slice(0, STATUS_MESSAGE_MAX),
            status_details: { causes: failed.flatMap((s) => s.causes) },
          }
        : // not failed: the FQDN's own message (a failed delete stays deleting and says why)
          { status_message: sides.web_message, status_details: sides.web_details }
    const side = (s: Side | null) => (s === null ? null : { status: s.status, message: s.message })
    return yield* decodeFqdn({
      ...row,
      ...gathered,
      status: sides.status,
      side_effects: { web: side(all[0]!), lb: side(all[1]!), dns: side(all[2]!), certificate: side(all[3]!) },
    })
  })

/** What a retry needs beside the FQDN: its tenant's state, cluster and covering zone. */
export const retryFactsOf = (raw: unknown) =>
  Effect.map(decodeSides(raw), (r) => ({ tenantStatus: r.tenant_status, clusterId: r.cluster_id, zoneId: r.zone_id }))
