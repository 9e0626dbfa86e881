import { createHash } from "node:crypto"
import { join } from "node:path"
import { DKIM_TABLES, DOVECOT_USERS, MAX_FORWARDS, POSTFIX_MAPS } from "@hosting/core/node"
import type { EmailNodeConfig } from "./config.js"

/** Paths of the node's mail stack under its root. */
export const emailPaths = (root: string) => {
  const base = join(root, "email")
  return {
    base,
    postfixConf: join(base, "postfix", "conf"),
    postfixMaps: join(base, "postfix", "maps"),
    postfixQueue: join(base, "postfix", "queue"),
    postfixData: join(base, "postfix", "data"),
    maillog: join(base, "postfix", "maillog"),
    /** Postfix's master writes its pid here (`queue_directory/pid/master.pid`). */
    postfixPid: join(base, "postfix", "queue", "pid", "master.pid"),
    dovecotConf: join(base, "dovecot", "dovecot.conf"),
    /** Dovecot's base_dir: its master.pid, LMTP and SASL sockets. */
    dovecotRun: join(base, "dovecot", "run"),
    dovecotState: join(base, "dovecot", "state"),
    dovecotUsers: join(base, "dovecot", "auth"),
    dovecotLog: join(base, "dovecot", "dovecot.log"),
    sieve: join(base, "sieve"),
    opendkim: join(base, "opendkim"),
    opendkimConf: join(base, "opendkim", "opendkim.conf"),
    opendkimKeys: join(base, "opendkim", "keys"),
    opendkimRun: join(base, "opendkim", "run"),
    opendkimPid: join(base, "opendkim", "run", "opendkim.pid"),
    /** OpenDKIM logs only to syslog (absent here); its start-up errors land in this file. */
    opendkimLog: join(base, "opendkim", "opendkim.log"),
    milter: join(base, "opendkim", "run", "milter.sock"),
    mail: join(base, "mail"),
    /** The domains' specs as last ensured (root-only: hashes and DKIM keys). */
    state: join(base, "state"),
  }
}
export type EmailPaths = ReturnType<typeof emailPaths>

/** The address the node's own services reach Postfix at (the listen address, or loopback for any). */
const loopbackOf = (c: EmailNodeConfig) => (c.host === "0.0.0.0" ? "127.0.0.1" : c.host)

/** Dovecot's quota-status socket (in its base_dir) that Postfix asks about full mailboxes. */
const QUOTA_STATUS_SOCKET = "quota-status"

const OUTBOUND_DISABLED = "error:5.7.1 outbound mail is disabled on this node"

/** Postfix's main.cf: virtual domains from texthash maps, delivery over LMTP, nothing leaves the box. */
export const postfixMain = (c: EmailNodeConfig, p: EmailPaths) => `# written by the hosting agent
compatibility_level = 3.6
queue_directory = ${p.postfixQueue}
data_directory = ${p.postfixData}
maillog_file = ${p.maillog}
maillog_file_prefixes = ${p.base}
myhostname = ${c.hostname}
mydomain = ${c.hostname}
myorigin = $myhostname
mydestination =
inet_interfaces = ${c.host === "0.0.0.0" ? "all" : c.host}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = $myhostname ESMTP
biff = no
alias_maps =
alias_database =
local_recipient_maps =
recipient_delimiter =
virtual_mailbox_domains = texthash:${p.postfixMaps}/${POSTFIX_MAPS.domains}
virtual_mailbox_maps = texthash:${p.postfixMaps}/${POSTFIX_MAPS.mailboxes}
virtual_alias_maps = texthash:${p.postfixMaps}/${POSTFIX_MAPS.aliases}
transport_maps = texthash:${p.postfixMaps}/${POSTFIX_MAPS.transport}
smtpd_sender_login_maps = texthash:${p.postfixMaps}/${POSTFIX_MAPS.senders}
virtual_transport = lmtp:unix:${p.dovecotRun}/lmtp
# safety: no relayhost, and mail for any domain this node does not host is refused, never sent
default_transport = ${OUTBOUND_DISABLED}
relay_transport = ${OUTBOUND_DISABLED}
relayhost =
smtp_dns_support_level = disabled
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${p.dovecotRun}/auth-postfix
smtpd_sasl_auth_enable = no
# a full mailbox refuses mail at RCPT (Dovecot's quota-status answers): when it is over quota
# already, or the message the client announced with SIZE= would not fit. Otherwise the message is
# accepted, refused by LMTP and bounced, to a sender address anyone can forge. (quota-status
# answers only at RCPT: a message whose size was not announced and does not fit still bounces.)
smtpd_recipient_restrictions = check_policy_service unix:${p.dovecotRun}/${QUOTA_STATUS_SOCKET}
# quota-status unreachable: accept, and LMTP still enforces the quota
smtpd_policy_service_default_action = DUNNO
milter_default_action = tempfail
`

