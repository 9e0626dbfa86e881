// Capabilities for manager tests: an in-memory filesystem and a command recorder. Methods the
// managers do not use die loudly, so a manager reaching for one shows up as a failing test.

import type { Command } from "@effect/platform"
import { FileSystem } from "@effect/platform"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import { SystemError, type SystemErrorReason } from "@effect/platform/Error"
import { expect } from "@effect/vitest"
import { Effect, Inspectable, Layer, Option, Sink, Stream } from "effect"

interface Entry {
  type: "File" | "Directory"
  content: string
  uid: number
  gid: number
  mode: number
}

/** An in-memory filesystem: a map from absolute path to file or directory, with owners and modes. */
export class MemoryFs {
  readonly entries = new Map<string, Entry>([["/", { type: "Directory", content: "", uid: 0, gid: 0, mode: 0o755 }]])

  /** Seeds a file (and its parent directories) as a test's starting point. */
  file(path: string, content: string, mode = 0o644, uid = 0, gid = 0): this {
    this.mkdirs(parent(path))
    this.entries.set(path, { type: "File", content, uid, gid, mode })
    return this
  }

  /** Seeds a directory (and its parents). */
  dir(path: string, mode = 0o755, uid = 0, gid = 0): this {
    this.mkdirs(path)
    const e = this.entries.get(path)!
    Object.assign(e, { mode, uid, gid })
    return this
  }

  /** Content of a file, or undefined. */
  read(path: string): string | undefined {
    const e = this.entries.get(path)
    return e?.type === "File" ? e.content : undefined
  }

  /** Names directly in a directory, sorted. */
  list(path: string): Array<string> {
    return this.children(path).sort()
  }

  /** A copy of every entry, to compare states before and after. */
  snapshot(): Map<string, Entry> {
    return new Map([...this.entries].map(([k, v]) => [k, { ...v }]))
  }

  mkdirs(path: string): void {
    const parts = path.split("/").filter((p) => p !== "")
    for (let i = 1; i <= parts.length; i++) {
      const p = `/${parts.slice(0, i).join("/")}`
      if (!this.entries.has(p)) this.entries.set(p, { type: "Directory", content: "", uid: 0, gid: 0, mode: 0o755 })
    }
  }

  children(path: string): Array<string> {
    const prefix = path === "/" ? "/" : `${path}/`
    return [...this.entries.keys()]
      .filter((k) => k.startsWith(prefix) && k !== path && !k.slice(prefix.length).includes("/"))
      .map((k) => k.slice(prefix.length))
  }

  /** The FileSystem service over this map. */
  layer(): Layer.Layer<FileSystem.FileSystem> {
    const fail = (reason: SystemErrorReason, method: string, path: string) =>
      Effect.fail(new SystemError({ reason, module: "FileSystem", method, pathOrDescriptor: path }))
    const get = (method: string, path: string) => {
      const e = this.entries.get(path)
      return e === undefined ? fail("NotFound", method, path) : Effect.succeed(e)
    }
    // unstubbed methods die loudly: a manager reaching for one is a failing test, not a silent no-op
    const die = (method: string) => () =>
      Effect.die(new Error(`MemoryFs.${method} is not implemented: the manager should not need it`))
    const fs: FileSystem.FileSystem = {
      ...FileSystem.makeNoop({}),
      access: die("access"),
      copy: die("copy"),
      copyFile: die("copyFile"),
      link: die("link"),
      makeTempDirectory: die("makeTempDirectory"),
      makeTempDirectoryScoped: die("makeTempDirectoryScoped"),
      makeTempFile: die("makeTempFile"),
      makeTempFileScoped: die("makeTempFileScoped"),
      open: die("open"),
      readFile: die("readFile"),
      readLink: die("readLink"),
      realPath: die("realPath"),
      symlink: die("symlink"),
      truncate: die("truncate"),
      utimes: die("utimes"),
      writeFile: die("writeFile"),
      exists: (path) => Effect.suspend(() => Effect.succeed(this.entries.has(path))),
      readDirectory: (path) =>
        Effect.suspend(() =>
          Effect.flatMap(get("readDirectory", path), (e) =>
            e.type === "Directory" ? Effect.succeed(this.children(path)) : fail("BadResource", "readDirectory", path),
          ),
        ),
      readFileString: (path) =>
        Effect.suspend(() =>
          Effect.flatMap(get("readFileString", path), (e) =>
            e.type === "File" ? Effect.succeed(e.content) : fail("BadResource", "readFileString", path),
          ),
        ),
      writeFileString: (path, content, options) =>
        Effect.suspend(() => {
          if (this.entries.get(parent(path))?.type !== "Directory") return fail("NotFound", "writeFileString", path)
          const before = this.entries.get(path)
          if (before !== undefined && options?.flag === "wx") return fail("AlreadyExists", "writeFileString", path)
          if (before?.type === "Directory") return fail("BadResource", "writeFileString", path)
          this.entries.set(path, {
            type: "File",
            content,
            uid: 0,
            gid: 0,
            mode: before?.mode ?? options?.mode ?? 0o644,
          })
          return Effect.void
        }),
      makeDirectory: (path, options) =>
        Effect.suspend(() => {
          if (this.entries.has(path)) {
            if (options?.recursive === true && this.entries.get(path)!.type === "Directory") return Effect.void
            return fail("AlreadyExists", "makeDirectory", path)
          }
          if (options?.recursive !== true && !this.entries.has(parent(path)))
            return fail("NotFound", "makeDirectory", path)
          this.mkdirs(path)
          this.entries.get(path)!.mode = options?.mode ?? 0o755
          return Effect.void
        }),
      rename: (from, to) =>
        Effect.suspend(() =>
          Effect.flatMap(get("rename", from), (e) => {
            if (e.type !== "File") return Effect.die(new Error("MemoryFs renames files only"))
            this.entries.delete(from)
            this.entries.set(to, e)
            return Effect.void
          }),
        ),
      remove: (path, options) =>
        Effect.suspend(() => {
          if (!this.entries.has(path)) return options?.force === true ? Effect.void : fail("NotFound", "remove", path)
          if (this.entries.get(path)!.type === "Directory" && this.children(path).length > 0 && !options?.recursive)
            return fail("Busy", "remove", path)
          for (const k of [...this.entries.keys()]) if (k === path || k.startsWith(`${path}/`)) this.entries.delete(k)
          return Effect.void
        }),
      chmod: (path, mode) =>
        Effect.suspend(() =>
          Effect.map(get("chmod", path), (e) => {
            e.mode = mode
          }),
        ),
      chown: (path, uid, gid) =>
        Effect.suspend(() =>
          Effect.map(get("chown", path), (e) => {
            e.uid = uid
            e.gid = gid
          }),
        ),
      stat: (path) =>
        Effect.suspend(() =>
          Effect.map(
            get("stat", path),
            (e): FileSystem.File.Info => ({
              type: e.type,
              mtime: Option.none(),
              atime: Option.none(),
              birthtime: Option.none(),
              dev: 0,
              ino: Option.none(),
              mode: (e.type === "Directory" ? 0o040000 : 0o100000) | e.mode,
              nlink: Option.none(),
              uid: Option.some(e.uid),
              gid: Option.some(e.gid),
              rdev: Option.none(),
              size: FileSystem.Size(e.content.length),
              blksize: Option.none(),
              blocks: Option.none(),
            }),
          ),
        ),
    }
    return Layer.succeed(FileSystem.FileSystem, fs)
  }
}

