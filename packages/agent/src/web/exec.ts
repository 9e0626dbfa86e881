import { execFile } from "node:child_process"

/** A program exited non-zero; `message` carries its stderr (what an operator needs to see). */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | string,
    readonly stderr: string,
  ) {
    super(`${command} failed (${exitCode}): ${stderr.trim().slice(0, 2000)}`)
  }
}

/** Runs a program with an argument array, never through a shell; rejects with CommandFailed. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? "?"
          reject(new CommandFailed([command, ...args].join(" ").slice(0, 300), code, `${stderr}${error.message}`))
        } else resolve({ stdout, stderr })
      },
    )
  })
