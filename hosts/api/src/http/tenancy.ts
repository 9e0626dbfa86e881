import { HttpApiBuilder } from "@effect/platform"
import { Certificates, Fqdns, HostingApi, SshKeys, Tenants, Webroots } from "@hosting/core"
import { Effect } from "effect"
import {
  asyncChildHandlers,
  byId,
  byIdWith,
  handleWithPrincipal,
  listUnder,
  withPayload,
  withQuery,
} from "./principal.js"

/** Tenants and their lifecycle operations. */
export const TenantsLive = HttpApiBuilder.group(HostingApi, "tenants", (handlers) =>
  Effect.map(Tenants, (tenants) =>
    handleWithPrincipal(handlers, {
      list: withQuery(tenants.list),
      create: withPayload(tenants.create),
      get: byId(tenants.get),
      update: byIdWith(tenants.update),
      delete: byId(tenants.remove),
      suspend: (p, { path }) => tenants.suspend(p, path.id, true),
      unsuspend: (p, { path }) => tenants.suspend(p, path.id, false),
      migrate: byIdWith(tenants.migrate),
      retry: byId(tenants.retry),
      resources: byId(tenants.resources),
    }),
  ),
)

/** Webroots of tenants. */
export const WebrootsLive = HttpApiBuilder.group(HostingApi, "webroots", (handlers) =>
  Effect.map(Webroots, (webroots) => handleWithPrincipal(handlers, asyncChildHandlers(webroots))),
)

/** FQDNs bound to webroots. */
export const FqdnsLive = HttpApiBuilder.group(HostingApi, "fqdns", (handlers) =>
  Effect.map(Fqdns, (fqdns) => handleWithPrincipal(handlers, asyncChildHandlers(fqdns))),
)

/** SSH keys of tenants. */
export const SshKeysLive = HttpApiBuilder.group(HostingApi, "sshKeys", (handlers) =>
  Effect.map(SshKeys, (keys) => handleWithPrincipal(handlers, asyncChildHandlers(keys))),
)

/** TLS certificates of FQDNs. */
export const CertificatesLive = HttpApiBuilder.group(HostingApi, "certificates", (handlers) =>
  Effect.gen(function* () {
    const certificates = yield* Certificates
    const fqdns = yield* Fqdns
    return handleWithPrincipal(handlers, {
      list: listUnder(certificates.list),
      upload: byIdWith(certificates.upload),
      issue: byId(fqdns.issue),
      delete: byId(certificates.remove),
      retry: byId(certificates.retry),
    })
  }),
)
