// Runs this workspace's component tests alone (`npx vitest run` in hosts/ui); the root config's
// `unit` project runs the same files.
import { defineConfig } from "vitest/config"

export default defineConfig({ test: { include: ["test/**/*.test.{ts,tsx}"] } })
