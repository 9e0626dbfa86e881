// The printed result of bench/api: one table, the API/bare ratios, and a verdict per target.
import type { Measurement } from "./load.js"

/** One measured route. */
export interface Row {
  readonly label: string
  readonly measurement: Measurement
}

/** The same read served by the API and by the floor. */
export interface Pair {
  readonly api: Row
  readonly bare: Row
}

export interface Targets {
  /** API single-row req/s must be at least this fraction of the floor's. */
  readonly minRequestsRatio: number
  /** p99 of the API single-row route at the fixed rate must stay under this. */
  readonly maxP99Ms: number
}

const integer = (n: number) => Math.round(n).toLocaleString("en-US")

const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["route", "req/s", "p50 ms", "p99 ms", "completed", "failed"]
  const lines = rows.map(({ label, measurement: m }) => [
    label,
    integer(m.requestsPerSecond),
    String(m.p50),
    String(m.p99),
    integer(m.completed),
    integer(m.failed),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const format = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ")
  return [format(header), ...lines.map(format)].join("\n")
}

const ratio = (pair: Pair) => pair.api.measurement.requestsPerSecond / pair.bare.measurement.requestsPerSecond

/** Failed requests make a number meaningless, whichever way it points. */
const verdict = (holds: boolean, failed: number, missedBecause?: string) =>
  failed > 0
    ? `UNRELIABLE (${failed} failed requests)`
    : holds
      ? "HOLDS"
      : `MISSED${missedBecause ? ` (${missedBecause})` : ""}`

export const printReport = (report: {
  readonly settings: string
  readonly targets: Targets
  readonly single: Pair
  readonly list: Pair
  readonly fixedRate: Row & { readonly rate: number }
}) => {
  const { targets, single, list, fixedRate } = report
  const singleRatio = ratio(single)
  const fixed = fixedRate.measurement
  // autocannon cannot always deliver the rate asked for; a p99 at a lower rate proves nothing
  const rateReached = fixed.requestsPerSecond >= 0.9 * fixedRate.rate
  const targetLines = [
    [
      `API single-row req/s >= ${targets.minRequestsRatio} x bare`,
      `${singleRatio.toFixed(2)} x`,
      verdict(singleRatio >= targets.minRequestsRatio, single.api.measurement.failed + single.bare.measurement.failed),
    ],
    [
      `p99 < ${targets.maxP99Ms} ms at ${fixedRate.rate} req/s`,
      `${fixed.p99} ms`,
      verdict(
        rateReached && fixed.p99 < targets.maxP99Ms,
        fixed.failed,
        rateReached ? undefined : `only ${integer(fixed.requestsPerSecond)} req/s reached`,
      ),
    ],
  ]
  const labelWidth = Math.max(...targetLines.map((l) => l[0]!.length))
  const valueWidth = Math.max(...targetLines.map((l) => l[1]!.length))
  console.log(
    [
      "",
      `API benchmark: ${report.settings}`,
      "",
      table([single.api, single.bare, list.api, list.bare, fixedRate]),
      "",
      `API / bare, req/s:  single row ${singleRatio.toFixed(2)}   list ${ratio(list).toFixed(2)}`,
      "",
      ...targetLines.map(
        ([label, value, result]) => `target  ${label!.padEnd(labelWidth)}   ${value!.padStart(valueWidth)}   ${result}`,
      ),
      "",
    ].join("\n"),
  )
}
