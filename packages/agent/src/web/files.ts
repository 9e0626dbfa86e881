import { randomUUID } from "node:crypto"
import { chmod, chown, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises"

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
