// Benchmark, not a test: email through the real stack (API → SyncMailDomainWorkflow → an agent
// with the email role and its own Postfix and Dovecot) against floors measured in the same run on
// the same daemons. (1) POST /fqdns/{id}/email-accounts → the account's first successful IMAP
// login, p50/p95 over BENCH_RUNS (default 20), against the same passwd-file line and mailbox
// directory written directly on the node, then the same login. (2) BENCH_MESSAGES (default 1,000)
// messages sent over SMTP to one mailbox until IMAP sees every one, messages/s end to end,
// against the same messages handed straight to Dovecot's LMTP socket (no Postfix). Prints tables,
// ratios and the machine's load; exits 0 whatever the numbers. See bench/README.md.
import { execFile, execFileSync } from "node:child_process"
import { argon2 } from "node:crypto"
import { chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { emailPaths } from "@hosting/agent"
import { hashMailPassword } from "@hosting/core/node"
import { findExecutable, freePort, startTemporalDevServer } from "@hosting/dev"
import { createClient } from "@hosting/sdk"
import { Effect } from "effect"
import { ImapFlow } from "imapflow"
import nodemailer from "nodemailer"
import SMTPConnection from "nodemailer/lib/smtp-connection"
import { waitForAgent } from "../../test/support/agents.js"
import { imapLogin, makeTestEmailNode } from "../../test/support/email-node.js"
import { createTestDatabase, postgresAdminUrl } from "../../test/support/postgres.js"
import { startStack } from "../../test/support/stack.js"
import { settled } from "../../test/support/web-node.js"
import { log, ms, pct } from "../support/web-bench.js"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 20)
const MESSAGES = Number(process.env["BENCH_MESSAGES"] ?? 1000)
const CONNECTIONS = 8
const PASSWORD = "bench password 1"
const HOST = "bench.mail.example.test"
const BODY = `${"The quick brown fox jumps over the lazy dog. ".repeat(30)}\n`
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ")

/**
 * Waits until Dovecot knows the address (`doveadm user`, a userdb lookup in the passwd-file that
 * IMAP's passdb reads too), then logs in over IMAP until that succeeds. IMAP logins are not tried
 * before: each refused one costs Dovecot's auth_failure_delay (2 s) and raises the penalty of the
 * client's IP, which would measure Dovecot's brute-force protection rather than the path to the
 * mailbox.
 */
const untilLogin = async (dovecotConf: string, imapPort: number, address: string) => {
  const deadline = Date.now() + 120_000
  const known = () =>
    new Promise<boolean>((resolve) =>
      execFile("doveadm", ["-c", dovecotConf, "user", address], (e) => resolve(e === null)),
    )
  while (!(await known())) if (Date.now() > deadline) throw new Error(`Dovecot never knew ${address}`)
  // a connection Dovecot drops while it reloads (the agent's doveadm reload) is tried again too
  while (!(await imapLogin(imapPort, address, PASSWORD).catch(() => false))) {
    retriedLogins++
    if (Date.now() > deadline) throw new Error(`${address} never logged in`)
  }
}
/** IMAP logins that failed after Dovecot knew the user (each one costs seconds: reported). */
let retriedLogins = 0

/** Messages in a mailbox's INBOX, polled over one IMAP connection until there are `n`; bounded. */
const untilMessages = async (imapPort: number, user: string, n: number) => {
  const c = new ImapFlow({
    host: "127.0.0.1",
    port: imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: PASSWORD },
    logger: false,
  })
  await c.connect()
  try {
    const deadline = Date.now() + 600_000
    for (;;) {
      const status = await c.status("INBOX", { messages: true })
      const messages = status === false ? undefined : status.messages
      if (messages === n) return
      if (Date.now() > deadline) throw new Error(`${user} has ${messages} of ${n} messages`)
      await new Promise((r) => setTimeout(r, 20))
    }
  } finally {
    await c.logout().catch(() => {})
  }
}

const message = (i: number, to: string) => ({
  from: "sender@elsewhere.example.test",
  to,
  subject: `message ${i}`,
  text: BODY,
  envelope: { from: "sender@elsewhere.example.test", to },
})

