// The run's one Ceph cluster for the S3 suites: this only reserves its root; the first S3 suite
// that runs bootstraps it there (test/support/s3-node.ts) and later suites adopt it, so a run
// without S3 suites pays nothing. At the end of the run its daemons are stopped by PID (rgw, osd,
// mon) and its root removed.
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import "vitest"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** Root of the run's shared S3 node (Ceph under `<root>/ceph`), made by the first S3 suite. */
    s3NodeRoot: string
  }
}

const TEST_ROOT = "/var/lib/hosting-test"
let root: string | undefined

export function setup(project: TestProject) {
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  root = join(TEST_ROOT, `s3-${process.pid}${Date.now().toString(36)}`)
  project.provide("s3NodeRoot", root)
}

export async function teardown() {
  if (root === undefined || !existsSync(root)) return
  // imported only when a suite made the cluster: the agent's dist is then known to be built
  const { stopS3Services } = await import("@hosting/agent")
  await stopS3Services(root)
  rmSync(root, { recursive: true, force: true })
}
