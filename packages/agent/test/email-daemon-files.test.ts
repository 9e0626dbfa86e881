import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { emailNodeConfigFromEnv } from "../src/email/config.js"
import { dovecotConf, emailPaths, postfixMain, postfixMaster } from "../src/email/daemon-files.js"

const dir = mkdtempSync(join(tmpdir(), "email-daemon-files-"))
const config = emailNodeConfigFromEnv({ HOSTING_NODE_ROOT: "/var/lib/hosting/n1" })
const paths = emailPaths(config.root)
const socket = "/var/lib/hosting/n1/email/dovecot/run/quota-status"

afterAll(() => rmSync(dir, { recursive: true, force: true }))

// the files as Debian's own parsers read them (`postconf -n`, `doveconf -n`: set values only)
const postconf = () => {
  writeFileSync(join(dir, "main.cf"), postfixMain(config, paths))
  writeFileSync(join(dir, "master.cf"), postfixMaster(config, paths))
  return execFileSync("postconf", ["-c", dir, "-n"], { encoding: "utf8" })
}
const doveconf = () => {
  writeFileSync(join(dir, "dovecot.conf"), dovecotConf(config, paths, { uid: 5000, gid: 5001 }))
  return execFileSync("doveconf", ["-c", join(dir, "dovecot.conf"), "-n"], { encoding: "utf8" })
}

describe("the email node's daemon files", () => {
  it("Postfix asks Dovecot's quota-status about every recipient, and accepts when it cannot answer", () => {
    const set = postconf()
    expect(set).toContain(`smtpd_recipient_restrictions = check_policy_service unix:${socket}\n`)
    // a policy outage must not refuse mail: LMTP still enforces the quota
    expect(set).toContain("smtpd_policy_service_default_action = DUNNO\n")
  })

  it("Dovecot serves quota-status to Postfix alone, answering 552 for a full mailbox and nothing otherwise", () => {
    const set = doveconf()
    expect(set).toContain(
      [
        "service quota-status {",
        "  client_limit = 1",
        "  executable = quota-status -p postfix",
        "  unix_listener quota-status {",
        "    mode = 0600",
        "    user = postfix",
        "  }",
        "}",
      ].join("\n"),
    )
    expect(set).toContain("  quota_status_nouser = DUNNO\n")
    expect(set).toContain("  quota_status_overquota = 552 5.2.2 Mailbox is full\n")
    expect(set).toContain("  quota_status_success = DUNNO\n")
    // the limit itself is each user's (passwd-file `userdb_quota_rule`); LMTP and IMAP load the plugin
    expect(set).toContain("  quota = maildir:User quota\n")
    expect(set).toMatch(/^ {2}mail_plugins = " quota sieve"$/m)
  })
})
