import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import type { PlannedFile } from "../families/tenancy/plan-layout.js"

/** What making a directory's platform-owned files the planned ones changes (file names). */
export interface FileChanges {
  readonly written: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
}

/** The one diff a manager's plan reports and its ensure applies, with the contents it compared. */
export interface OwnedFilesDiff extends FileChanges {
  readonly dir: string
  readonly wanted: ReadonlyMap<string, string>
  readonly current: ReadonlyMap<string, string>
}

/**
 * Compares the files of `dir` that `owned` claims with the planned ones: a planned file is written
 * when its content differs, an owned file that is not planned is removed. Files `owned` does not
 * claim are neither read nor touched; a missing directory holds nothing.
 */
export const diffOwnedFiles = (
  dir: string,
  planned: ReadonlyArray<PlannedFile>,
  owned: (file: string) => boolean,
): Effect.Effect<OwnedFilesDiff, PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    for (const p of planned)
      if (!owned(p.file) || p.file.includes("/"))
        return yield* Effect.die(new Error(`planned file ${p.file} is not a platform-owned file name in ${dir}`))
    const wanted = new Map(planned.map((p) => [p.file, p.content]))
    const current = new Map<string, string>()
    const names = (yield* fs.exists(dir)) ? yield* fs.readDirectory(dir) : []
    for (const name of names.filter(owned).sort()) current.set(name, yield* fs.readFileString(`${dir}/${name}`))
    const written = [...wanted].filter(([f, c]) => current.get(f) !== c).map(([f]) => f)
    const removed = [...current.keys()].filter((f) => !wanted.has(f))
    return { dir, wanted, current, written, removed }
  })

/** Writes `content` to `file` through a temporary file and a rename, so no reader sees half a file. */
export const replaceFile = (file: string, content: string, mode: number) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const tmp = `${file}.tmp-${globalThis.crypto.randomUUID()}`
    yield* fs.writeFileString(tmp, content, { mode })
    yield* fs.chmod(tmp, mode) // the umask may have narrowed it
    yield* fs.rename(tmp, file)
  })

/**
 * Applies a diff: writes what it writes (mode from `mode`), removes what it removes. Returns the
 * Effect that puts every touched file back as it was, for a daemon that refuses the result.
 */
export const applyOwnedFiles = (diff: OwnedFilesDiff, mode: (file: string) => number) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const at = (f: string) => `${diff.dir}/${f}`
    for (const f of diff.written) yield* replaceFile(at(f), diff.wanted.get(f)!, mode(f))
    for (const f of diff.removed) yield* fs.remove(at(f), { force: true })
    return Effect.gen(function* () {
      for (const f of diff.written) {
        const before = diff.current.get(f)
        if (before === undefined) yield* fs.remove(at(f), { force: true })
        else yield* replaceFile(at(f), before, mode(f))
      }
      for (const f of diff.removed) yield* replaceFile(at(f), diff.current.get(f)!, mode(f))
    })
  })
