import { defineFamily } from "../family.js"
import { SshKeys } from "./service.js"

/** SSH keys of tenants: a child family riding its tenant's sync (rows in its snapshot, lines in its spec). */
export const sshKeysFamily = defineFamily({ name: "ssh-keys", services: [SshKeys.Default] })

export * from "./contract.js"
export * from "./service.js"
