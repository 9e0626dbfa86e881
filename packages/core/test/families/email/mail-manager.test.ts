import { execFileSync } from "node:child_process"
import { argon2 } from "node:crypto"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Layer, Schema } from "effect"
import { MailDomainSpec } from "../../../src/families/email/domain.js"
import { hashMailPassword } from "../../../src/families/email/password.js"
import { planMail } from "../../../src/families/email/render.js"
import { MailConfig, MailManager } from "../../../src/managers/mail.js"
import { CommandRecorder, MemoryFs } from "../../support/node-fakes.js"

const config = {
  layout: { mailRoot: "/srv/email/mail", dkimKeyDir: "/srv/email/opendkim/keys", vmail: { uid: 5000, gid: 5001 } },
  dirs: {
    postfixMaps: "/srv/email/postfix/maps",
    dovecotUsers: "/srv/email/dovecot/auth",
    sieve: "/srv/email/sieve",
    dkimTables: "/srv/email/opendkim",
  },
  postfix: { binary: "/usr/sbin/postfix", configDir: "/srv/email/postfix/conf" },
  dovecot: { doveadm: "/usr/bin/doveadm", configFile: "/srv/email/dovecot/dovecot.conf" },
  opendkim: { pidFile: "/srv/email/opendkim/opendkim.pid", uid: 112, gid: 115 },
}
const reloadPostfix = [config.postfix.binary, "-c", config.postfix.configDir, "reload"]
const reloadDovecot = [config.dovecot.doveadm, "-c", config.dovecot.configFile, "reload"]
const reloadDkim = ["kill", "-USR1", "4343"]
const flushQueue = [config.postfix.binary, "-c", config.postfix.configDir, "flush"]
/** The addresses a plan holds back in Postfix's queue (its transport map's entries). */
const heldBack = (specs: ReadonlyArray<MailDomainSpec>) =>
  (planMail(config.layout, specs).postfix.find((f) => f.file === "hp-transport")?.content ?? "")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(" ")[0]!)

const node = () => {
  const fs = new MemoryFs()
    .dir(config.dirs.postfixMaps)
    .dir(config.dirs.dovecotUsers)
    .dir(config.dirs.sieve)
    .dir(config.layout.dkimKeyDir)
    .dir(config.layout.mailRoot)
    .file(`${config.dirs.postfixMaps}/operator`, "not ours\n")
    .file(config.opendkim.pidFile, "4343\n")
    .file("/proc/4343/cmdline", "/usr/sbin/opendkim\0-x\0/srv/email/opendkim/opendkim.conf")
  const commands = new CommandRecorder()
  const layer = MailManager.Default.pipe(
    Layer.provide(Layer.mergeAll(fs.layer(), commands.layer(), Layer.succeed(MailConfig, config))),
  )
  return { fs, commands, layer }
}

const Specs = FastCheck.uniqueArray(
  Arbitrary.make(MailDomainSpec).filter((d) => d.accounts.length < 4),
  { maxLength: 3, selector: (d) => d.domain },
)

describe("MailManager", () => {
  it.effect.prop(
    "ensure, then plan again: no changes; a reload only for the daemons whose files changed",
    [Specs, Specs],
    ([before, after]) => {
      const { fs, commands, layer } = node()
      return Effect.gen(function* () {
        const m = yield* MailManager
        yield* m.ensure(before)
        // Dovecot made the homes of the accounts that received mail
        for (const d of before)
          for (const a of d.accounts) fs.dir(`${config.layout.mailRoot}/${d.domain}/${a.local_part}`, 0o700, 5000, 5001)
        commands.calls.length = 0
        const planned = yield* m.plan(after)
        const done = yield* m.ensure(after)
        expect(done.changes).toEqual(planned.changes)
        const kinds = new Set(done.changes.map((c) => c.kind))
        const released = heldBack(before).filter((a) => !heldBack(after).includes(a))
        expect(done.flushed).toEqual(released)
        expect(planned.flushed).toEqual([])
        expect(commands.calls).toEqual([
          ...(kinds.has("postfix_map") ? [reloadPostfix] : []),
          ...(released.length > 0 ? [flushQueue] : []),
          ...(kinds.has("dovecot_users") ? [reloadDovecot] : []),
          ...(kinds.has("dkim_table") || kinds.has("dkim_key") ? [reloadDkim] : []),
        ])
        expect((yield* m.plan(after)).changes).toEqual([])
        // exactly the hosted domains' directories remain, each with only its accounts' homes
        const hosted = new Map(after.map((d) => [d.domain, d]))
        expect(fs.list(config.layout.mailRoot)).toEqual([...hosted.keys()].sort())
        for (const [domain, d] of hosted) {
          const homes = fs.list(`${config.layout.mailRoot}/${domain}`)
          expect(homes.every((h) => d.accounts.some((a) => a.local_part === h))).toBe(true)
          expect(fs.entries.get(`${config.layout.mailRoot}/${domain}`)).toMatchObject({
            uid: 5000,
            gid: 5001,
            mode: 0o700,
          })
        }
        for (const k of fs.list(config.layout.dkimKeyDir))
          expect(fs.entries.get(`${config.layout.dkimKeyDir}/${k}`)).toMatchObject({ uid: 112, gid: 115, mode: 0o600 })
        expect(fs.read(`${config.dirs.postfixMaps}/operator`)).toBe("not ours\n")
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 40 } },
  )

  it.effect("retries the queue after the reload that unsuspends an address, not when suspending", () => {
    const { commands, layer } = node()
    const spec = (suspended: boolean) =>
      Schema.decodeUnknownSync(MailDomainSpec)({
        domain: "a.example.test",
        dkim: { selector: "hp1", private_key_pem: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n" },
        accounts: ["alice", "bob"].map((local_part) => ({
          local_part,
          password_hash:
            "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
          quota_mb: 10,
          suspended: suspended && local_part === "bob",
          aliases: [],
          forwards: [],
        })),
      })
    return Effect.gen(function* () {
      const m = yield* MailManager
      expect((yield* m.ensure([spec(true)])).flushed).toEqual([])
      commands.calls.length = 0
      const done = yield* m.ensure([spec(false)])
      expect(done.flushed).toEqual(["bob@a.example.test"])
      expect(commands.calls).toEqual([reloadPostfix, flushQueue, reloadDovecot])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a reload postfix refuses is a MailUnavailable with its message", () => {
    const { commands, layer } = node()
    commands.answer((argv) =>
      argv[0] === config.postfix.binary ? { exitCode: 1, stderr: "postfix: fatal: not running" } : {},
    )
    return Effect.gen(function* () {
      const m = yield* MailManager
      const error = yield* Effect.flip(m.ensure([]))
      expect(error).toMatchObject({ _tag: "MailUnavailable", message: "postfix reload: postfix: fatal: not running" })
    }).pipe(Effect.provide(layer))
  })
})

describe("hashMailPassword", () => {
  it.effect("writes an ARGON2ID hash Debian's doveadm verifies, and refuses a wrong password", () =>
    Effect.gen(function* () {
      const hash = yield* hashMailPassword('pa:ss "word" ü', (p) => promisify(argon2)("argon2id", p))
      expect(hash).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
      expect(execFileSync("doveadm", ["pw", "-t", hash, "-p", 'pa:ss "word" ü'], { encoding: "utf8" })).toBe(
        `${hash} (verified)\n`,
      )
      expect(() => execFileSync("doveadm", ["pw", "-t", hash, "-p", "wrong"], { stdio: "pipe" })).toThrow(/mismatch/)
    }),
  )
})