/** `MESSAGES` messages over SMTP to `to`, CONNECTIONS at a time, then until IMAP has them all. */
const throughSmtp = async (smtpPort: number, imapPort: number, to: string) => {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  })
  const started = performance.now()
  await Promise.all(Array.from({ length: MESSAGES }, (_, i) => transport.sendMail(message(i, to))))
  const accepted = performance.now() - started
  await untilMessages(imapPort, to, MESSAGES)
  transport.close()
  return { accepted, seen: performance.now() - started }
}

/** The same messages to Dovecot's LMTP socket directly, CONNECTIONS at a time, then until IMAP has them all. */
const throughLmtp = async (socket: string, imapPort: number, to: string) => {
  const raw = (i: number) =>
    `From: <sender@elsewhere.example.test>\r\nTo: <${to}>\r\nSubject: message ${i}\r\nMessage-ID: <lmtp-${i}@bench>\r\n\r\n${BODY.replace(/\n/g, "\r\n")}`
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const sock = connect(socket)
      await new Promise<void>((resolve, reject) => sock.once("connect", resolve).once("error", reject))
      const c = new SMTPConnection({ lmtp: true, connection: sock })
      await new Promise<void>((resolve, reject) => c.connect((e) => (e ? reject(e) : resolve())))
      while (next < MESSAGES) {
        const i = next++
        await new Promise<void>((resolve, reject) =>
          c.send({ from: "sender@elsewhere.example.test", to }, raw(i), (e) => (e ? reject(e) : resolve())),
        )
      }
      c.quit()
    }),
  )
  const accepted = performance.now() - started
  await untilMessages(imapPort, to, MESSAGES)
  return { accepted, seen: performance.now() - started }
}

