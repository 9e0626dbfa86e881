import { HttpApiBuilder } from "@effect/platform"
import { HostingApi, SshKeys } from "@hosting/core"
import { Effect } from "effect"
import { asyncChildHandlers, handleWithPrincipal } from "./principal.js"

/** SSH keys of tenants. */
export const SshKeysLive = HttpApiBuilder.group(HostingApi, "sshKeys", (handlers) =>
  Effect.map(SshKeys, (keys) => handleWithPrincipal(handlers, asyncChildHandlers(keys))),
)

export const sshKeysHandlers = [SshKeysLive] as const
