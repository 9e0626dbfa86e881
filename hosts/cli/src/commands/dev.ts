import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Command } from "@oclif/core"

/** Finds the single-box launcher's bin the way npm links it, from here or the working directory. */
const findLauncher = (): string | undefined => {
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    let dir = resolve(start)
    for (let i = 0; i < 20; i++) {
      const candidate = join(dir, "node_modules", ".bin", "hosting-dev")
      if (existsSync(candidate)) return candidate
      const parent = dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  return undefined
}

/** The same single-box platform as `npm run dev`; Ctrl-C stops it. */
export default class Dev extends Command {
  static override summary = "Run the whole platform on this machine (as npm run dev)"

  async run(): Promise<void> {
    const launcher = findLauncher()
    if (launcher === undefined)
      this.error("the platform launcher (hosting-dev) is not installed here; run npm install in the repository", {
        exit: 2,
      })
    // through our own Node (the project's Node 24), not the file's mode or shebang: tsc does not
    // mark its output executable
    const child = spawn(process.execPath, [launcher], { stdio: "inherit" })
    // the launcher stops its own children on SIGINT/SIGTERM; pass ours on
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig))
    const code = await new Promise<number>((res) => child.once("exit", (c) => res(c ?? 1)))
    process.exitCode = code
  }
}
