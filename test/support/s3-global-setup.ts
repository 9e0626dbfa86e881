// The run's one Ceph cluster for the S3 suites: this only reserves its root; the first S3 suite
// that runs bootstraps it there (test/support/s3-node.ts) and later suites adopt it, so a run
// without S3 suites pays nothing. At the end of the run its daemons are stopped by PID (rgw, osd,
// mon) and its root removed; one a killed run left behind is stopped and removed at the next start.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs"
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function setup(project: TestProject) {
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  // a run that was killed left its cluster running: stop it (by its pid files) and remove it
  const stale = readdirSync(TEST_ROOT).filter((d) => {
    const m = /^s3-(\d+)-[a-z0-9]+$/.exec(d)
    return m !== null && !alive(Number(m[1]))
  })
  if (stale.length > 0) {
    const { stopS3Services } = await import("@hosting/agent")
    for (const d of stale) {
      await stopS3Services(join(TEST_ROOT, d))
      rmSync(join(TEST_ROOT, d), { recursive: true, force: true })
    }
  }
  root = join(TEST_ROOT, `s3-${process.pid}-${Date.now().toString(36)}`)
  project.provide("s3NodeRoot", root)
}

export async function teardown() {
  if (root === undefined || !existsSync(root)) return
  // imported only when a suite made the cluster: the agent's dist is then known to be built
  const { stopS3Services } = await import("@hosting/agent")
  await stopS3Services(root)
  rmSync(root, { recursive: true, force: true })
}
