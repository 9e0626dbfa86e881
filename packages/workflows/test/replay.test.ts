// Replays recorded histories of every serializer, converge and scheduled workflow against the
// current workflow code: a change that would break running workflows (a different command order,
// a renamed activity, a new step without `patched`) fails here. The histories come from real runs
// (test/record/histories.record.ts; the database, email and s3 ones families.record.ts; a
// replicated database shard's converge, check and failovers replication.record.ts). The
// tenant, zone and LB serializers have both shapes: -1/-2 recorded while a round's snapshot and
// finish were ordinary activities, -3/-4 with them as local activities
// (`patched("local-round-steps")`); a running workflow of either shape must replay. A `-0` is a
// run recorded before a change that its `patched` branch keeps replaying (FailoverShardWorkflow-0:
// a failover that promoted without demoting the old primary first).
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "@temporalio/worker"
import { describe, expect, it } from "vitest"

// the compiled bundle entry, as the worker loads it (npm test builds before it runs tests)
const workflowsPath = fileURLToPath(new URL("../dist/workflows/index.js", import.meta.url))
const dir = fileURLToPath(new URL("../../../test/fixtures/histories/", import.meta.url))
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()

describe("workflow replay", () => {
  it("has a recorded history of every serializer and converge workflow", () => {
    const types = new Set(files.map((f) => f.replace(/-\d+\.json$/, "")))
    expect([...types].sort()).toEqual([
      "CheckDatabaseReplicationWorkflow",
      "CleanupCertificatesWorkflow",
      "CollectS3UsageWorkflow",
      "ConvergeShardWorkflow-database",
      "ConvergeShardWorkflow-database-replication",
      "ConvergeShardWorkflow-dns",
      "ConvergeShardWorkflow-email",
      "ConvergeShardWorkflow-lb",
      "ConvergeShardWorkflow-s3",
      "ConvergeShardWorkflow-web",
      "FailoverShardWorkflow",
      "IssueCertificateWorkflow",
      "ProbeNodeWorkflow",
      "PurgeAuditLogsWorkflow",
      "RenewCertificatesWorkflow",
      "S3BucketUsageWorkflow",
      "SyncDatabaseWorkflow",
      "SyncLbWorkflow",
      "SyncMailDomainWorkflow",
      "SyncS3BucketWorkflow",
      "SyncTenantWorkflow",
      "SyncZoneWorkflow",
    ])
  })

  it("replays every recorded history against the current code", async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: JSON.parse(readFileSync(`${dir}${f}`, "utf8")) as unknown,
    }))
    const results: Array<{ file: string; error: string | null }> = []
    for await (const r of Worker.runReplayHistories({ workflowsPath, replayName: "fixtures" }, histories))
      results.push({ file: r.workflowId, error: r.error === undefined ? null : String(r.error) })
    expect(results).toEqual(files.map((file) => ({ file, error: null })))
  }, 120_000)
})