const parent = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/"

/** What a recorded program answers; exit 0 with no output unless a handler says otherwise. */
export interface Answer {
  readonly exitCode?: number
  readonly stdout?: string
  readonly stderr?: string
}

/**
 * A CommandExecutor that runs nothing: it records each argument vector and answers with what
 * `handler` returns (which may also change a MemoryFs, as the real program would).
 */
export class CommandRecorder {
  readonly calls: Array<ReadonlyArray<string>> = []
  constructor(private handler: (argv: ReadonlyArray<string>) => Answer | undefined = () => undefined) {}

  /** Replaces the handler (a test's next step answers differently). */
  answer(handler: (argv: ReadonlyArray<string>) => Answer | undefined): void {
    this.handler = handler
  }

  layer(): Layer.Layer<CommandExecutor.CommandExecutor> {
    const bytes = (s: string | undefined) => Stream.make(new TextEncoder().encode(s ?? ""))
    const start = (command: Command.Command) =>
      Effect.sync(() => {
        if (command._tag !== "StandardCommand") throw new Error("CommandRecorder runs plain commands only")
        const argv = [command.command, ...command.args]
        this.calls.push(argv)
        const a = this.handler(argv) ?? {}
        const proc: CommandExecutor.Process = {
          [CommandExecutor.ProcessTypeId]: CommandExecutor.ProcessTypeId,
          pid: CommandExecutor.ProcessId(1),
          exitCode: Effect.succeed(CommandExecutor.ExitCode(a.exitCode ?? 0)),
          isRunning: Effect.succeed(false),
          kill: () => Effect.void,
          stdout: bytes(a.stdout),
          stderr: bytes(a.stderr),
          stdin: Sink.drain,
          ...Inspectable.BaseProto,
          toJSON: () => ({ _id: "RecordedProcess", argv }),
        }
        return proc
      })
    return Layer.succeed(CommandExecutor.CommandExecutor, CommandExecutor.makeExecutor(start))
  }
}

/** What a file-owning manager's plan and ensure answer. */
interface FileChanges {
  readonly written: ReadonlyArray<unknown>
  readonly removed: ReadonlyArray<unknown>
  readonly reloaded: boolean
}

/**
 * The property every file-owning manager keeps: once `before` is ensured, the plan for `after` is
 * exactly what ensuring it does (with a reload when, and only when, something changed), and a
 * plan right after that ensure finds nothing. Answers what the second ensure did; the recorder
 * then holds only that ensure's commands.
 */
export const ensureThenPlanAgain = <F, E, R>(
  m: {
    readonly plan: (files: ReadonlyArray<F>) => Effect.Effect<FileChanges, E, R>
    readonly ensure: (files: ReadonlyArray<F>) => Effect.Effect<FileChanges, E, R>
  },
  before: ReadonlyArray<F>,
  after: ReadonlyArray<F>,
  commands: CommandRecorder,
) =>
  Effect.gen(function* () {
    yield* m.ensure(before)
    commands.calls.length = 0
    const planned = yield* m.plan(after)
    const done = yield* m.ensure(after)
    expect(done).toEqual({ ...planned, reloaded: planned.written.length + planned.removed.length > 0 })
    expect(yield* m.plan(after)).toEqual({ written: [], removed: [], reloaded: false })
    return done
  })
