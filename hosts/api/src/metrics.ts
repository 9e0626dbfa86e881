// Prometheus metrics of the API: request count and latency histogram per route and status.
// Hand-rolled (two metric families) to keep the hot path to a Map lookup and an array bump.

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Series {
  readonly labels: string
  count: number
  sum: number
  readonly buckets: Array<number>
}

const series = new Map<string, Series>()

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

/** Records one finished request. `route` is the route template, never the raw path. */
export const observeRequest = (method: string, route: string, status: number, seconds: number): void => {
  const labels = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status="${status}"`
  let s = series.get(labels)
  if (s === undefined) {
    s = { labels, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }
    series.set(labels, s)
  }
  s.count++
  s.sum += seconds
  for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++
}

let unrecordedRefusals = 0

/** Counts a refused unauthenticated request that the audit log's rate limit left unrecorded. */
export const countUnrecordedRefusal = (): void => {
  unrecordedRefusals++
}

/** The exposition text (format 0.0.4). */
export const renderMetrics = (): string => {
  const lines = [
    "# HELP hosting_http_requests_total HTTP requests answered by the API.",
    "# TYPE hosting_http_requests_total counter",
  ]
  for (const s of series.values()) lines.push(`hosting_http_requests_total{${s.labels}} ${s.count}`)
  lines.push(
    "# HELP hosting_http_request_duration_seconds Time to answer an API request.",
    "# TYPE hosting_http_request_duration_seconds histogram",
  )
  for (const s of series.values()) {
    for (let i = 0; i < BUCKETS.length; i++) {
      lines.push(`hosting_http_request_duration_seconds_bucket{${s.labels},le="${BUCKETS[i]}"} ${s.buckets[i]}`)
    }
    lines.push(`hosting_http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`)
    lines.push(`hosting_http_request_duration_seconds_sum{${s.labels}} ${s.sum}`)
    lines.push(`hosting_http_request_duration_seconds_count{${s.labels}} ${s.count}`)
  }
  lines.push(
    "# HELP hosting_audit_refusals_unrecorded_total Refused unauthenticated requests not written to the audit log (rate limit).",
    "# TYPE hosting_audit_refusals_unrecorded_total counter",
    `hosting_audit_refusals_unrecorded_total ${unrecordedRefusals}`,
  )
  return `${lines.join("\n")}\n`
}
