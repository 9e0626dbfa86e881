// Starts the services the integration suites share, once per run, and stops them afterwards.
// A missing prerequisite is a failure with a clear message, never a skip.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findExecutable, freePort, startTemporalDevServer, type TemporalDevServer } from "@hosting/dev"
import "vitest"
import type { TestProject } from "vitest/node"
import { postgresAdminUrl, postgresReachable } from "./postgres.js"

declare module "vitest" {
  export interface ProvidedContext {
    temporalAddress: string
    postgresAdminUrl: string
    runId: string
  }
}

let temporal: TemporalDevServer | undefined
let workDir: string | undefined

export async function setup(project: TestProject) {
  const executable = findExecutable("temporal")
  if (executable === undefined) {
    throw new Error("the Temporal CLI is not installed; `npm test` installs it (infra/dev/install-temporal.sh)")
  }
  if (!(await postgresReachable())) {
    throw new Error(`PostgreSQL is not reachable at ${postgresAdminUrl()}; \`npm test\` starts it (infra/dev/setup.sh)`)
  }
  workDir = mkdtempSync(join(tmpdir(), "hosting-it-"))
  const port = await freePort()
  temporal = await startTemporalDevServer({
    executable,
    port,
    httpPort: await freePort(),
    metricsPort: await freePort(),
    logFile: join(workDir, "temporal.log"),
  })
  project.provide("temporalAddress", temporal.address)
  project.provide("postgresAdminUrl", postgresAdminUrl())
  project.provide("runId", `${process.pid}${Date.now().toString(36)}`)
}

export async function teardown() {
  await temporal?.process.stop()
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
}
