import { randomUUID } from "node:crypto"
import { chmod, chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"

/** Reads a file, or undefined when it does not exist. */
export const readIfExists = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, "utf8")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
}

/** Writes `content` only if it differs, through a temporary file and a rename; true if written. */
export const writeIfChanged = async (file: string, content: string, mode = 0o644): Promise<boolean> => {
  if ((await readIfExists(file)) === content) return false
  const tmp = `${file}.tmp-${randomUUID()}`
  await writeFile(tmp, content, { mode })
  await chmod(tmp, mode)
  await rename(tmp, file)
  return true
}

/**
 * A directory with exactly this owner and mode; true if anything had to change. Only a
 * difference costs a syscall beyond the stat, so a converge of an unchanged node writes nothing.
 */
export const ensureDir = async (dir: string, uid: number, gid: number, mode: number): Promise<boolean> => {
  let changed = false
  const st = await stat(dir).catch(() => undefined)
  if (st === undefined) {
    await mkdir(dir, { recursive: true, mode })
    changed = true
  } else if (!st.isDirectory()) throw new Error(`${dir} exists and is not a directory`)
  const now = st === undefined ? await stat(dir) : st
  if (now.uid !== uid || now.gid !== gid) {
    await chown(dir, uid, gid)
    changed = true
  }
  if ((now.mode & 0o7777) !== mode || changed) {
    await chmod(dir, mode)
    changed = true
  }
  return changed
}

/** Removes a path recursively; a missing path is fine. */
export const removePath = (p: string) => rm(p, { recursive: true, force: true })

/** One file a directory must have, byte for byte. */
export interface WantedFile {
  readonly file: string
  readonly content: string
}

/** What a directory sync changed, with a way to put everything back. */
export interface DirChanges {
  readonly written: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  restore(): Promise<void>
}

/**
 * Makes the files of `dir` whose names start with `scope` exactly `wanted` (only differing files
 * are written); files outside the scope are not read. With `dryRun`, nothing is changed.
 */
export const syncFiles = async (
  dir: string,
  wanted: ReadonlyArray<WantedFile>,
  scope: string,
  dryRun = false,
): Promise<DirChanges> => {
  for (const w of wanted)
    if (!w.file.startsWith(scope) || w.file.includes("/")) throw new Error(`${w.file} is outside ${scope}`)
  const names = (await readdir(dir)).filter((n) => n.startsWith(scope) && n.endsWith(".conf"))
  const current = new Map<string, string>()
  for (const n of names) current.set(n, await readFile(join(dir, n), "utf8"))
  const want = new Map(wanted.map((w) => [w.file, w.content]))
  const written = [...want].filter(([f, c]) => current.get(f) !== c).map(([f]) => f)
  const removed = [...current.keys()].filter((f) => !want.has(f))
  const restore = async () => {
    for (const f of written) {
      const before = current.get(f)
      if (before === undefined) await rm(join(dir, f), { force: true })
      else await writeIfChanged(join(dir, f), before)
    }
    for (const f of removed) await writeIfChanged(join(dir, f), current.get(f)!)
  }
  if (!dryRun) {
    for (const f of written) await writeIfChanged(join(dir, f), want.get(f)!)
    for (const f of removed) await rm(join(dir, f), { force: true })
  }
  return { written, removed, restore }
}
