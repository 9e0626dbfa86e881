import { Command } from "@effect/platform"
import { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Stream } from "effect"

/** How a program ended: its exit code and what it printed. */
export interface CommandResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a program with an argument array (never through a shell) and collects its output. A
 * non-zero exit is a result, not a failure: each manager decides what it means; only a program
 * that cannot be started at all fails.
 */
export const runCommand = (
  command: string,
  args: ReadonlyArray<string>,
): Effect.Effect<CommandResult, PlatformError, CommandExecutor> =>
  Effect.scoped(
    Effect.gen(function* () {
      const executor = yield* CommandExecutor
      const proc = yield* executor.start(Command.make(command, ...args))
      const text = (s: Stream.Stream<Uint8Array, PlatformError>) =>
        s.pipe(
          Stream.decodeText(),
          Stream.runFold("", (a, b) => a + b),
        )
      const [stdout, stderr, exitCode] = yield* Effect.all([text(proc.stdout), text(proc.stderr), proc.exitCode], {
        concurrency: 3,
      })
      return { exitCode: Number(exitCode), stdout, stderr: stderr.trim() }
    }),
  )