const temporalCli = findExecutable("temporal")
if (temporalCli === undefined) throw new Error("the Temporal CLI is not installed (infra/dev/install-temporal.sh)")
log(`${cpus().length} cores, load average (1 / 5 / 15 min) at the start: ${load()}`)
const work = mkdtempSync(join(tmpdir(), "hosting-bench-email-"))
const db = await createTestDatabase(postgresAdminUrl(), "hp_bench_email")
const mail = await makeTestEmailNode()
const temporal = await startTemporalDevServer({
  executable: temporalCli,
  port: await freePort(),
  httpPort: await freePort(),
  metricsPort: await freePort(),
  logFile: join(work, "temporal.log"),
})
const stack = await startStack({
  databaseUrl: db.url,
  temporalAddress: temporal.address,
  env: { ...mail.env, HOSTING_LOCAL_NODE_ROLES: "web,email" },
})
try {
  const client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  await waitForAgent(client, stack.nodeId, 60)
  const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
  const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
  const brand = await client.brands.create({ payload: { name: "bench" } })
  await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const tenant = await client.tenants.create({ payload: { brand_id: brand.id } })
  const webroot = await client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } })
  const fqdn = await client.fqdns.create({ path: { id: webroot.id }, payload: { hostname: HOST } })
  const p = emailPaths(mail.root)
  const usersFile = `${p.dovecotUsers}/hp-users`
  const create = (local_part: string) =>
    client.emailAccounts.create({ path: { id: fqdn.id }, payload: { local_part, password: PASSWORD } })

  // (1) the platform; two warm-up runs (the first makes the mail domain and pays for caches)
  const platform: Array<number> = []
  for (let i = -2; i < RUNS; i++) {
    const started = performance.now()
    const a = await create(`p${i + 2}`)
    await untilLogin(p.dovecotConf, mail.ports.imap, a.address)
    if (i >= 0) platform.push(performance.now() - started)
    await settled(a.address, () => client.emailAccounts.get({ path: { id: a.id } }))
  }
  log(`platform: ${platform.map((x) => x.toFixed(0)).join(" ")}`)

  // (1) the floor: the line the agent writes (same hash kind, fields and quota rule), put in place
  // by a rename as the agent does, and the mailbox's directory, owned by the mail user
  const hash = await Effect.runPromise(hashMailPassword(PASSWORD, (pw) => promisify(argon2)("argon2id", pw)))
  const sample = readFileSync(usersFile, "utf8").split("\n")[0]!.split(":")
  const [uid, gid] = [Number(sample[2]), Number(sample[3])]
  // with `reload`, then `doveadm reload` as the agent does: Dovecot looks at its passwd-file again at
  // most once a second, so without it a new line can wait up to that long
  const floorRuns = async (prefix: string, reload: boolean) => {
    const times: Array<number> = []
    for (let i = -2; i < RUNS; i++) {
      const local = `${prefix}${i + 2}`
      const address = `${local}@${HOST}`
      const home = `${p.mail}/${HOST}/${local}`
      const started = performance.now()
      const line = [address, hash, uid, gid, "", home, "", "userdb_quota_rule=*:storage=1024M"].join(":")
      writeFileSync(`${usersFile}.tmp-floor`, `${readFileSync(usersFile, "utf8")}${line}\n`, { mode: 0o644 })
      renameSync(`${usersFile}.tmp-floor`, usersFile)
      mkdirSync(home, { mode: 0o700 })
      chownSync(home, uid, gid)
      if (reload) execFileSync("doveadm", ["-c", p.dovecotConf, "reload"])
      await untilLogin(p.dovecotConf, mail.ports.imap, address)
      if (i >= 0) times.push(performance.now() - started)
    }
    log(`floor (${reload ? "with" : "without"} doveadm reload): ${times.map((x) => x.toFixed(0)).join(" ")}`)
    return times
  }
  const floor = await floorRuns("f", true)
  const floorNoReload = await floorRuns("n", false)
  const afterLogins = load()

  // (2) delivery, each into a fresh platform mailbox
  const sinks = await Promise.all(["smtp-sink", "lmtp-sink"].map(create))
  for (const s of sinks) {
    await settled(s.address, () => client.emailAccounts.get({ path: { id: s.id } }))
    await untilLogin(p.dovecotConf, mail.ports.imap, s.address)
  }
  log(`delivering ${MESSAGES} messages over SMTP (load ${load()})`)
  const smtp = await throughSmtp(mail.ports.smtp, mail.ports.imap, sinks[0]!.address)
  log(`delivering ${MESSAGES} messages over LMTP (load ${load()})`)
  const lmtp = await throughLmtp(`${p.dovecotRun}/lmtp`, mail.ports.imap, sinks[1]!.address)

  const [p50, p95, f50, f95] = [pct(platform, 50), pct(platform, 95), pct(floor, 50), pct(floor, 95)]
  console.log("\n| path | p50 | p95 | runs |")
  console.log("| --- | ---: | ---: | ---: |")
  console.log(`| platform: POST email account → first IMAP login | ${ms(p50)} | ${ms(p95)} | ${RUNS} |`)
  console.log(
    `| floor: passwd-file line + mailbox directory + doveadm reload → first IMAP login | ${ms(f50)} | ${ms(f95)} | ${RUNS} |`,
  )
  console.log(
    `| the same without doveadm reload | ${ms(pct(floorNoReload, 50))} | ${ms(pct(floorNoReload, 95))} | ${RUNS} |`,
  )
  console.log(`\nratio platform/floor: p50 ${(p50 / f50).toFixed(1)}×, p95 ${(p95 / f95).toFixed(1)}×`)
  console.log(`IMAP logins tried again after Dovecot knew the user: ${retriedLogins}`)
  const rate = (x: { seen: number }) => MESSAGES / (x.seen / 1000)
  console.log(`\n| ${MESSAGES} messages, ${CONNECTIONS} connections | all accepted | all in the INBOX | messages/s |`)
  console.log("| --- | ---: | ---: | ---: |")
  console.log(
    `| SMTP (Postfix → LMTP → Dovecot) | ${ms(smtp.accepted)} | ${ms(smtp.seen)} | ${rate(smtp).toFixed(0)} |`,
  )
  console.log(`| floor: Dovecot's LMTP directly | ${ms(lmtp.accepted)} | ${ms(lmtp.seen)} | ${rate(lmtp).toFixed(0)} |`)
  console.log(`\nratio SMTP/LMTP messages/s: ${(rate(smtp) / rate(lmtp)).toFixed(2)}`)
  console.log(
    `\nload average (1 / 5 / 15 min): after the logins ${afterLogins}; at the end ${load()} (${cpus().length} cores)`,
  )
} finally {
  await stack.stop()
  await temporal.process.stop()
  await mail.cleanup()
  await db.drop()
  rmSync(work, { recursive: true, force: true })
}
