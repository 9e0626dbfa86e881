import { lbPaths } from "@hosting/core/node"
import { livePid, stopPid } from "../process.js"
import { run } from "../web/exec.js"
import type { LbNodeConfig } from "./config.js"
import { haproxyCli } from "./socket.js"

/** PID of the node's running HAProxy (from its pid file), if any. */
export const haproxyPid = (root: string): number | undefined => livePid(lbPaths(root).pid, "haproxy")

/** HAProxy's own `show info`: its PID and start time tell whether it was reloaded. */
export const haproxyInfo = async (root: string): Promise<{ pid: number; startTime: number; uptime: number }> => {
  const out = await haproxyCli(lbPaths(root).socket, "show info")
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(out)?.[1] ?? Number.NaN)
  return { pid: field("Pid"), startTime: field("Start_time_sec"), uptime: field("Uptime_sec") }
}

/**
 * Starts HAProxy as a daemon on the node's config (pid file in the root), or reloads a running
 * one seamlessly: the new process takes the listening sockets over from the old one (`-x`) and
 * tells it to finish its connections and exit (`-sf`). Resolves once the new process answers on
 * the admin socket.
 */
export const startOrReloadHaproxy = async (c: LbNodeConfig): Promise<void> => {
  const p = lbPaths(c.layout.root)
  const old = haproxyPid(c.layout.root)
  await run(c.binary, ["-D", "-f", p.config, ...(old === undefined ? [] : ["-x", p.socket, "-sf", String(old)])])
  const pid = haproxyPid(c.layout.root)
  if (pid === undefined || pid === old) throw new Error("HAProxy did not start (no new process in its pid file)")
  for (let i = 0; ; i++) {
    try {
      if ((await haproxyInfo(c.layout.root)).pid === pid) return
    } catch (e) {
      if (i >= 100) throw e
    }
    if (i >= 100) throw new Error("HAProxy's new process did not answer on its admin socket")
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Stops the node's HAProxy by the PID in its pid file (tests, dev); never by process name.
 * A process left draining by an earlier reload exits by itself (hard-stop-after).
 */
export const stopLbServices = async (root: string, timeoutMs = 10_000): Promise<void> => {
  const pid = haproxyPid(root)
  if (pid !== undefined) await stopPid(pid, timeoutMs, 20)
}
