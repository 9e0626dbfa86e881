import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/test/**/*.test.ts",
            "hosts/*/test/**/*.test.ts",
            "hosts/*/test/**/*.test.tsx",
            "test/unit/**/*.test.ts",
          ],
          // property tests run many cases; beside the integration suites on 2 cores one took 6 s
          // (2 s alone), and a time limit is not what they test
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // the S3 suites' one Ceph cluster is made by the first of them and stopped here
          globalSetup: ["test/support/global-setup.ts", "test/support/s3-global-setup.ts"],
          // Suites start real processes (API, workers, agents) on a 2-core machine; one file at
          // a time keeps their start-up from starving each other.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
