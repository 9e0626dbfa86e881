// Records the workflow histories the replay test (packages/workflows/test/replay.test.ts) runs
// against the current code: `npx vitest run --config test/record/vitest.config.ts` after
// `npm run build`. Not part of `npm test`: fixtures come from the code that was running before a
// change, so re-record only when a change to a workflow is meant to break replay (and say why).
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/record/**/*.record.ts"],
    // families.record.ts puts its s3 agent on a Ceph of its own, made as the S3 suites make theirs
    globalSetup: ["test/support/global-setup.ts", "test/support/s3-global-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
})
