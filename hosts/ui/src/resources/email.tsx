// Email as configuration: an FQDN's mailboxes, their aliases and forwards (and the auto-reply tab).
import { autoreplyTab } from "./autoreply"
import { fromGroup } from "./calls"
import type { Column, ResourceConfig } from "./types"

const created: Column = { key: "created_at", label: "Created" }
const status: Column = { key: "status", label: "Status" }

/** Mailboxes of an FQDN; the password is sent, never shown. */
export const emailAccounts: ResourceConfig = {
  key: "email-accounts",
  label: "Email accounts",
  singular: "email account",
  parent: "fqdns",
  columns: [{ key: "address", label: "Address" }, { key: "quota_mb", label: "Quota (MB)" }, status, created],
  titleOf: (r) => String(r["address"]),
  hasDetail: true,
  fields: [
    {
      name: "local_part",
      label: "Local part",
      kind: "text",
      required: true,
      help: "lower-case letters, digits, '_' and '-', atoms joined by dots",
    },
    { name: "password", label: "Password", kind: "password", required: true, help: "12–128 characters" },
    { name: "quota_mb", label: "Quota (MB)", kind: "number", help: "default 1024" },
    { name: "display_name", label: "Display name", kind: "text" },
  ],
  editFields: [
    { name: "password", label: "New password", kind: "password", help: "12–128 characters; empty keeps it" },
    { name: "quota_mb", label: "Quota (MB)", kind: "number" },
    { name: "display_name", label: "Display name", kind: "text" },
  ],
  tabs: [
    { label: "Aliases", resource: "email-aliases" },
    { label: "Forwards", resource: "email-forwards" },
    autoreplyTab,
  ],
  ...fromGroup("emailAccounts"),
}

/** Other addresses delivered to a mailbox. */
export const emailAliases: ResourceConfig = {
  key: "email-aliases",
  label: "Aliases",
  singular: "alias",
  parent: "email-accounts",
  columns: [{ key: "address", label: "Address" }, status, created],
  titleOf: (r) => String(r["address"]),
  hasDetail: true,
  fields: [
    { name: "local_part", label: "Local part", kind: "text", required: true },
    { name: "fqdn_id", label: "FQDN id", kind: "text", help: "another FQDN of the tenant (default: the account's)" },
  ],
  ...fromGroup("emailAliases"),
}

/** Copies of a mailbox's mail to another address. */
export const emailForwards: ResourceConfig = {
  key: "email-forwards",
  label: "Forwards",
  singular: "forward",
  parent: "email-accounts",
  columns: [{ key: "address", label: "Address" }, { key: "keep_copy", label: "Keep copy" }, status, created],
  titleOf: (r) => String(r["address"]),
  hasDetail: true,
  fields: [{ name: "address", label: "Address", kind: "email", required: true }],
  ...fromGroup("emailForwards"),
}
