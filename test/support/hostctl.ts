// Runs hostctl as a user would: a separate process, arguments as an array, env for the API.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const bin = fileURLToPath(new URL("../../hosts/cli/bin/run.js", import.meta.url))

// oclif wraps long error messages at the terminal width and prefixes each line with " › "
const unwrap = (s: string) => s.replace(/\n\s*›\s*/g, " ").replace(/[ \t]+/g, " ")

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const hostctl = (
  args: ReadonlyArray<string>,
  env: { readonly HOSTING_API_URL: string; readonly HOSTING_API_KEY: string },
  cwd?: string,
): Promise<Run> =>
  promisify(execFile)(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: unwrap(r.stderr) }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: unwrap(e.stderr as string) }),
  )
