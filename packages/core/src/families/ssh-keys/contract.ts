import { HttpApiGroup } from "@effect/platform"
import { asyncChildResource } from "../../api/async-resource.js"
import { Authorization, ToolDomain } from "../../api/security.js"
import { TenantId } from "../../domain/ids.js"
import { CreateSshKey, SshKey, SshKeyId, UpdateSshKey } from "./domain.js"

const sshKey = asyncChildResource({
  name: "SSH key",
  article: "an",
  scope: "ssh-keys",
  schema: SshKey,
  collection: "/tenants/:id/ssh-keys",
  parent: TenantId,
  path: "/ssh-keys/:id",
  id: SshKeyId,
})

/** SSH keys: public keys that may log in as their tenant over SFTP and SSH. */
export class SshKeysGroup extends HttpApiGroup.make("sshKeys")
  .annotate(ToolDomain, "tenants")
  .add(sshKey.list({ summary: "List the SSH keys of a tenant", sort: ["name", "created_at"] }))
  .add(sshKey.create({ summary: "Add an SSH public key to a tenant (async, 202)", payload: CreateSshKey }))
  .add(sshKey.get())
  .add(sshKey.update({ summary: "Rename an SSH key", payload: UpdateSshKey }))
  .add(sshKey.delete("Remove an SSH key (async, 202)"))
  .add(sshKey.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

export const sshKeysGroups = [SshKeysGroup] as const

export * from "./domain.js"
