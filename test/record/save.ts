// Saving recorded runs as replay fixtures, shared by the recorders: each writes only the fixtures
// of the workflows it records, so re-running one leaves the others' (and hand-kept older shapes,
// such as ConvergeShardWorkflow-dns-0) in place.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Client } from "@temporalio/client"
import { historyToJSON } from "@temporalio/common/lib/proto-utils.js"
import { expect } from "vitest"
import { eventually } from "../support/web-node.js"

export const OUT = fileURLToPath(new URL("../fixtures/histories/", import.meta.url))

/** Every run of a workflow id, oldest first, once none is running. */
const runsOf = async (temporal: Client, workflowId: string) => {
  await eventually(
    `${workflowId} to finish`,
    async () => {
      const running: Array<string> = []
      for await (const w of temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
        if (w.status.name === "RUNNING") running.push(w.runId)
      return running.length
    },
    (n) => n === 0,
    60_000,
  )
  const runs: Array<{ runId: string; type: string; start: number }> = []
  for await (const w of temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
    runs.push({ runId: w.runId, type: w.type, start: w.startTime.getTime() })
  return runs.sort((a, b) => a.start - b.start)
}

/**
 * Saves the first run of each workflow id (usually the most rounds) and its last (the delete), as
 * `<type><suffix>-<n>.json`, numbered on across ids of the same type and suffix (several
 * failovers); `suffix` tells runs of one type apart (a converge's shard role). Fixtures named
 * `-1`, `-2`… of the same type and suffix are replaced; `-0` (a shape kept from before a change)
 * is not.
 */
export const saveHistories = async (
  temporal: Client,
  ids: ReadonlyArray<{ readonly workflowId: string; readonly suffix?: string }>,
): Promise<Array<string>> => {
  const written: Array<string> = []
  const kept: Array<{ workflowId: string; runId: string; name: string }> = []
  const numbered = new Map<string, number>()
  for (const { workflowId, suffix = "" } of ids) {
    const runs = await runsOf(temporal, workflowId)
    expect(runs.length, workflowId).toBeGreaterThan(0)
    const chosen = runs.length > 2 ? [runs[0]!, runs[runs.length - 1]!] : runs
    for (const run of chosen) {
      const n = (numbered.get(`${run.type}${suffix}`) ?? 0) + 1
      numbered.set(`${run.type}${suffix}`, n)
      kept.push({ workflowId, runId: run.runId, name: `${run.type}${suffix}-${n}.json` })
    }
  }
  mkdirSync(OUT, { recursive: true })
  const prefixes = new Set(kept.map((k) => k.name.replace(/-\d+\.json$/, "")))
  for (const f of readdirSync(OUT)) {
    const m = /^(.*)-(\d+)\.json$/.exec(f)
    if (m !== null && prefixes.has(m[1]!) && m[2] !== "0") rmSync(join(OUT, f))
  }
  for (const k of kept) {
    const history = await temporal.workflow.getHandle(k.workflowId, k.runId).fetchHistory()
    writeFileSync(join(OUT, k.name), `${JSON.stringify(JSON.parse(historyToJSON(history)))}\n`)
    written.push(k.name)
  }
  return written
}
