// A private web node for tests: its own root outside /tmp (sshd refuses chroots under /tmp),
// ports, Linux user prefix and UID range, so several can share the machine and every user,
// file and process they made is removed afterwards.
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:http"
import { join } from "node:path"
import { stopNodeServices } from "@hosting/agent"
import { freePort } from "@hosting/dev"

export interface TestWebNode {
  readonly root: string
  readonly userPrefix: string
  readonly httpPort: number
  readonly httpsPort: number
  readonly sshPort: number
  readonly env: NodeJS.ProcessEnv
  /** Removes every process, user and file of this node. */
  cleanup(): Promise<void>
}

const TEST_ROOT = "/var/lib/hosting-test"

export const makeTestWebNode = async (): Promise<TestWebNode> => {
  const tag = Math.random()
    .toString(36)
    .slice(2, 8)
    .replace(/^[0-9]/, "x")
  const root = join(TEST_ROOT, tag)
  mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 })
  const userPrefix = `w${tag}_`
  const [httpPort, httpsPort, sshPort] = [await freePort(), await freePort(), await freePort()]
  // a UID range of its own, away from other runs' (collisions would only make useradd pick another)
  const base = 400_000 + Math.floor(Math.random() * 1000) * 1000
  const env = {
    HOSTING_AGENT_ROLES: "web",
    HOSTING_NODE_ROOT: root,
    HOSTING_HTTP_PORT: String(httpPort),
    HOSTING_HTTPS_PORT: String(httpsPort),
    HOSTING_SSH_PORT: String(sshPort),
    HOSTING_USER_PREFIX: userPrefix,
    HOSTING_UID_MIN: String(base),
    HOSTING_UID_MAX: String(base + 999),
  }
  const cleanup = async () => {
    await stopNodeServices(root)
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const name = line.split(":")[0]
      if (name?.startsWith(userPrefix)) execFileSync("userdel", [name])
    }
    rmSync(root, { recursive: true, force: true })
  }
  return { root, userPrefix, httpPort, httpsPort, sshPort, env, cleanup }
}

/** GET through nginx with a Host header (fetch cannot set Host), on a fresh connection. */
export const httpGet = (port: number, host: string, path = "/") =>
  new Promise<{ status: number; body: string; location: string | undefined }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: { Host: host, Connection: "close" }, agent: false },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (d) => (body += d))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }))
      },
    )
    req.on("error", reject)
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")))
    req.end()
  })

/** Polls until the answer matches (nginx reloads and app starts are asynchronous); bounded. */
export const eventually = async <A>(
  what: string,
  f: () => Promise<A>,
  ok: (a: A) => boolean,
  timeoutMs = 20_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: A | undefined
  let error: unknown
  while (Date.now() < deadline) {
    try {
      last = await f()
      if (ok(last)) return last
    } catch (e) {
      error = e
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what}: last answer ${JSON.stringify(last)} ${error ? String(error) : ""}`)
}

/** A fresh ed25519 client key pair (private key file path and public key line). */
export const clientKey = (dir: string, name: string): { file: string; publicKey: string } => {
  const file = join(dir, name)
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file])
  return { file, publicKey: readFileSync(`${file}.pub`, "utf8").trim() }
}

/** Runs an sftp batch as `user`; returns the exit code and output (BatchMode: never prompts). */
export const sftp = (port: number, user: string, keyFile: string, batch: string) => {
  try {
    const out = execFileSync(
      "sftp",
      [
        "-b",
        "-",
        "-P",
        String(port),
        "-i",
        keyFile,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=10",
        `${user}@127.0.0.1`,
      ],
      { input: batch, stdio: ["pipe", "pipe", "pipe"], timeout: 30_000 },
    )
    return { code: 0, output: out.toString() }
  } catch (e) {
    const err = e as { status?: number; stderr?: Buffer; stdout?: Buffer }
    return { code: err.status ?? -1, output: `${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}` }
  }
}

/** A resource as its lifecycle reports it. */
export type Status = { readonly status: string; readonly status_message: string | null }

/** Polls until the resource is active; fails at once with its message if it failed; bounded. */
export const settled = async <A extends Status>(
  what: string,
  read: () => Promise<A>,
  timeoutMs = 45_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: A | undefined
  while (Date.now() < deadline) {
    last = await read()
    if (last.status === "active") return last
    if (last.status === "failed") throw new Error(`${what} failed: ${last.status_message}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not become active: ${JSON.stringify(last)}`)
}