/** Postfix's master.cf: SMTP and submission on the node's ports, nothing chrooted, postlogd for maillog_file. */
export const postfixMaster = (c: EmailNodeConfig, p: EmailPaths) => `# written by the hosting agent
${c.host}:${c.ports.smtp} inet n - n - - smtpd
${c.host}:${c.ports.submission} inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_security_level=none
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_milters=unix:${p.milter}
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`

/** Dovecot: IMAP on the node's port, LMTP and SASL on sockets, passwd-file users, quota and Sieve. */
export const dovecotConf = (c: EmailNodeConfig, p: EmailPaths, vmail: { uid: number; gid: number }) => {
  // one instance per root: doveadm and process titles tell them apart
  const instance = `hosting-${createHash("sha256").update(c.root).digest("hex").slice(0, 8)}`
  return `# written by the hosting agent
base_dir = ${p.dovecotRun}
state_dir = ${p.dovecotState}
instance_name = ${instance}
protocols = imap lmtp
listen = ${c.host}
log_path = ${p.dovecotLog}
info_log_path = ${p.dovecotLog}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_uid = ${vmail.uid}
mail_gid = ${vmail.gid}
first_valid_uid = ${vmail.uid}
last_valid_uid = ${vmail.uid}
first_valid_gid = ${vmail.gid}
last_valid_gid = ${vmail.gid}
default_internal_user = dovecot
default_login_user = dovenull
recipient_delimiter =
mail_plugins = $mail_plugins quota
passdb {
  driver = passwd-file
  args = username_format=%u ${p.dovecotUsers}/${DOVECOT_USERS}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${p.dovecotUsers}/${DOVECOT_USERS}
}
service imap-login {
  inet_listener imap {
    address = ${c.host}
    port = ${c.ports.imap}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
# Postfix's policy check: is this recipient's mailbox full (for a message of this size)?
service quota-status {
  executable = quota-status -p postfix
  unix_listener ${QUOTA_STATUS_SOCKET} {
    user = postfix
    mode = 0600
  }
  client_limit = 1
}
protocol lmtp {
  mail_plugins = $mail_plugins sieve
  postmaster_address = postmaster@${c.hostname}
}
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
# Sieve's redirects and vacation replies go back through this node's Postfix
submission_host = ${loopbackOf(c)}:${c.ports.smtp}
plugin {
  quota = maildir:User quota
  quota_status_success = DUNNO
  # an alias or forward is not a user here: LMTP enforces the quota of the mailbox behind it
  quota_status_nouser = DUNNO
  quota_status_overquota = "552 5.2.2 Mailbox is full"
  sieve = file:${p.sieve}/hp-%u.sieve;bindir=~/sieve-bin
  sieve_max_redirects = ${MAX_FORWARDS}
}
`
}

/** OpenDKIM: signs (only) what the submission listener hands it, with the node's key and signing tables. */
export const opendkimConf = (p: EmailPaths) => `# written by the hosting agent
Mode s
Syslog no
Background yes
Socket local:${p.milter}
PidFile ${p.opendkimPid}
UserID opendkim:opendkim
UMask 0111
Canonicalization relaxed/relaxed
KeyTable file:${p.opendkim}/${DKIM_TABLES.keys}
SigningTable file:${p.opendkim}/${DKIM_TABLES.signing}
OversignHeaders From
`
