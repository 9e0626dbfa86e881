import { randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { chmod, mkdir, readdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { livePid, spawnDetached, stopPid, tail, waitUntil } from "../process.js"
import { run } from "../web/exec.js"
import { readIfExists, writeIfChanged } from "../web/files.js"
import type { S3NodeConfig } from "./config.js"

// A one-node Ceph under `<root>/ceph`: one monitor (`a`), one BlueStore OSD (`0`) on a sparse file,
// and radosgw (`client.rgw.hosting`); no mgr (RGW and I/O do not need one, and it costs ~300 MB).
// Every daemon runs in the foreground of its own detached process, with the pid file the agent
// writes: they keep serving while the agent restarts, a restarted agent adopts them, and they are
// stopped by PID in the order rgw, osd, mon.

/** The daemons in start order (stopped in reverse). */
export const CEPH_DAEMONS = ["mon", "osd", "rgw"] as const
type Daemon = (typeof CEPH_DAEMONS)[number]

/** Paths of the node's Ceph under its root. */
export const cephPaths = (root: string) => {
  const dir = join(root, "ceph")
  return {
    dir,
    conf: join(dir, "ceph.conf"),
    fsid: join(dir, "fsid"),
    /** Written last by a bootstrap: its absence means a bootstrap never finished (start again). */
    done: join(dir, "bootstrapped"),
    /** The monitor port the monitor map was made with. */
    monPort: join(dir, "mon-port"),
    monKeyring: join(dir, "ceph.mon.a.keyring"),
    adminKeyring: join(dir, "ceph.client.admin.keyring"),
    osdKeyring: join(dir, "ceph.osd.0.keyring"),
    rgwKeyring: join(dir, "ceph.client.rgw.hosting.keyring"),
    monmap: join(dir, "monmap"),
    monData: join(dir, "mon.a"),
    osdData: join(dir, "osd.0"),
    rgwData: join(dir, "rgw"),
    run: join(dir, "run"),
    log: join(dir, "log"),
    pid: (d: Daemon) => join(dir, "run", `${d}.pid`),
    out: (d: Daemon) => join(dir, "log", `${d}.out`),
  }
}
type Paths = ReturnType<typeof cephPaths>

const bin = (c: S3NodeConfig, name: string) => join(c.binDir, name)

// Every value here is a setting checked by S3NodeSettings (IP address, ports, plain absolute path).
const cephConf = (c: S3NodeConfig, p: Paths, fsid: string, monPort: number) => `# written by the hosting agent
[global]
fsid = ${fsid}
mon initial members = a
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind port min = ${c.ports.min}
ms bind port max = ${c.ports.max}
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${p.dir}/$cluster.$name.keyring
run dir = ${p.run}
admin socket = ${p.run}/$cluster-$name.asok
log file = ${p.log}/$cluster-$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 5
osd crush chooseleaf type = 0
[mon]
mon data = ${p.dir}/mon.$id
[osd]
osd data = ${p.dir}/osd.$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = ${c.osdBytes}
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
bluestore cache autotune = false
bluestore cache size = 67108864
osd memory target = 939524096
[client.rgw.hosting]
rgw frontends = beast endpoint=${c.listen.host.includes(":") ? `[${c.listen.host}]` : c.listen.host}:${c.listen.port}
rgw data = ${p.rgwData}
rgw enable usage log = false
rgw relaxed s3 bucket names = false
`

/** A daemon's pid from its pid file if it is alive and its command line names this cluster's config. */
const daemonPid = (p: Paths, d: Daemon) => livePid(p.pid(d), p.conf)

const daemonArgs = (p: Paths, d: Daemon): Array<string> =>
  d === "mon"
    ? ["-f", "-c", p.conf, "-i", "a"]
    : d === "osd"
      ? ["-f", "-c", p.conf, "-i", "0"]
      : ["-f", "-c", p.conf, "-n", "client.rgw.hosting"]
const daemonBinary = { mon: "ceph-mon", osd: "ceph-osd", rgw: "radosgw" } as const

/** Starts one daemon detached in the foreground mode, its output appended to `log/<daemon>.out`. */
const startDaemon = async (c: S3NodeConfig, p: Paths, d: Daemon): Promise<number> => {
  const pid = spawnDetached(bin(c, daemonBinary[d]), daemonArgs(p, d), p.out(d), { logMode: 0o600 })
  await writeFile(p.pid(d), `${pid}\n`, { mode: 0o600 })
  return pid
}

/** Whether radosgw answers S3 on its port (an anonymous ListBuckets is a 200). */
export const rgwReady = async (c: S3NodeConfig): Promise<boolean> => {
  try {
    const res = await fetch(s3Endpoint(c), { signal: AbortSignal.timeout(2_000) })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

/** The URL customers (and the agent) reach radosgw at. */
export const s3Endpoint = (c: S3NodeConfig) =>
  `http://${c.listen.host.includes(":") ? `[${c.listen.host}]` : c.listen.host}:${c.listen.port}`

const waitFor = (what: string, timeoutMs: number, check: () => Promise<boolean>, dead: () => string | undefined) =>
  waitUntil(check, {
    timeoutMs,
    pollMs: 100,
    exited: dead,
    late: () => `${what} within ${Math.round(timeoutMs / 1000)} s`,
  })

const exited = (p: Paths) => () => {
  for (const d of CEPH_DAEMONS)
    if (daemonPid(p, d) === undefined) return `${daemonBinary[d]} exited at start:\n${tail(p.out(d))}`
  return undefined
}

const ceph = (c: S3NodeConfig, p: Paths, args: ReadonlyArray<string>) =>
  run(bin(c, "ceph"), ["-c", p.conf, "--connect-timeout", "30", ...args], { timeoutMs: 90_000 })

const authtool = (c: S3NodeConfig, args: ReadonlyArray<string>) => run(bin(c, "ceph-authtool"), args)

/**
 * Makes a new cluster: fsid, keyrings (root-only), monitor map and store, the OSD (its key and id
 * registered with one `ceph osd new`), then starts mon, osd and radosgw. Every key is in the
 * monitor's store from its mkfs on, so only the OSD's registration needs the `ceph` tool.
 */
const bootstrap = async (c: S3NodeConfig, p: Paths): Promise<void> => {
  // what an interrupted bootstrap left (its daemons, by pid file, then its files) goes first
  await stopCeph(p)
  await rm(p.dir, { recursive: true, force: true })
  for (const d of [p.dir, p.run, p.log, p.monData, p.osdData, p.rgwData])
    await mkdir(d, { recursive: true, mode: 0o700 })
  const fsid = randomUUID()
  await writeFile(p.fsid, `${fsid}\n`, { mode: 0o600 })
  await writeFile(p.monPort, `${c.monPort}\n`, { mode: 0o600 })
  await writeFile(p.conf, cephConf(c, p, fsid, c.monPort), { mode: 0o600 })

  const key = async (keyring: string, name: string, caps: ReadonlyArray<readonly [string, string]>) => {
    await authtool(c, [
      "--create-keyring",
      keyring,
      "--gen-key",
      "-n",
      name,
      ...caps.flatMap(([s, v]) => ["--cap", s, v]),
    ])
    await chmod(keyring, 0o600)
  }
  await key(p.monKeyring, "mon.", [["mon", "allow *"]])
  await key(p.adminKeyring, "client.admin", [
    ["mon", "allow *"],
    ["osd", "allow *"],
    ["mds", "allow *"],
    ["mgr", "allow *"],
  ])
  await key(p.rgwKeyring, "client.rgw.hosting", [
    ["mon", "allow rw"],
    ["osd", "allow rwx"],
  ])
  for (const k of [p.adminKeyring, p.rgwKeyring]) await authtool(c, [p.monKeyring, "--import-keyring", k])
  await run(bin(c, "monmaptool"), ["--create", "--addv", "a", `[v2:127.0.0.1:${c.monPort}]`, "--fsid", fsid, p.monmap])
  await run(bin(c, "ceph-mon"), ["-c", p.conf, "--mkfs", "-i", "a", "--monmap", p.monmap, "--keyring", p.monKeyring])
  await startDaemon(c, p, "mon")

  const osdUuid = randomUUID()
  const osdKey = (await authtool(c, ["--gen-print-key"])).stdout.trim()
  await authtool(c, ["--create-keyring", p.osdKeyring, "-n", "osd.0", "--add-key", osdKey])
  await chmod(p.osdKeyring, 0o600)
  const secrets = join(p.run, "osd-secrets.json")
  await writeFile(secrets, JSON.stringify({ cephx_secret: osdKey }), { mode: 0o600 })
  const id = (await ceph(c, p, ["osd", "new", osdUuid, "-i", secrets])).stdout.trim()
  await rm(secrets)
  if (id !== "0") throw new Error(`the monitor gave the OSD id ${id}, expected 0`)
  await run(
    bin(c, "ceph-osd"),
    ["-c", p.conf, "-i", "0", "--mkfs", "--osd-uuid", osdUuid, "--keyring", p.osdKeyring, "--no-mon-config"],
    { timeoutMs: 120_000 },
  )
  await startDaemon(c, p, "osd")
  await startDaemon(c, p, "rgw")
  await waitFor("radosgw did not answer S3", 120_000, () => rgwReady(c), exited(p))
  await writeFile(p.done, `${new Date().toISOString()}\n`)
}

/** What `ensureCeph` did, for the log and the tests' measurements. */
export interface CephStart {
  readonly action: "bootstrapped" | "started" | "adopted"
  readonly ms: number
}

/**
 * Brings the node's Ceph up: bootstraps it once, starts it again from its data (after a reboot or
 * a crash), or adopts the daemons an earlier agent left running (same config, live pids). Returns
 * once radosgw answers S3.
 */
export const ensureCeph = async (c: S3NodeConfig): Promise<CephStart> => {
  const started = Date.now()
  const p = cephPaths(c.root)
  if (!existsSync(p.done)) {
    await bootstrap(c, p)
    return { action: "bootstrapped", ms: Date.now() - started }
  }
  const monPort = Number((await readIfExists(p.monPort))?.trim())
  if (monPort !== c.monPort)
    throw new Error(
      `this node's Ceph monitor was made on port ${monPort}; HOSTING_CEPH_MON_PORT=${c.monPort} would need a new monitor map`,
    )
  const fsid = (await readIfExists(p.fsid))?.trim() ?? ""
  const changed = await writeIfChanged(p.conf, cephConf(c, p, fsid, monPort), 0o600)
  const running = CEPH_DAEMONS.map((d) => daemonPid(p, d))
  if (!changed && running.every((pid) => pid !== undefined) && (await rgwReady(c)))
    return { action: "adopted", ms: Date.now() - started }
  // a changed config (ports, listen address) restarts what runs; a missing daemon is started
  if (changed) await stopCeph(p)
  for (const d of CEPH_DAEMONS) if (daemonPid(p, d) === undefined) await startDaemon(c, p, d)
  await waitFor("radosgw did not answer S3", 120_000, () => rgwReady(c), exited(p))
  return { action: "started", ms: Date.now() - started }
}

/** Stops the cluster's daemons by their pid files, in the order rgw, osd, mon; never by process name. */
const stopCeph = async (p: Paths, timeoutMs = 30_000): Promise<void> => {
  for (const d of [...CEPH_DAEMONS].reverse()) {
    const pid = daemonPid(p, d)
    if (pid !== undefined) await stopPid(pid, timeoutMs)
  }
}

/** Stops the Ceph this root's pid files name (tests, the dev launcher). */
export const stopS3Services = async (root: string, timeoutMs = 30_000): Promise<void> => {
  const p = cephPaths(root)
  if (existsSync(p.run) && (await readdir(p.run)).length > 0) await stopCeph(p, timeoutMs)
}

/** The pids of the running daemons (tests measure their memory). */
export const cephPids = (root: string): Partial<Record<Daemon, number>> => {
  const p = cephPaths(root)
  return Object.fromEntries(CEPH_DAEMONS.flatMap((d) => (daemonPid(p, d) === undefined ? [] : [[d, daemonPid(p, d)]])))
}
