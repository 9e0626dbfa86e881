import { ipFamily, pathSetting, portSetting, readSettings, stringSetting } from "@hosting/core/node"
import { Config } from "effect"

/** Everything the email role of one agent needs to know about its machine. */
export interface EmailNodeConfig {
  /** The node's root; the mail stack lives in `<root>/email`. */
  readonly root: string
  /** Address Postfix and Dovecot listen on. */
  readonly host: string
  /** Postfix's name in its banner and in bounces (`myhostname`). */
  readonly hostname: string
  readonly ports: { readonly smtp: number; readonly submission: number; readonly imap: number }
  /** The user every mailbox file belongs to (created when missing). */
  readonly vmailUser: string
  readonly binaries: {
    readonly postfix: string
    readonly dovecot: string
    readonly doveadm: string
    readonly opendkim: string
  }
}

/**
 * The email-node settings: its own root and ports, so several agents and tests share a machine.
 * SMTP, submission and IMAP listen on `HOSTING_MAIL_HOST`; LMTP, SASL and the DKIM milter are
 * Unix sockets under the root.
 */
export const EmailNodeSettings: Config.Config<EmailNodeConfig> = Config.all({
  root: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/node").pipe(
    // Dovecot's and OpenDKIM's Unix sockets live under the root: 108 bytes at most
    Config.validate({
      message: "HOSTING_NODE_ROOT: is too long for the mail stack's Unix sockets",
      validation: (root) => root.length <= 60,
    }),
  ),
  host: Config.string("HOSTING_MAIL_HOST").pipe(
    Config.withDefault("127.0.0.1"),
    Config.validate({
      message: "HOSTING_MAIL_HOST: must be an IPv4 address",
      validation: (h) => ipFamily(h) === 4,
    }),
  ),
  hostname: stringSetting("HOSTING_MAIL_HOSTNAME", "mail.localdomain", {
    re: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
    message: "must be a fully qualified lower-case host name",
  }),
  smtp: portSetting("HOSTING_SMTP_PORT", 25),
  submission: portSetting("HOSTING_SUBMISSION_PORT", 587),
  imap: portSetting("HOSTING_IMAP_PORT", 143),
  vmailUser: stringSetting("HOSTING_VMAIL_USER", "vmail", {
    re: /^[a-z_][a-z0-9_-]{0,31}$/,
    message: "must be a user name",
  }),
}).pipe(
  Config.map(
    (s): EmailNodeConfig => ({
      root: s.root,
      host: s.host,
      hostname: s.hostname,
      ports: { smtp: s.smtp, submission: s.submission, imap: s.imap },
      vmailUser: s.vmailUser,
      binaries: {
        postfix: "/usr/sbin/postfix",
        dovecot: "/usr/sbin/dovecot",
        doveadm: "/usr/bin/doveadm",
        opendkim: "/usr/sbin/opendkim",
      },
    }),
  ),
)

/** The email-node settings from an environment (the process's own by default). */
export const emailNodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): EmailNodeConfig =>
  readSettings(EmailNodeSettings, env)
