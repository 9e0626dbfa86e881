import { readFile } from "node:fs/promises"
import type { WebNodeConfig } from "./config.js"
import { run } from "./exec.js"

/** A Linux account as /etc/passwd has it. */
export interface LinuxUser {
  readonly name: string
  readonly uid: number
  readonly gid: number
  readonly home: string
}

/** Every account in /etc/passwd, read once per operation (no process per user). */
export const readUsers = async (): Promise<Map<string, LinuxUser>> => {
  const out = new Map<string, LinuxUser>()
  for (const line of (await readFile("/etc/passwd", "utf8")).split("\n")) {
    const [name, , uid, gid, , home] = line.split(":")
    if (name && uid && gid && home !== undefined) out.set(name, { name, uid: Number(uid), gid: Number(gid), home })
  }
  return out
}

/**
 * Creates the tenant's user and private group (same name) with a UID and GID from the node's
 * range. The password field is `*`, not `!`: sshd without PAM refuses a "locked" account even for
 * key logins. The shell is nologin; SFTP needs none.
 */
export const createUser = async (c: WebNodeConfig, name: string, home: string): Promise<LinuxUser> => {
  await run("useradd", [
    "--no-create-home",
    "--home-dir",
    home,
    "--shell",
    "/usr/sbin/nologin",
    "--password",
    "*",
    "--user-group",
    "-K",
    `UID_MIN=${c.uidMin}`,
    "-K",
    `UID_MAX=${c.uidMax}`,
    "-K",
    `GID_MIN=${c.uidMin}`,
    "-K",
    `GID_MAX=${c.uidMax}`,
    name,
  ])
  const user = (await readUsers()).get(name)
  if (user === undefined) throw new Error(`useradd ${name} succeeded but the user is not in /etc/passwd`)
  return user
}

/** Removes the user and its group; an absent user is fine. */
export const deleteUser = async (name: string): Promise<boolean> => {
  if (!(await readUsers()).has(name)) return false
  await run("userdel", [name])
  return true
}
