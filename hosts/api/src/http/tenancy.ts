import { HttpApiBuilder } from "@effect/platform"
import { Certificates, CurrentPrincipal, Fqdns, HostingApi, SshKeys, Tenants, Webroots } from "@hosting/core"
import { Effect } from "effect"

/** Tenants and their lifecycle operations. */
export const TenantsLive = HttpApiBuilder.group(HostingApi, "tenants", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    return handlers
      .handle("list", ({ urlParams }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.list(p, urlParams)))
      .handle("create", ({ payload }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.create(p, payload)))
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => tenants.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.remove(p, path.id)))
      .handle("suspend", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.suspend(p, path.id, true)))
      .handle("unsuspend", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.suspend(p, path.id, false)))
      .handle("migrate", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => tenants.migrate(p, path.id, payload)),
      )
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.retry(p, path.id)))
      .handle("resources", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => tenants.resources(p, path.id)))
  }),
)

/** Webroots of tenants. */
export const WebrootsLive = HttpApiBuilder.group(HostingApi, "webroots", (handlers) =>
  Effect.gen(function* () {
    const webroots = yield* Webroots
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.flatMap(CurrentPrincipal, (p) => webroots.list(p, path.id, urlParams)),
      )
      .handle("create", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => webroots.create(p, path.id, payload)),
      )
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => webroots.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => webroots.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => webroots.remove(p, path.id)))
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => webroots.retry(p, path.id)))
  }),
)

/** FQDNs bound to webroots. */
export const FqdnsLive = HttpApiBuilder.group(HostingApi, "fqdns", (handlers) =>
  Effect.gen(function* () {
    const fqdns = yield* Fqdns
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.flatMap(CurrentPrincipal, (p) => fqdns.list(p, path.id, urlParams)),
      )
      .handle("create", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => fqdns.create(p, path.id, payload)),
      )
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => fqdns.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => fqdns.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => fqdns.remove(p, path.id)))
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => fqdns.retry(p, path.id)))
  }),
)

/** SSH keys of tenants. */
export const SshKeysLive = HttpApiBuilder.group(HostingApi, "sshKeys", (handlers) =>
  Effect.gen(function* () {
    const keys = yield* SshKeys
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.flatMap(CurrentPrincipal, (p) => keys.list(p, path.id, urlParams)),
      )
      .handle("create", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => keys.create(p, path.id, payload)),
      )
      .handle("get", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => keys.get(p, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => keys.update(p, path.id, payload)),
      )
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => keys.remove(p, path.id)))
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => keys.retry(p, path.id)))
  }),
)

/** TLS certificates of FQDNs. */
export const CertificatesLive = HttpApiBuilder.group(HostingApi, "certificates", (handlers) =>
  Effect.gen(function* () {
    const certificates = yield* Certificates
    const fqdns = yield* Fqdns
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.flatMap(CurrentPrincipal, (p) => certificates.list(p, path.id, urlParams)),
      )
      .handle("upload", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (p) => certificates.upload(p, path.id, payload)),
      )
      .handle("issue", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => fqdns.issue(p, path.id)))
      .handle("delete", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => certificates.remove(p, path.id)))
      .handle("retry", ({ path }) => Effect.flatMap(CurrentPrincipal, (p) => certificates.retry(p, path.id)))
  }),
)
